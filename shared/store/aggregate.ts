import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type Counter, type Counts, counters } from '#shared/domain/counters';
import type { EngineerRef } from '#shared/domain/types';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';
import { AGG_SHARDS, ENGINEER_DAYS_INDEX } from '#shared/store/table';
import type { TxItem } from '#shared/store/tx';

/**
 * Per-engineer aggregates, written in the same transaction as what they count:
 * - daily: one item per engineer and local day of completion, grouped by month and write shard:
 *   pk=AGG#{yyyy-mm}#{shard}, sk={dd}#{engineerId} (sparse: a counter appears once it is non-zero).
 *   Day, week and range reports and the engineer detail read these.
 * - monthly roll-up: one item per engineer, team and month: pk=AGGM#{yyyy-mm}#{shard},
 *   sk={team}#{engineerId}, every counter present from the first write. Month reports read these, so
 *   their cost is one item per engineer of the teams asked about, whatever the number of responses or
 *   days (and one Query per shard).
 * {shard} = `aggShard(engineerId)`, 0 to AGG_SHARDS - 1 (store/table.ts): the events of a month spread
 * over AGG_SHARDS partition keys of each kind instead of one. Items written before the shards
 * (pk=AGG#{yyyy-mm}, AGGM#{yyyy-mm}) are read with the shards (`aggPartitions`): an engineer may then
 * have two items for one day or month, and every reader sums items (reports by engineer, verify by id).
 * Reports read these, never raw responses. Both are figures: no TTL, no personal data but the
 * engineer's name.
 */
// The vocabulary lives in the domain (counters.ts, types.ts); re-exported for existing importers.

export interface AggregateItem extends EngineerRef, Partial<Counts> {
  day: string;
}

const DAILY = 'AGG#';
const ROLLUP = 'AGGM#';

/**
 * The write shard of an engineer's aggregates: FNV-1a (32 bits) of the id's UTF-16 code units,
 * modulo AGG_SHARDS. Stable (a key format: never change it while items exist).
 */
export function aggShard(engineerId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < engineerId.length; i++) {
    h ^= engineerId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % AGG_SHARDS;
}

/**
 * Every partition key holding a month's items of one kind: the unsharded key of the items written
 * before the shards (read for as long as such items may exist; a Query of an empty partition costs
 * its minimum, 0.5 RCU), then each shard's.
 */
export function aggPartitions(kind: 'daily' | 'rollup', month: string): string[] {
  const base = `${kind === 'daily' ? DAILY : ROLLUP}${month}`;
  return [base, ...Array.from({ length: AGG_SHARDS }, (_, i) => `${base}#${i}`)];
}

export function aggKey(day: string, engineerId: string) {
  return {
    pk: `${DAILY}${day.slice(0, 7)}#${aggShard(engineerId)}`,
    sk: `${day.slice(8, 10)}#${engineerId}`,
  };
}

/** Whether a raw item (as a Scan reads it) is a daily aggregate. */
export const isDailyAggregate = (raw: Record<string, unknown>): boolean => String(raw.pk).startsWith(DAILY);

/**
 * A daily aggregate read raw (a Scan): its counters by their names, and its day and engineer from
 * its attributes or, when an item lacks them, from its key (AGG#{yyyy-mm}[#{shard}] / {dd}#{engineerId}).
 */
export function fromDailyAggregate(
  raw: Record<string, unknown>,
): Record<string, unknown> & { day: string; engineerId: string } {
  const pk = String(raw.pk);
  const sk = String(raw.sk);
  const day =
    typeof raw.day === 'string' ? raw.day : `${pk.slice(DAILY.length, DAILY.length + 7)}-${sk.slice(0, 2)}`;
  const engineerId = typeof raw.engineerId === 'string' ? raw.engineerId : sk.slice(3);
  return { ...raw, day, engineerId };
}

/**
 * One engineer's days in order (ENGINEER_DAYS_INDEX, gsi3 overloaded): gsi3pk=AGGENG#{engineerId},
 * gsi3sk={yyyy-mm-dd}. Lets a report over any range read only that engineer's items.
 */
export function aggEngineerIndexKey(day: string, engineerId: string) {
  return { gsi3pk: `AGGENG#${engineerId}`, gsi3sk: day };
}

