import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { WorkItem } from '#shared/domain/verify/stranded';
import { isDailyAggregate, isRollup } from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { dueTimeOf } from '#shared/store/due';
import { isPhoneState } from '#shared/store/phone-state';

/**
 * The whole-table read of the offline audit (`npm run verify`, infra/ops/verify.ts), never a request
 * path: a parallel Scan, and what each raw item it returns is, so that no reader outside the store
 * needs the key formats.
 */

/**
 * Reads every item with a parallel Scan of `segments` segments (consistent reads), handing each
 * page's items to `onItems` as it arrives (so a caller can stream a large table through).
 */
export async function scanTable(
  segments: number,
  onItems: (items: Record<string, unknown>[]) => void,
): Promise<void> {
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new ScanCommand({
            TableName: TABLE,
            Segment: segment,
            TotalSegments: segments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        onItems(res.Items ?? []);
        start = res.LastEvaluatedKey;
      } while (start);
    }),
  );
}

/**
 * What a scanned item is: a daily aggregate, a monthly roll-up, a phone state (none of which has
 * a `type`), a survey or a callback case (by their `type`), or something the audit does not count.
 */
export type ScannedKind = 'aggregate' | 'rollup' | 'phone' | 'survey' | 'callback' | 'other';

export function scannedKind(item: Record<string, unknown>): ScannedKind {
  if (isDailyAggregate(item)) return 'aggregate';
  if (isRollup(item)) return 'rollup';
  if (isPhoneState(item)) return 'phone';
  if (item.type === 'survey') return 'survey';
  if (item.type === 'callback') return 'callback';
  return 'other';
}

/**
 * What the stranded check (domain/verify/stranded.ts) reads of a scanned item: key, type, a
 * ticket's reception and planning, and the time it falls due if it is in the due index.
 */
export function workItem(item: Record<string, unknown>): WorkItem {
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    type: String(item.type ?? ''),
    receivedAt: item.receivedAt,
    plannedAt: item.plannedAt,
    dueAt: dueTimeOf(item),
  };
}
