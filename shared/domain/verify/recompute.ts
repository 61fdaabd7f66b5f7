import {
  type Counter,
  type Counts,
  caseWentOverdue,
  completionDelta,
  counterOf,
  groupRatingDelta,
  outcomeCounter,
  ratingCounter,
  reasonsDelta,
  suppressionCounter,
  TIMELINESS_COUNTERS,
  zeroCounts,
} from '#shared/domain/counters';
import { isRepairKind } from '#shared/domain/repeat-repair';
import type { Timeliness } from '#shared/domain/timeliness';
import type { Rating } from '#shared/domain/types';

/**
 * Recomputing the per-engineer daily aggregates and monthly roll-ups (shared/store/aggregate.ts)
 * from the raw records (the comparison with the stored ones is in compare.ts). Pure: the caller reads
 * the table (infra/ops/verify.ts) and feeds the items in; nothing here talks to DynamoDB.
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
 * - `sentAt` and not cancelled or undelivered: surveyed +1 (a sent survey cancelled by a reopen, or
 *   whose SMS the provider reported undelivered, leaves the denominator)
 * - `reminderSentAt` other than 'skipped': reminded +1
 * - `rating`: responses +1 and satisfied / basicallySatisfied / dissatisfied
 * - status answered without a rating: unrated +1; expired: expired +1; opted_out: optedOut +1;
 *   undelivered: undelivered +1
 * - `reasons`: reasonN +1 for each distinct N in 1-6
 * - `kind` repair: repairsCompleted +1; `repeat` set (repeated by a later repair or a reopen): repeatRepairs +1
 * - `rating` of a kind outside the field group (domain/kind-groups.ts): g_<group>_responses +1, and
 *   g_<group>_satisfied / g_<group>_basicallySatisfied for a 1 / 2
 * callback case (any kind: a 不满意 rating's or a complaint; one attributed to no engineer,
 * engineerId '', counts nowhere):
 * - callbacksOpened +1; went overdue (status overdue,
 *   `overdueAt`, or an 'overdue' history entry), however many rounds it was late in: callbacksOverdue +1
 * - status closed: callbacksClosed +1 and callbacksResolvedSatisfied / ResolvedUnsatisfied / Unreachable by `outcome`
 *   (a case returned to handling, escalated or waiting for review is not closed: nothing yet)
 * - `caseKind` complaint, besides: complaints +1; went overdue: complaintsOverdue +1; status closed: complaintsClosed +1
 * - a case attributed to no engineer (empty `engineerId`) counts on no aggregate
 */

/** The survey fields the recompute reads (of a stored survey, shared/store/survey.ts). */
export interface SurveyRecord {
  day: string;
  engineerId: string;
  status: string;
  surveyId?: string;
  team?: string;
  kind?: string;
  repeat?: unknown;
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
  caseKind?: string;
  history?: readonly { action: string; at?: string; by?: string }[];
  overdueAt?: string;
}

export interface ExpectedAggregate {
  day: string;
  engineerId: string;
  counts: Counts;
}

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

export const aggregateId = (day: string, engineerId: string) => `${day}#${engineerId}`;
export const rollupId = (month: string, team: string, engineerId: string) =>
  JSON.stringify([month, team, engineerId]);

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
    case 'undelivered':
      inc('undelivered');
      break;
    case 'answered':
      if (s.rating === undefined) inc('unrated');
      break;
    default:
      break;
  }
  if (s.reopenedAt) inc('reopened');
  if (s.sentAt && s.status !== 'cancelled' && s.status !== 'undelivered') inc('surveyed');
  if (s.reminderSentAt && s.reminderSentAt !== 'skipped') inc('reminded');
  if (isRepairKind(s.kind)) inc('repairsCompleted');
  if (s.repeat) inc('repeatRepairs');
  if (s.rating !== undefined) {
    inc('responses');
    const c = counterOf(ratingCounter, s.rating);
    if (c) {
      inc(c);
      add(groupRatingDelta(s.kind, s.rating as Rating));
    } else {
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
  const wentOverdue = caseWentOverdue(c);
  const complaint = c.caseKind === 'complaint';
  if (complaint) d.complaints = 1; // counted when intake opens the case
  if (wentOverdue) d.callbacksOverdue = 1;
  if (wentOverdue && complaint) d.complaintsOverdue = 1;
  if (c.status === 'closed') {
    d.callbacksClosed = 1;
    if (complaint) d.complaintsClosed = 1;
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
  if (!c.engineerId) return; // attributed to no engineer: on no aggregate
  addDelta(into, c, c.caseId ?? '?', callbackDelta(c));
}

/** The expected counters per {day, engineerId}, from every survey and callback case. */
export function recomputeAggregates(surveys: SurveyRecord[], callbacks: CallbackRecord[]): Expected {
  const out = emptyExpected();
  for (const s of surveys) countSurvey(out, s);
  for (const c of callbacks) countCallback(out, c);
  return out;
}