/** A transaction item adding `delta` to the engineer's counters for the day. */
export function addToAggregate(day: string, eng: EngineerRef, delta: Partial<Counts>): TxItem {
  const adds = Object.entries(delta).filter(([, v]) => v !== undefined && v !== 0);
  const values: Record<string, unknown> = {
    ':id': eng.engineerId,
    ':name': eng.engineerName,
    ':team': eng.team,
    ':region': eng.region,
    ':day': day,
    ':gpk': aggEngineerIndexKey(day, eng.engineerId).gsi3pk,
  };
  const names: Record<string, string> = { '#region': 'region', '#day': 'day' };
  const addParts = adds.map(([k, v], i) => {
    values[`:a${i}`] = v;
    names[`#c${i}`] = k;
    return `#c${i} :a${i}`;
  });
  return {
    Update: {
      TableName: TABLE,
      Key: aggKey(day, eng.engineerId),
      UpdateExpression:
        'SET engineerId = :id, engineerName = :name, team = :team, #region = :region, #day = :day, gsi3pk = :gpk, gsi3sk = :day' +
        (addParts.length ? ` ADD ${addParts.join(', ')}` : ''),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Attribute names of the counters on a roll-up item. Short, because a month report reads every
 * counter of every roll-up and DynamoDB bills attribute names by the byte like values: the
 * counters' own names are 732 bytes for the 46, against some 90 to 130 bytes for all their values.
 */
export const rollupAttr = {
  completed: 'co',
  reopened: 're',
  suppressed: 'su',
  suppressedOptedOut: 'so',
  suppressedRecentlySurveyed: 'sr',
  suppressedStaffPhone: 'sf',
  suppressedKindNotSurveyed: 'sn',
  cancelled: 'cn',
  surveyed: 'sv',
  reminded: 'rm',
  responses: 'rs',
  satisfied: 'r1',
  basicallySatisfied: 'r2',
  dissatisfied: 'r3',
  unrated: 'ur',
  expired: 'ex',
  optedOut: 'oo',
  undelivered: 'ud',
  contactOnTime: 'ct',
  contactApplicable: 'ca',
  repairOnTime: 'rt',
  repairApplicable: 'ra',
  punctual: 'pt',
  punctualApplicable: 'pa',
  reason1: 'n1',
  reason2: 'n2',
  reason3: 'n3',
  reason4: 'n4',
  reason5: 'n5',
  reason6: 'n6',
  callbacksOpened: 'bo',
  callbacksOverdue: 'bd',
  callbacksClosed: 'bc',
  callbacksResolvedSatisfied: 'bs',
  callbacksResolvedUnsatisfied: 'bu',
  callbacksUnreachable: 'bn',
  repairsCompleted: 'rc',
  repeatRepairs: 'rr',
  g_store_service_responses: 'vr',
  g_store_service_satisfied: 'v1',
  g_store_service_basicallySatisfied: 'v2',
  g_handset_sale_responses: 'hr',
  g_handset_sale_satisfied: 'h1',
  g_handset_sale_basicallySatisfied: 'h2',
  g_new_business_responses: 'nr',
  g_new_business_satisfied: 'b1',
  g_new_business_basicallySatisfied: 'b2',
  complaints: 'ko',
  complaintsClosed: 'cc',
  complaintsOverdue: 'cd',
} as const satisfies Record<Counter, string>;

/**
 * The other attributes of a roll-up, short for the same reason: the engineer's name and region
 * (their id and team are in the sort key), and the day of the month of the latest write.
 */
export const rollupRefAttr = { engineerName: 'nm', region: 'rg', lastDay: 'ld' } as const;

/**
 * The monthly roll-up of one engineer under one team: pk=AGGM#{yyyy-mm}#{shard}, sk={team}#{engineerId}.
 * A team's engineers of the month are one sort-key prefix in each shard.
 * Engineer ids cannot contain '#'; team names can, so readers compare the team exactly.
 */
export function rollupKey(month: string, team: string, engineerId: string) {
  return { pk: `${ROLLUP}${month}#${aggShard(engineerId)}`, sk: `${team}#${engineerId}` };
}

/** Team and engineer of a roll-up's sort key (the engineer id is after the last '#'). */
export function rollupKeyParts(sk: string): { team: string; engineerId: string } {
  const cut = sk.lastIndexOf('#');
  return { team: sk.slice(0, cut), engineerId: sk.slice(cut + 1) };
}

/**
 * A transaction item adding `delta` to the engineer's roll-up of the day's month, under the team
 * the delta is counted for (the survey's, as on the daily item). Every counter is ADDed, 0 when
 * not in the delta, so the item carries all of them from its first write: its size no longer
 * depends on which counters have been non-zero, only on how many digits the counts have.
 * Name, region and day of the write are SET (the latest write's), like the daily item's.
 */
export function addToRollup(day: string, eng: EngineerRef, delta: Partial<Counts>): TxItem {
  const values: Record<string, unknown> = {
    ':nm': eng.engineerName,
    ':rg': eng.region,
    ':ld': Number(day.slice(8, 10)),
  };
  const names: Record<string, string> = {
    '#nm': rollupRefAttr.engineerName,
    '#rg': rollupRefAttr.region,
    '#ld': rollupRefAttr.lastDay,
  };
  const addParts = counters.map((c, i) => {
    names[`#c${i}`] = rollupAttr[c];
    values[`:c${i}`] = delta[c] ?? 0;
    return `#c${i} :c${i}`;
  });
  return {
    Update: {
      TableName: TABLE,
      Key: rollupKey(day.slice(0, 7), eng.team, eng.engineerId),
      UpdateExpression: `SET #nm = :nm, #rg = :rg, #ld = :ld ADD ${addParts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The transaction items that count `delta` for the engineer on the day: the daily aggregate, then
 * the month's roll-up, in this order (two items: callers that look at the index of a failed item
 * in `TxConditionFailed.failed` place these after the items they check). At most one per
 * transaction for an engineer, team and month: DynamoDB refuses two operations on one item.
 */
export function aggregateUpdates(day: string, eng: EngineerRef, delta: Partial<Counts>): TxItem[] {
  return [addToAggregate(day, eng, delta), addToRollup(day, eng, delta)];
}

/**
 * The transaction items counting several deltas at once (e.g. a completion on its engineer and a
 * repeat repair on the earlier repair's engineer), merged so that no item is written twice in one
 * transaction: deltas on one daily item (day, engineer) are summed, and so are deltas on one
 * roll-up (month, team, engineer). A merged daily item takes the name, team and region of the last
 * entry on it (pass the current completion last).
 */
export function aggregateUpdatesFor(
  entries: readonly { day: string; eng: EngineerRef; delta: Partial<Counts> }[],
): TxItem[] {
  const merge = (into: Partial<Counts>, d: Partial<Counts>) => {
    for (const [c, v] of Object.entries(d) as [Counter, number | undefined][]) {
      if (v) into[c] = (into[c] ?? 0) + v;
    }
  };
  const daily = new Map<string, { day: string; eng: EngineerRef; delta: Partial<Counts> }>();
  const rollups = new Map<string, { day: string; eng: EngineerRef; delta: Partial<Counts> }>();
  for (const e of entries) {
    const dk = JSON.stringify([e.day, e.eng.engineerId]);
    const d = daily.get(dk) ?? { day: e.day, eng: e.eng, delta: {} };
    d.eng = e.eng;
    merge(d.delta, e.delta);
    daily.set(dk, d);
    const rk = JSON.stringify([e.day.slice(0, 7), e.eng.team, e.eng.engineerId]);
    const r = rollups.get(rk) ?? { day: e.day, eng: e.eng, delta: {} };
    if (e.day >= r.day) r.day = e.day;
    r.eng = e.eng;
    merge(r.delta, e.delta);
    rollups.set(rk, r);
  }
  return [
    ...[...daily.values()].map((d) => addToAggregate(d.day, d.eng, d.delta)),
    ...[...rollups.values()].map((r) => addToRollup(r.day, r.eng, r.delta)),
  ];
}

/** Whether a raw item (as a Scan reads it) is a monthly roll-up (read it with `fromRollup`). */
export const isRollup = (raw: Record<string, unknown>): boolean => String(raw.pk).startsWith(ROLLUP);

/**
 * A stored roll-up read back as the reports use aggregate items: counters by their names, and
 * `day` = the day of its latest write, so that "the latest day's name, team and region" picks the
 * later of an engineer's roll-ups when they moved team within the month (writes for a day come
 * after it, so every write to the old team's roll-up carries an earlier day than the new one's;
 * only an engineer moved back and forth within a month could be shown under the other team).
 */
export function fromRollup(raw: Record<string, unknown>): AggregateItem {
  const month = String(raw.pk).slice(ROLLUP.length, ROLLUP.length + 7);
  const last = Number(raw[rollupRefAttr.lastDay] ?? 1);
  const { team, engineerId } = rollupKeyParts(String(raw.sk));
  const out: AggregateItem = {
    engineerId,
    engineerName: String(raw[rollupRefAttr.engineerName] ?? ''),
    team,
    region: String(raw[rollupRefAttr.region] ?? ''),
    day: `${month}-${String(last).padStart(2, '0')}`,
  };
  for (const c of counters) {
    const v = raw[rollupAttr[c]];
    if (typeof v === 'number') out[c] = v;
  }
  return out;
}

/**
 * The month's roll-ups: of the given teams only (in each of the month's partitions, one Query of each
 * team's sort-key prefix), or of every team (one Query of each partition) when `teams` is undefined.
 */
export async function queryRollups(month: string, teams?: readonly string[]): Promise<AggregateItem[]> {
  const pks = aggPartitions('rollup', month);
  if (teams === undefined) {
    const perPk = await Promise.all(
      pks.map((pk) =>
        queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
      ),
    );
    return perPk.flat().map(fromRollup);
  }
  const perTeam = await Promise.all(
    [...new Set(teams)].flatMap((team) =>
      pks.map(async (pk) => {
        const items = await queryAll({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :team)',
          ExpressionAttributeValues: { ':pk': pk, ':team': `${team}#` },
        });
        // a team named "A#B" shares the prefix of team "A": keep the team asked for
        return items.map(fromRollup).filter((it) => it.team === team);
      }),
    ),
  );
  return perTeam.flat();
}

