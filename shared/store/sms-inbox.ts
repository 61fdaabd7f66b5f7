import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { retentionTtl } from '#shared/store/retention';
import { TxConditionFailed, type TxItem, transact, writeIf } from '#shared/store/tx';

/**
 * The SMS inbox: what a provider pushed (customers' replies, delivery receipts), stored as it was
 * accepted, in ONE write, before the callback answers: pk=SMSIN#{batchId}, sk=SMSIN, one item per
 * batch of up to MAX_EVENTS events (a larger batch is several items in one transaction). The id is
 * derived from the events' dedup ids, so the same push accepted twice is one item. The item is in
 * the due index from the start (the scheduler's guarantee); a DynamoDB Streams trigger on its
 * INSERT (on AWS) or the local server right after answering handles it sooner. Each event is
 * handled once by its dedup id (store/inbound.ts), whichever path gets there, however often.
 * The events (phones, texts) are removed once handled; the item is kept `retention.days`.
 */
export const INBOX_PK_PREFIX = 'SMSIN#';
export const inboxKey = (batchId: string) => ({ pk: `${INBOX_PK_PREFIX}${batchId}`, sk: 'SMSIN' as const });

/** One event as stored (the use case's own type: shared/app/sms/inbox.ts InboundEvent). */
export interface StoredEvent {
  kind: string;
  dedupId: string;
}

export interface InboxItem<E extends StoredEvent = StoredEvent> {
  pk: string;
  sk: 'SMSIN';
  type: 'sms_inbox';
  batchId: string;
  /** What is left to handle (all at first; removed when done). */
  events?: E[];
  status: 'pending' | 'done';
  receivedAt: string;
  attempts?: number;
  leaseUntil?: number;
  doneAt?: string;
  ttl?: number;
  gsi1pk?: string;
  gsi1sk?: string;
}

export const MAX_EVENTS = 100;

/** The batch id of some events: a hash of their dedup ids, in order given. */
export function batchIdOf(events: readonly StoredEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) h.update(`${e.dedupId}\n`);
  return h.digest('hex').slice(0, 40);
}

/** Whether a key (a due reference, a stream record's keys) is an inbox item's; its batch id then. */
export function inboxBatchId(key: { pk?: unknown; sk?: unknown }): string | undefined {
  return typeof key.pk === 'string' && key.pk.startsWith(INBOX_PK_PREFIX) && key.sk === 'SMSIN'
    ? key.pk.slice(INBOX_PK_PREFIX.length)
    : undefined;
}

/**
 * Stores the events (one transaction of one item per MAX_EVENTS), due at `at`. A batch already
 * stored (the same push again) is left as it is; returns the batch ids of the items.
 */
export async function putInbox<E extends StoredEvent>(events: readonly E[], at: Date): Promise<string[]> {
  const chunks: E[][] = [];
  for (let i = 0; i < events.length; i += MAX_EVENTS) chunks.push(events.slice(i, i + MAX_EVENTS));
  const ids = chunks.map(batchIdOf);
  const all: TxItem[] = chunks.map((chunk, i) => {
    const batchId = ids[i] as string;
    const item: InboxItem<E> = {
      ...inboxKey(batchId),
      type: 'sms_inbox',
      batchId,
      events: chunk,
      status: 'pending',
      receivedAt: at.toISOString(),
      attempts: 0,
      ttl: retentionTtl(at),
      ...dueKeys(inboxKey(batchId).pk, at),
    };
    return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  });
  // One transaction holds up to 100 items (10,000 events): a push is at most 500 events, one item
  // or a few; a larger pull is written 100 items at a time, each transaction durable on its own.
  for (let start = 0; start < all.length; start += 100) {
    let items = all.slice(start, start + 100);
    while (items.length > 0) {
      try {
        await transact(items);
        break;
      } catch (err) {
        if (!(err instanceof TxConditionFailed)) throw err;
        // Those are stored already (accepted before): write the others.
        items = items.filter((_, i) => !err.failed.includes(i));
      }
    }
  }
  return ids;
}

/**
 * Takes a short lease (until `untilMs`, real time) on a pending inbox item so that the fast path and
 * the scheduler do not both work on it; undefined when it is done, leased or not there.
 */
export async function leaseInbox(
  batchId: string,
  nowMs: number,
  untilMs: number,
): Promise<InboxItem | undefined> {
  let out: InboxItem | undefined;
  const ok = await writeIf(async () => {
    const res = await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: inboxKey(batchId),
        UpdateExpression: 'SET leaseUntil = :until ADD attempts :one',
        ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':until': untilMs, ':one': 1, ':pending': 'pending', ':now': nowMs },
        ReturnValues: 'ALL_NEW',
      }),
    );
    out = res.Attributes as InboxItem;
  });
  return ok ? out : undefined;
}

/** Every event handled: the item leaves the due index and drops the events (personal data). */
export async function finishInbox(batchId: string, at: Date): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: inboxKey(batchId),
      UpdateExpression: 'SET #status = :done, doneAt = :at REMOVE events, leaseUntil, gsi1pk, gsi1sk',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':at': at.toISOString() },
    }),
  );
}

/** Some events are left (a receipt waiting for our record of the send, a failure): due again at `next`. */
export async function deferInbox(batchId: string, left: readonly StoredEvent[], next: Date): Promise<void> {
  const due = dueKeys(inboxKey(batchId).pk, next);
  await ddb.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: inboxKey(batchId),
      UpdateExpression: 'SET events = :left, gsi1pk = :gpk, gsi1sk = :gsk REMOVE leaseUntil',
      ExpressionAttributeValues: { ':left': left, ':gpk': due.gsi1pk, ':gsk': due.gsi1sk },
    }),
  );
}
