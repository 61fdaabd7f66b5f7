import { type Counter, counters } from '#shared/domain/counters';
import { aggregateId, type Expected, rollupId } from '#shared/domain/verify/recompute';

/**
 * Comparing the stored aggregates and roll-ups with the recompute (recompute.ts): every counter
 * that differs, in a stable order. Pure: the caller reads the stored items and passes them in.
 */

/** A stored aggregate item (as read from the table): its key fields and whatever counters it has. */
export type StoredAggregate = { day: string; engineerId: string } & Partial<Record<Counter, unknown>>;

/** A stored monthly roll-up, its counters by their names (`fromRollup`). */
export type StoredRollup = { month: string; team: string; engineerId: string } & Partial<
  Record<Counter, unknown>
>;

export interface Difference {
  day: string;
  engineerId: string;
  counter: Counter;
  /** In the aggregate item (0 when the item or the attribute is missing). */
  stored: number;
  /** Recomputed from the raw records. */
  expected: number;
}

/** A difference on a monthly roll-up (month `yyyy-mm`). */
export interface RollupDifference {
  month: string;
  team: string;
  engineerId: string;
  counter: Counter;
  /** In the roll-up item (0 when the item is missing). */
  stored: number;
  /** Recomputed from the raw records. */
  expected: number;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
}

/**
 * The stored items by id, the counters of items sharing one id summed: an engineer's day or month
 * may be two items while items written before the aggregate shards are still read beside the
 * shards' (store/aggregate.ts `aggPartitions`).
 */
function byId<T extends Partial<Record<Counter, unknown>>>(
  items: readonly T[],
  id: (t: T) => string,
): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    const k = id(item);
    const seen = out.get(k);
    if (!seen) {
      out.set(k, item);
      continue;
    }
    const sum: Partial<Record<Counter, unknown>> = { ...seen };
    for (const c of counters)
      if (seen[c] !== undefined || item[c] !== undefined) sum[c] = num(seen[c]) + num(item[c]);
    out.set(k, sum as T);
  }
  return out;
}

export interface CompareOptions {
  /**
   * Only days from this one ('YYYY-MM-DD', inclusive) are compared: older raw records may have
   * expired by TTL (retention), while aggregates are kept for good.
   */
  fromDay?: string;
}

/**
 * Every counter where a stored aggregate differs from the recompute, for days from `fromDay`:
 * an aggregate item with no raw records and raw records with no aggregate item both show up.
 * Counters marked unverifiable are left out (they are listed in `expected.problems`).
 */
export function compareAggregates(
  expected: Expected,
  stored: StoredAggregate[],
  opts: CompareOptions = {},
): Difference[] {
  const storedById = byId(stored, (a) => aggregateId(a.day, a.engineerId));
  const ids = new Set([...expected.aggregates.keys(), ...storedById.keys()]);
  const out: Difference[] = [];
  for (const id of ids) {
    const exp = expected.aggregates.get(id);
    const got = storedById.get(id);
    const day = (exp?.day ?? got?.day) as string;
    const engineerId = (exp?.engineerId ?? got?.engineerId) as string;
    if (opts.fromDay && day < opts.fromDay) continue;
    const skip = expected.unverifiable.get(id);
    for (const counter of counters) {
      if (skip?.has(counter)) continue;
      const s = num(got?.[counter]);
      const e = exp?.counts[counter] ?? 0;
      if (s !== e) out.push({ day, engineerId, counter, stored: s, expected: e });
    }
  }
  const order = new Map(counters.map((c, i) => [c, i]));
  return out.sort(
    (a, b) =>
      a.day.localeCompare(b.day) ||
      a.engineerId.localeCompare(b.engineerId) ||
      (order.get(a.counter) ?? 0) - (order.get(b.counter) ?? 0),
  );
}

/**
 * Every counter where a stored monthly roll-up differs from the recompute, for the months wholly
 * from `fromDay` on (a month that began earlier may have lost raw records to retention): a roll-up
 * with no raw records and raw records with no roll-up both show up. Unverifiable counters are left out.
 */
export function compareRollups(
  expected: Expected,
  stored: StoredRollup[],
  opts: CompareOptions = {},
): RollupDifference[] {
  const storedById = byId(stored, (r) => rollupId(r.month, r.team, r.engineerId));
  const ids = new Set([...expected.rollups.keys(), ...storedById.keys()]);
  const out: RollupDifference[] = [];
  for (const id of ids) {
    const exp = expected.rollups.get(id);
    const got = storedById.get(id);
    const { month, team, engineerId } = (exp ?? got) as StoredRollup;
    if (opts.fromDay && `${month}-01` < opts.fromDay) continue;
    const skip = expected.unverifiableRollups.get(id);
    for (const counter of counters) {
      if (skip?.has(counter)) continue;
      const s = num(got?.[counter]);
      const e = exp?.counts[counter] ?? 0;
      if (s !== e) out.push({ month, team, engineerId, counter, stored: s, expected: e });
    }
  }
  const order = new Map(counters.map((c, i) => [c, i]));
  return out.sort(
    (a, b) =>
      a.month.localeCompare(b.month) ||
      a.team.localeCompare(b.team) ||
      a.engineerId.localeCompare(b.engineerId) ||
      (order.get(a.counter) ?? 0) - (order.get(b.counter) ?? 0),
  );
}