/** Number of days in a month `yyyy-mm`. */
function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * The aggregates a report over the given local days sums: the roll-ups of every whole month among
 * the days (only those of `teams` when given), the daily items of the rest (every team: callers
 * keep what the principal may see). Sums per engineer, team or region are the same either way.
 */
export async function queryForReport(days: string[], teams?: readonly string[]): Promise<AggregateItem[]> {
  const byMonth = daysByMonth(days);
  const whole = [...byMonth].filter(([m, ds]) => new Set(ds).size === daysInMonth(m)).map(([m]) => m);
  const partial = [...byMonth].filter(([m]) => !whole.includes(m)).flatMap(([, ds]) => ds);
  const parts = await Promise.all([
    ...whole.map((m) => queryRollups(m, teams)),
    partial.length ? queryAggregates(partial) : Promise.resolve([]),
  ]);
  return parts.flat();
}

/** The local days `yyyy-mm-dd` grouped by month `yyyy-mm`. */
function daysByMonth(days: readonly string[]): Map<string, string[]> {
  const byMonth = new Map<string, string[]>();
  for (const d of days) {
    const m = d.slice(0, 7);
    byMonth.set(m, [...(byMonth.get(m) ?? []), d]);
  }
  return byMonth;
}

/**
 * Every aggregate item for the given local days (one ranged Query per month and partition). An
 * engineer may have two items for a day (one written before the shards, one after): sum them.
 */
