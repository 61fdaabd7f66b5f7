import {
  type Counter,
  type Counts,
  completionDelta,
  counterOf,
  counters,
  outcomeCounter,
  ratingCounter,
  reasonsDelta,
  suppressionCounter,
  TIMELINESS_COUNTERS,
  zeroCounts,
} from '#shared/domain/counters';
import type { Timeliness } from '#shared/domain/timeliness';

/**
 * Recomputing the per-engineer daily aggregates and monthly roll-ups (shared/store/aggregate.ts)
 * from the raw records, and comparing them with the stored ones. Pure: the caller reads the table
 * (infra/ops/verify.ts) and feeds the items in; nothing here talks to DynamoDB.
 *
 * Every counter is derived from the final state of one raw record, independently of the code
 * that counted it (the use cases ADD deltas as things happen; here we look at where each record
 * ended up). Each survey is one completion and counts on its own `day` and engineer; each
 * callback case counts on its survey's `day` and engineer. The roll-up of a month, team and
 * engineer is the same deltas summed over the records of that engineer in that month under that
 * team (both records carry the team the survey was counted under):
 *
 * survey:
 * - completed +1; contact/repair/punctual Applicable when `timeliness.*` is not null, OnTime/punctual when true
 * - status suppressed: suppressed +1 and suppressed{OptedOut|RecentlySurveyed|StaffPhone|KindNotSurveyed} by `reason`
 * - `reopenedAt`: reopened +1; status cancelled: cancelled +1
 * - `sentAt` and not cancelled: surveyed +1 (a sent survey cancelled by a reopen leaves the denominator)
 * - `reminderSentAt` other than 'skipped': reminded +1
 * - `rating`: responses +1 and satisfied / basicallySatisfied / dissatisfied
 * - status answered without a rating: unrated +1; expired: expired +1; opted_out: optedOut +1
 * - `reasons`: reasonN +1 for each distinct N in 1-6
 * callback case:
 * - callbacksOpened +1; went overdue (status overdue, `overdueAt`, or an 'overdue' history entry): callbacksOverdue +1
 * - status closed: callbacksClosed +1 and callbacksResolvedSatisfied / ResolvedUnsatisfied / Unreachable by `outcome`
 */

/** The survey fields the recompute reads (of a stored survey, shared/store/survey.ts). */
export interface SurveyRecord {
  day: string;
  engineerId: string;
  status: string;
  surveyId?: string;
  team?: string;
  reason?: string;
  timeliness?: Timeliness;
  reopenedAt?: string;
  sentAt?: string;
  reminderSentAt?: string;
  rating?: number;
  reasons?: number[];
}

/** The callback case fields the recompute reads (of a stored case, shared/store/callback.ts). */
export interface CallbackRecord {
  day: string;
  engineerId: string;
  status: string;
  caseId?: string;
  team?: string;
  outcome?: string;
  history?: readonly { action: string; at?: string; by?: string }[];
  overdueAt?: string;
}

/** A stored aggregate item (as read from the table): its key fields and whatever counters it has. */
export type StoredAggregate = { day: string; engineerId: string } & Partial<Record<Counter, unknown>>;

export interface ExpectedAggregate {
  day: string;
  engineerId: string;
  counts: Counts;
}

/** A stored monthly roll-up, its counters by their names (`fromRollup`). */
export type StoredRollup = { month: string; team: string; engineerId: string } & Partial<
  Record<Counter, unknown>
>;

export interface ExpectedRollup {
  month: string;
  team: string;
  engineerId: string;
  counts: Counts;
}

/** A raw record whose state does not tell how some counters were counted. */
export interface Problem {
  day: string;
  engineerId: string;
  /** surveyId or caseId. */
  id: string;
  message: string;
  /** The counters of this day and engineer that cannot be checked because of it. */
  counters: Counter[];
}

