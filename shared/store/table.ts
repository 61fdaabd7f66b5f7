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
 * - per-engineer monthly roll-ups by team       pk=AGGM#{yyyy-mm}                 sk={team}#{engineerId}
 * - work that falls due (sparse index)         gsi1pk=DUE#{shard}                gsi1sk={iso time}#{id}
 * - callback cases by status and team          gsi2pk=CB#{status}#T#{team}       gsi2sk={openedAt}#{caseId}
 * - callback cases by status and region        gsi3pk=CB#{status}#R#{region}     gsi3sk={openedAt}#{caseId}
 * - an engineer's dissatisfied comments        gsi2pk=COMMENTS#{engineerId}      gsi2sk={answeredAt}#{surveyId}
 * - one engineer's daily aggregates by day      gsi3pk=AGGENG#{engineerId}        gsi3sk={yyyy-mm-dd}
 * - callback case by id                        pk=CALLBACK#{caseId}              sk=CALLBACK
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  indexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

export const DUE_INDEX = 'gsi1';
export const LIST_INDEX = 'gsi2';
export const REGION_INDEX = 'gsi3';
/** gsi3 also lists one engineer's aggregate days (AGGENG#{engineerId}), for per-engineer ranges. */
export const ENGINEER_DAYS_INDEX = 'gsi3';
