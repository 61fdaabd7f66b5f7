/**
 * One source of truth for the table's keys, indexes and TTL: the CDK stack and the local
 * system both build the table from this definition.
 *
 * The catalogue of every key format in the table (see README "Data model"). Each is built by the
 * one store module named on its line, and nowhere else.
 *
 * Items (pk / sk):
 * - ticket by source + ticketId              TICKET#{source}#{ticketId} / TICKET      store/ticket.ts
 * - dispatch of a ticket (beside it)         TICKET#{source}#{ticketId} / DISPATCH    store/dispatch.ts
 * - survey by id                             SURVEY#{surveyId} / SURVEY               store/survey.ts
 * - phone state (open survey, queue, opt-out) PHONE#{e164} / PHONE                   store/phone-state.ts
 * - outbound SMS and alerts (outbox)         SMS#{smsId} / SMS                        store/outbox.ts
 * - SMS (and survey) by provider message id MSG#{messageId} / MSG                    store/outbox.ts
 * - inbound SMS handled once                 INBOUND#{inboundMessageId} / INBOUND     store/inbound.ts
 * - provider push accepted (replies, receipts) SMSIN#{batchId} / SMSIN               store/sms-inbox.ts
 * - web survey token -> survey               WEBTOKEN#{token} / WEBTOKEN              store/web-token.ts
 * - callback case by id                      CALLBACK#{caseId} / CALLBACK             store/callback.ts
 * - a phone's last repair (返修)               REPAIR#{e164} / LAST                     store/last-repair.ts
 * - a customer's text kept (每诉必录)          TEXT#{textId} / TEXT                     store/customer-text.ts
 * - a complaint's progress notice            CALLBACK#{caseId} / PROGRESS             store/case-progress.ts
 * - a case's entry in the customer index     CALLBACK#{caseId} / CUSTOMER             store/case-customer.ts
 * - work-order reply of a survey             REPLY#{surveyId} / REPLY                 store/work-order-reply.ts
 * - per-engineer daily aggregates of a month AGG#{yyyy-mm}#{shard} / {dd}#{engineerId}  store/aggregate.ts
 * - per-engineer monthly roll-ups by team    AGGM#{yyyy-mm}#{shard} / {team}#{engineerId} store/aggregate.ts
 *   ({shard} = AGG_SHARDS below, from the engineer id; items written before the shards, under
 *   AGG#{yyyy-mm} and AGGM#{yyyy-mm}, are still read: store/aggregate.ts `aggPartitions`)
 * - local stand-ins' logs (SMS, alerts)      LOCAL#{log} / {at}#{seq}                 gateways (store/local-log.ts)
 *
 * Index entries (partition / sort key):
 * - work that falls due (sparse)             gsi1 DUE#{slot} / {iso time}#{pk}        store/due.ts
 * - customers' texts by region               gsi1 TEXTS#R#{region} / {receivedAt}#{textId}      store/customer-text.ts
 * - customers' texts by team                 gsi2 TEXTS#T#{team} / {receivedAt}#{textId}        store/customer-text.ts
 * - callback cases by status and team        gsi2 CB#{status}#T#{team} / {openedAt}#{caseId}    store/callback.ts
 * - an engineer's dissatisfied comments      gsi2 COMMENTS#{engineerId} / {answeredAt}#{surveyId} store/comment.ts
 * - work-order replies by status             gsi2 REPLIES#{status} / {createdAt}#{surveyId}     store/work-order-reply.ts
 * - callback cases by status and region      gsi3 CB#{status}#R#{region} / {openedAt}#{caseId}  store/callback.ts
 * - one engineer's daily aggregates by day   gsi3 AGGENG#{engineerId} / {yyyy-mm-dd}  store/aggregate.ts
 * - a customer's raw records (erasure)       gsi3 CUST#{phone} / {pk}                 store/retention.ts (written), store/customer.ts (read)
 * - every callback case by status (sharded)  gsi4 CB#{status}#ALL#{shard} / {openedAt}#{caseId}  store/callback.ts
 * - every customer's text (sharded)          gsi4 TEXTS#ALL#{shard} / {receivedAt}#{textId}       store/customer-text.ts
 *
 * gsi4 lists everything of a kind for admins: `ALL_SHARDS` fixed partitions per list (an item goes
 * to shard hash(id) % ALL_SHARDS, store/all-shards.ts), read together and merged, so no single
 * partition takes every write. Items written before gsi4 existed get its keys on their next status
 * change, and `npm run backfill-lists` (infra/ops/backfill-lists.ts) gives them to the rest.
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  indexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  ],
} as const;

export const DUE_INDEX = 'gsi1';
export const LIST_INDEX = 'gsi2';
export const REGION_INDEX = 'gsi3';
/** gsi3 also lists one engineer's aggregate days (AGGENG#{engineerId}), for per-engineer ranges. */
export const ENGINEER_DAYS_INDEX = 'gsi3';
/** gsi4: every callback case by status, every customer's text, over ALL_SHARDS partitions each (admins' lists). */
export const ALL_INDEX = 'gsi4';

/**
 * Write shards of the aggregate partitions (daily AGG# and roll-up AGGM#, per month): every counted
 * event of a month writes one of these per kind, chosen by its engineer's id, so no partition key takes
 * every event of the month (issue 14: at 100 completions/s one month key would take about 1,000 WCU/s,
 * DynamoDB's limit for one partition). Readers query every shard (and the unsharded key of old items).
 * Fixed: changing it moves engineers to other shards, so a reader would have to read the old count too.
 */
export const AGG_SHARDS = 8;
