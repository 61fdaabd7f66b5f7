import type { Timeliness } from '#shared/domain/timeliness';
import type { CallbackOutcome, CaseKind, Rating, SuppressionReason } from '#shared/domain/types';

/**
 * The per-engineer counters and every delta that moves them: the use cases ADD these deltas as
 * things happen (in the transaction of the change they count), and the recompute
 * (domain/verify/recompute.ts) derives the same counters from where each raw record ended up, through the
 * same maps, so the two cannot drift apart on what a reason, a rating or an outcome counts as.
 */
export const counters = [
  'completed',
  'reopened',
  'suppressed',
  'suppressedOptedOut',
  'suppressedRecentlySurveyed',
  'suppressedStaffPhone',
  'suppressedKindNotSurveyed',
  'cancelled',
  'surveyed',
  'reminded',
  'responses',
  'satisfied',
  'basicallySatisfied',
  'dissatisfied',
  'unrated',
  'expired',
  'optedOut',
  'contactOnTime',
  'contactApplicable',
  'repairOnTime',
  'repairApplicable',
  'punctual',
  'punctualApplicable',
  'reason1',
  'reason2',
  'reason3',
  'reason4',
  'reason5',
  'reason6',
  'callbacksOpened',
  'callbacksOverdue',
  'callbacksClosed',
  'callbacksResolvedSatisfied',
  'callbacksResolvedUnsatisfied',
  'callbacksUnreachable',
  'complaints',
  'complaintsClosed',
  'complaintsOverdue',
] as const;
export type Counter = (typeof counters)[number];
export type Counts = Record<Counter, number>;
export type Delta = Partial<Counts>;

export function zeroCounts(): Counts {
  return Object.fromEntries(counters.map((c) => [c, 0])) as Counts;
}

export const TIMELINESS_COUNTERS: readonly Counter[] = [
  'contactApplicable',
  'contactOnTime',
  'repairApplicable',
  'repairOnTime',
  'punctualApplicable',
  'punctual',
];

export const suppressionCounter = {
  opted_out: 'suppressedOptedOut',
  recently_surveyed: 'suppressedRecentlySurveyed',
  staff_phone: 'suppressedStaffPhone',
  kind_not_surveyed: 'suppressedKindNotSurveyed',
} as const satisfies Record<SuppressionReason, Counter>;

export const ratingCounter = {
  1: 'satisfied',
  2: 'basicallySatisfied',
  3: 'dissatisfied',
} as const satisfies Record<Rating, Counter>;

export const outcomeCounter = {
  resolved_satisfied: 'callbacksResolvedSatisfied',
  resolved_unsatisfied: 'callbacksResolvedUnsatisfied',
  unreachable: 'callbacksUnreachable',
} as const satisfies Record<CallbackOutcome, Counter>;

export const reasonCounter = {
  1: 'reason1',
  2: 'reason2',
  3: 'reason3',
  4: 'reason4',
  5: 'reason5',
  6: 'reason6',
} as const satisfies Record<number, Counter>;

/** The counter of a suppression reason, a rating, an outcome or a reason code, if it has one. */
export const counterOf = <K extends PropertyKey>(
  map: Record<K, Counter>,
  key: unknown,
): Counter | undefined => (Object.hasOwn(map, key as PropertyKey) ? map[key as K] : undefined);

/**
 * One completion: the count and its timeliness figures (a figure that does not apply, null, is
 * neither applicable nor on time).
 */
export function completionDelta(tl: Timeliness): Delta {
  const tri = (v: boolean | null | undefined) => ({
    applicable: v === null || v === undefined ? 0 : 1,
    yes: v === true ? 1 : 0,
  });
  const c = tri(tl.contactOnTime);
  const r = tri(tl.repairOnTime);
  const p = tri(tl.punctual);
  return {
    completed: 1,
    contactApplicable: c.applicable,
    contactOnTime: c.yes,
    repairApplicable: r.applicable,
    repairOnTime: r.yes,
    punctualApplicable: p.applicable,
    punctual: p.yes,
  };
}

/** One suppressed survey: the total and its reason. */
export function suppressedDelta(reason: SuppressionReason): Delta {
  return { suppressed: 1, [suppressionCounter[reason]]: 1 };
}

/** The reasons given for a 基本满意 or 不满意, each distinct code 1-6 once; others are not counted. */
export function reasonsDelta(reasons: readonly number[]): Delta {
  const out: Delta = {};
  for (const r of new Set(reasons)) {
    const c = counterOf(reasonCounter, r);
    if (c) out[c] = 1;
  }
  return out;
}

/** One rating: a response of that rating, the callback it opens if any, and reasons given with it. */
export function ratingDelta(
  rating: Rating,
  opts: { opensCallback: boolean; reasons?: readonly number[] },
): Delta {
  return {
    responses: 1,
    [ratingCounter[rating]]: 1,
    ...(opts.opensCallback ? { callbacksOpened: 1 } : {}),
    ...reasonsDelta(opts.reasons ?? []),
  };
}

/** The survey SMS went out (the response-rate denominator). */
export const sentDelta = (): Delta => ({ surveyed: 1 });
/** The one reminder went out. */
export const remindedDelta = (): Delta => ({ reminded: 1 });
/** A sent survey closed unanswered. */
export const expiredDelta = (): Delta => ({ expired: 1 });
/** The customer opted out while a survey was open. */
export const optedOutDelta = (): Delta => ({ optedOut: 1 });
/** The customer answered with text and never a rating. */
export const unratedDelta = (): Delta => ({ unrated: 1 });

/**
 * A survey's completion reopened upstream: counted as reopened; a survey not answered yet is
 * cancelled, and one already sent leaves the response-rate denominator again.
 */
export function reopenedDelta(survey: 'unsent' | 'sent' | 'kept'): Delta {
  if (survey === 'unsent') return { reopened: 1, cancelled: 1 };
  if (survey === 'sent') return { reopened: 1, cancelled: 1, surveyed: -1 };
  return { reopened: 1 };
}

/** An unsent survey cancelled because its customer was erased. */
export const erasedUnsentDelta = (): Delta => ({ cancelled: 1 });

/**
 * A callback case went overdue, counted once per case however many rounds it goes overdue in;
 * a complaint is also a complaint overdue.
 */
export const callbackOverdueDelta = (kind: CaseKind = 'dissatisfied'): Delta => ({
  callbacksOverdue: 1,
  ...(kind === 'complaint' ? { complaintsOverdue: 1 } : {}),
});

/** A callback case closed for good with its outcome; a complaint is also a complaint closed. */
export function callbackClosedDelta(outcome: CallbackOutcome, kind: CaseKind = 'dissatisfied'): Delta {
  return {
    callbacksClosed: 1,
    [outcomeCounter[outcome]]: 1,
    ...(kind === 'complaint' ? { complaintsClosed: 1 } : {}),
  };
}