export interface Expected {
  /** By `${day}#${engineerId}`. */
  aggregates: Map<string, ExpectedAggregate>;
  /** By `${day}#${engineerId}`: counters that cannot be recomputed there (see problems). */
  unverifiable: Map<string, Set<Counter>>;
  /** By rollupId(month, team, engineerId). */
  rollups: Map<string, ExpectedRollup>;
  /** By rollupId: counters that cannot be recomputed there (see problems). */
  unverifiableRollups: Map<string, Set<Counter>>;
  problems: Problem[];
  surveys: number;
  callbacks: number;
}

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

export const aggregateId = (day: string, engineerId: string) => `${day}#${engineerId}`;
export const rollupId = (month: string, team: string, engineerId: string) =>
  JSON.stringify([month, team, engineerId]);

export { zeroCounts };

/** What one survey contributes to its day's aggregate, and the counters it leaves undetermined. */
export function surveyDelta(s: SurveyRecord): {
  delta: Partial<Counts>;
  problems: Omit<Problem, 'day' | 'engineerId' | 'id'>[];
} {
  const d: Partial<Counts> = { completed: 1 };
  const problems: Omit<Problem, 'day' | 'engineerId' | 'id'>[] = [];
  const inc = (c: Counter) => {
    d[c] = (d[c] ?? 0) + 1;
  };

  const add = (delta: Partial<Counts>) => {
    for (const [c, v] of Object.entries(delta) as [Counter, number][]) if (v) d[c] = (d[c] ?? 0) + v;
  };

  if (s.timeliness) {
    const { completed: _once, ...timeliness } = completionDelta(s.timeliness);
    add(timeliness);
  } else {
    problems.push({
      message: 'survey has no `timeliness` (written before completions kept it): timeliness not checkable',
      counters: [...TIMELINESS_COUNTERS],
    });
  }

  switch (s.status) {
    case 'suppressed': {
      inc('suppressed');
      const c = counterOf(suppressionCounter, s.reason);
      if (c) inc(c);
      else {
        problems.push({
          message: `suppressed survey with unknown reason ${JSON.stringify(s.reason ?? null)}`,
          counters: Object.values(suppressionCounter),
        });
      }
      break;
    }
    case 'cancelled':
      inc('cancelled');
      break;
    case 'expired':
      inc('expired');
      break;
    case 'opted_out':
      inc('optedOut');
      break;
    case 'answered':
      if (s.rating === undefined) inc('unrated');
      break;
    default:
      break;
  }
  if (s.reopenedAt) inc('reopened');
  if (s.sentAt && s.status !== 'cancelled') inc('surveyed');
  if (s.reminderSentAt && s.reminderSentAt !== 'skipped') inc('reminded');
  if (s.rating !== undefined) {
    inc('responses');
    const c = counterOf(ratingCounter, s.rating);
    if (c) inc(c);
    else {
      problems.push({
        message: `survey with rating ${JSON.stringify(s.rating)} outside 1-3`,
        counters: Object.values(ratingCounter),
      });
    }
  }
  // Counted as a set (the use cases ADD reasonN once per distinct N); digits outside 1-6 are never counted.
  add(reasonsDelta(s.reasons ?? []));
  return { delta: d, problems };
}

/** What one callback case contributes to its survey's day's aggregate. */
export function callbackDelta(c: CallbackRecord): {
  delta: Partial<Counts>;
  problems: Omit<Problem, 'day' | 'engineerId' | 'id'>[];
} {
  const d: Partial<Counts> = { callbacksOpened: 1 };
  const problems: Omit<Problem, 'day' | 'engineerId' | 'id'>[] = [];
  const wentOverdue =
    c.status === 'overdue' || Boolean(c.overdueAt) || (c.history ?? []).some((h) => h.action === 'overdue');
  if (wentOverdue) d.callbacksOverdue = 1;
  if (c.status === 'closed') {
    d.callbacksClosed = 1;
    const oc = counterOf(outcomeCounter, c.outcome);
    if (oc) d[oc] = 1;
    else {
      problems.push({
        message: `closed callback case with unknown outcome ${JSON.stringify(c.outcome ?? null)}`,
        counters: Object.values(outcomeCounter),
      });
    }
  }
  return { delta: d, problems };
}

