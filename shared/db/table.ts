/**
 * One source of truth for the table's keys, indexes and TTL: the CDK stack and the local
 * system both build the table from this definition.
 *
 * Access patterns (see README "Data model"):
 * - ticket by source + ticketId                pk=TICKET#{source}#{ticketId}     sk=TICKET
 * - survey by id                               pk=SURVEY#{surveyId}              sk=SURVEY
 * - phone state (open survey, queue, opt-out)  pk=PHONE#{e164}                   sk=PHONE
 * - outbound SMS (transactional outbox)        pk=SMS#{smsId}                    sk=SMS
 * - survey by published message id             pk=MSG#{messageId}                sk=MSG
 * - inbound SMS handled once                   pk=INBOUND#{inboundMessageId}     sk=INBOUND
 * - per-engineer daily aggregates of a month   pk=AGG#{yyyy-mm}                  sk={dd}#{engineerId}
 * - work that falls due (sparse index)         gsi1pk=DUE#{shard}                gsi1sk={iso time}#{id}
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
} as const;

export const DUE_INDEX = 'gsi1';
