import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, storeSettings, TABLE } from '#shared/store/client';
import { DUE_INDEX } from '#shared/store/table';

/**
 * The due-work index: an item that has something to happen at a time carries
 * gsi1pk=DUE#{slot} and gsi1sk={iso time}#{id}; the scheduler queries every slot for
 * gsi1sk <= now. Items leave the index (REMOVE gsi1pk, gsi1sk) when nothing is left to do.
 *
 * The placement never depends on configuration: an item goes to slot hash(id) % DUE_SLOTS, a
 * fixed number, and every run of the scheduler reads all DUE_SLOTS slots, so no setting can
 * leave an accepted item in a slot nobody reads. (Versions before this placed items by
 * hash % DUE_SHARDS, DUE_SHARDS <= 64: those slots are among the ones read.) DUE_SHARDS only
 * says how many slots are read at once.
 */
export const DUE_SLOTS = 64;

/** Every slot's number, 0 .. DUE_SLOTS - 1. */
export const dueSlotNumbers = (): number[] => Array.from({ length: DUE_SLOTS }, (_, i) => i);

/** Every slot's partition key, DUE#0 .. DUE#63. */
export const dueSlots = (): string[] => Array.from({ length: DUE_SLOTS }, (_, i) => `DUE#${i}`);

export function dueKeys(id: string, at: Date): { gsi1pk: string; gsi1sk: string } {
  const slot = createHash('sha1').update(id).digest().readUInt16BE(0) % DUE_SLOTS;
  return { gsi1pk: `DUE#${slot}`, gsi1sk: `${at.toISOString()}#${id}` };
}

/** Whether a raw item (as a Scan reads it) has an entry in the due index. */
export function isInDueIndex(item: Record<string, unknown>): boolean {
  return typeof item.gsi1pk === 'string' && item.gsi1pk.startsWith('DUE#') && typeof item.gsi1sk === 'string';
}

/** When a raw item falls due in the due index (the ISO time of its gsi1sk); undefined when not in it. */
export function dueTimeOf(item: Record<string, unknown>): string | undefined {
  return isInDueIndex(item) ? (String(item.gsi1sk).split('#', 1)[0] as string) : undefined;
}

export interface DueRef {
  pk: string;
  sk: string;
}

/** A due item as read: whatever its type (`ticket`, `survey`, `sms`, ...) stores. */
export interface DueItem {
  type: string;
  [field: string]: unknown;
}

/** The item behind a due reference, read consistently (it may have changed or gone since the query). */
export async function getDueItem(ref: DueRef): Promise<DueItem | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: TABLE, Key: ref, ConsistentRead: true }));
  return res.Item as DueItem | undefined;
}

/** Runs fn over items with at most n in flight, results in the items' order. */
async function mapLimit<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
    }),
  );
  return results;
}

/** Keys of the items due at or before `at`, oldest first within each slot; every slot is read. */
export async function queryDue(at: Date, limitPerSlot = 500): Promise<DueRef[]> {
  const upper = `${at.toISOString()}#\uffff`;
  const results = await mapLimit(dueSlots(), storeSettings().dueShards, async (slot) => {
    const refs: DueRef[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :upper',
          ExpressionAttributeValues: { ':pk': slot, ':upper': upper },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: start,
          Limit: Math.min(100, limitPerSlot - refs.length),
        }),
      );
      for (const it of res.Items ?? []) refs.push({ pk: it.pk as string, sk: it.sk as string });
      start = res.LastEvaluatedKey;
    } while (start && refs.length < limitPerSlot);
    return refs;
  });
  return results.flat();
}

/** Where a reading of one slot stopped: DynamoDB's key of the last entry read (index and table keys). */
export type DueCursor = Record<string, unknown>;

/**
 * One page of a slot's entries due at or before `at`, oldest first, from after `cursor` (a due
 * worker's reading: it works a page, then reads on from where it stopped, so entries it moved
 * later meanwhile are not read twice in a run). `next` is undefined when the slot has nothing more
 * due now.
 */
export async function queryDueSlot(
  slot: number,
  at: Date,
  cursor?: DueCursor,
  limit = 100,
): Promise<{ refs: DueRef[]; next: DueCursor | undefined }> {
  if (!Number.isInteger(slot) || slot < 0 || slot >= DUE_SLOTS) throw new RangeError(`due slot ${slot}`);
  const res = await ddb.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: DUE_INDEX,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :upper',
      ExpressionAttributeValues: { ':pk': `DUE#${slot}`, ':upper': `${at.toISOString()}#\uffff` },
      ProjectionExpression: 'pk, sk',
      ExclusiveStartKey: cursor,
      Limit: limit,
    }),
  );
  const refs = (res.Items ?? []).map((it) => ({ pk: it.pk as string, sk: it.sk as string }));
  return { refs, next: res.LastEvaluatedKey };
}