export function emptyExpected(): Expected {
  return {
    aggregates: new Map(),
    unverifiable: new Map(),
    rollups: new Map(),
    unverifiableRollups: new Map(),
    problems: [],
    surveys: 0,
    callbacks: 0,
  };
}

function addDelta(
  into: Expected,
  r: { day: string; engineerId: string; team?: string | undefined },
  id: string,
  { delta, problems }: ReturnType<typeof surveyDelta>,
): void {
  const { day, engineerId } = r;
  const key = aggregateId(day, engineerId);
  let agg = into.aggregates.get(key);
  if (!agg) {
    agg = { day, engineerId, counts: zeroCounts() };
    into.aggregates.set(key, agg);
  }
  const month = day.slice(0, 7);
  const team = r.team ?? '';
  const rkey = rollupId(month, team, engineerId);
  let rollup = into.rollups.get(rkey);
  if (!rollup) {
    rollup = { month, team, engineerId, counts: zeroCounts() };
    into.rollups.set(rkey, rollup);
  }
  for (const [c, v] of Object.entries(delta) as [Counter, number][]) {
    agg.counts[c] += v;
    rollup.counts[c] += v;
  }
  for (const p of problems) {
    into.problems.push({ day, engineerId, id, ...p });
    for (const [map, k] of [
      [into.unverifiable, key],
      [into.unverifiableRollups, rkey],
    ] as const) {
      const set = map.get(k) ?? new Set<Counter>();
      for (const c of p.counters) set.add(c);
      map.set(k, set);
    }
  }
}

/** Adds one survey to the recompute (lets a caller stream a large table through it). */
export function countSurvey(into: Expected, s: SurveyRecord): void {
  into.surveys++;
  addDelta(into, s, s.surveyId ?? '?', surveyDelta(s));
}

/** Adds one callback case to the recompute. */
export function countCallback(into: Expected, c: CallbackRecord): void {
  into.callbacks++;
  addDelta(into, c, c.caseId ?? '?', callbackDelta(c));
}

/** The expected counters per {day, engineerId}, from every survey and callback case. */
export function recomputeAggregates(surveys: SurveyRecord[], callbacks: CallbackRecord[]): Expected {
  const out = emptyExpected();
  for (const s of surveys) countSurvey(out, s);
  for (const c of callbacks) countCallback(out, c);
  return out;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
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
  const storedById = new Map<string, StoredAggregate>();
  for (const a of stored) storedById.set(aggregateId(a.day, a.engineerId), a);
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
  const storedById = new Map<string, StoredRollup>();
  for (const r of stored) storedById.set(rollupId(r.month, r.team, r.engineerId), r);
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

/** Rows as a plain-text table: the last `numeric` columns right-aligned. */
function textTable(rows: string[][], numeric: number): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const firstNumeric = widths.length - numeric;
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i >= firstNumeric ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join(
    '\n',
  );
}

const signed = (d: { stored: number; expected: number }) =>
  (d.stored - d.expected > 0 ? '+' : '') + String(d.stored - d.expected);

/** The differences as a plain-text table (for the console). */
export function formatDifferences(diffs: Difference[]): string {
  return textTable(
    [
      ['day', 'engineerId', 'counter', 'stored', 'expected', 'stored-expected'],
      ...diffs.map((d) => [d.day, d.engineerId, d.counter, String(d.stored), String(d.expected), signed(d)]),
    ],
    3,
  );
}

/** The roll-up differences as a plain-text table (for the console). */
export function formatRollupDifferences(diffs: RollupDifference[]): string {
  return textTable(
    [
      ['month', 'team', 'engineerId', 'counter', 'stored', 'expected', 'stored-expected'],
      ...diffs.map((d) => [
        d.month,
        d.team,
        d.engineerId,
        d.counter,
        String(d.stored),
        String(d.expected),
        signed(d),
      ]),
    ],
    3,
  );
}