export async function queryAggregates(days: string[]): Promise<AggregateItem[]> {
  const perMonth = await Promise.all(
    [...daysByMonth(days)].flatMap(([month, ds]) => {
      const sorted = [...ds].sort();
      const first = (sorted[0] as string).slice(8, 10);
      const last = (sorted[sorted.length - 1] as string).slice(8, 10);
      return aggPartitions('daily', month).map((pk) =>
        queryAll<AggregateItem>({
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': `${first}#`, ':to': `${last}#\uffff` },
        }),
      );
    }),
  );
  return perMonth.flat();
}

/** One engineer's daily items from `first` to `last` (local days, inclusive), in day order. */
export async function queryEngineerDays(
  engineerId: string,
  first: string,
  last: string,
): Promise<AggregateItem[]> {
  return queryAll<AggregateItem>({
    IndexName: ENGINEER_DAYS_INDEX,
    KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': aggEngineerIndexKey(first, engineerId).gsi3pk,
      ':from': first,
      ':to': last,
    },
  });
}

/** The engineer's most recent daily item of all time (their current team and region), if any. */
export async function latestEngineerDay(engineerId: string): Promise<AggregateItem | undefined> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: ENGINEER_DAYS_INDEX,
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': aggEngineerIndexKey('', engineerId).gsi3pk },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  return res.Items?.[0] as AggregateItem | undefined;
}
