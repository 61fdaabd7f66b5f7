import type { WorkItem } from '#shared/domain/verify/stranded';
import { isDailyAggregate, isRollup } from '#shared/store/aggregate';
import { dueTimeOf } from '#shared/store/due';
import { isPhoneState } from '#shared/store/phone-state';

/**
 * What a raw item of the table is, for the offline audit (`npm run verify`, infra/ops/verify.ts,
 * which reads the whole table with a Scan there, never on a request path), so that no reader
 * outside the store needs the key formats.
 */

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