/**
 * Work the system accepted and has not done in time: a completion never planned, or anything in
 * the due index (gsi1, `{time}#{id}`) whose time passed more than the allowed age ago. The
 * scheduler takes what is due every minute, so either means an item nobody reads (a stranded
 * one), or a scheduler that is not running.
 */
export interface Stranded {
  pk: string;
  sk: string;
  type: string;
  /** When it was accepted (never planned) or fell due (a queued survey: its original due time). */
  since: string;
  message:
    | 'accepted, never planned'
    | 'due, not handled'
    | "waiting, not in its phone's queue"
    | 'waiting behind no open survey';
}

/** Default age past which accepted or due work counts as stranded (`--stale-after`, minutes). */
export const STALE_AFTER_MINUTES = 15;

/** Whether one raw item is stranded at `at` (see Stranded); pure. */
export function strandedItem(
  item: Record<string, unknown>,
  at: Date,
  staleAfterMs = STALE_AFTER_MINUTES * 60_000,
): Stranded | undefined {
  const edge = at.getTime() - staleAfterMs;
  const base = { pk: String(item.pk), sk: String(item.sk), type: String(item.type ?? '') };
  if (item.type === 'ticket' && !item.plannedAt && typeof item.receivedAt === 'string') {
    if (Date.parse(item.receivedAt) <= edge)
      return { ...base, since: item.receivedAt, message: 'accepted, never planned' };
    return undefined;
  }
  if (typeof item.gsi1pk === 'string' && item.gsi1pk.startsWith('DUE#') && typeof item.gsi1sk === 'string') {
    const due = item.gsi1sk.split('#', 1)[0] as string;
    if (Date.parse(due) <= edge) return { ...base, since: due, message: 'due, not handled' };
  }
  return undefined;
}

/** The stranded items as a plain-text table (for the console). */
export function formatStranded(items: Stranded[]): string {
  return textTable(
    [['since', 'type', 'pk', 'what'], ...items.map((s) => [s.since, s.type, s.pk, s.message])],
    0,
  );
}

/** A survey's part in its phone's turn order (the fields the queue check reads). */
export interface QueuedSurvey {
  pk: string;
  sk: string;
  surveyId: string;
  phone: string;
  status: string;
  dueAt?: string;
}

/** A phone state's turn order. */
export interface PhoneQueue {
  phone: string;
  openSurveyId?: string;
  waiting: string[];
}

/**
 * Queued surveys nobody will ever send (a customer never surveyed): `waiting` but not in its
 * phone's queue, or queued on a phone where no survey holds the turn (none open, none released
 * from the queue and about to be sent). Such a survey is in no due index: only this finds it.
 */
export function strandedInQueues(surveys: QueuedSurvey[], phones: PhoneQueue[]): Stranded[] {
  const byPhone = new Map(phones.map((p) => [p.phone, p]));
  const open = new Set(
    surveys.filter((s) => s.status === 'sent' || s.status === 'awaiting_reasons').map((s) => s.surveyId),
  );
  const released = new Set(surveys.filter((s) => s.status === 'scheduled').map((s) => s.phone));
  const out: Stranded[] = [];
  for (const s of surveys) {
    if (s.status !== 'waiting') continue;
    const phone = byPhone.get(s.phone);
    const base = { pk: s.pk, sk: s.sk, type: 'survey', since: s.dueAt ?? '' };
    if (!phone?.waiting.includes(s.surveyId)) {
      out.push({ ...base, message: "waiting, not in its phone's queue" });
    } else if (!(phone.openSurveyId && open.has(phone.openSurveyId)) && !released.has(s.phone)) {
      out.push({ ...base, message: 'waiting behind no open survey' });
    }
  }
  return out;
}
