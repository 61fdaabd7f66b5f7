import { type CountedKindGroup, kindGroupOf } from '#shared/domain/kind-groups';
import { isRepairKind } from '#shared/domain/repeat-repair';
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
  'undelivered',
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
  'repairsCompleted',
  'repeatRepairs',
  'g_store_service_responses',
  'g_store_service_satisfied',
  'g_store_service_basicallySatisfied',
  'g_handset_sale_responses',
  'g_handset_sale_satisfied',
  'g_handset_sale_basicallySatisfied',
  'g_new_business_responses',
  'g_new_business_satisfied',
  'g_new_business_basicallySatisfied',
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

/**
 * The responses of a kind group other than `field` (kind-groups.ts), by rating: 1 and 2 counted,
 * 3 the rest, so that `satisfaction.satisfiedRatings` applies to a group as to the totals. The
 * `field` group is the totals minus these (three counters per group instead of four).
 */
export const groupCounters = {
  store_service: {
    responses: 'g_store_service_responses',
    1: 'g_store_service_satisfied',
    2: 'g_store_service_basicallySatisfied',
  },
  handset_sale: {
    responses: 'g_handset_sale_responses',
    1: 'g_handset_sale_satisfied',
    2: 'g_handset_sale_basicallySatisfied',
  },
  new_business: {
    responses: 'g_new_business_responses',
    1: 'g_new_business_satisfied',
    2: 'g_new_business_basicallySatisfied',
  },
} as const satisfies Record<CountedKindGroup, { responses: Counter; 1: Counter; 2: Counter }>;

/** A rating's share in its kind group's counters (none for the `field` group, or no kind). */
export function groupRatingDelta(kind: string | undefined, rating: Rating): Delta {
  const group = kindGroupOf(kind);
  if (group === 'field') return {};
  const g = groupCounters[group];
  return { [g.responses]: 1, ...(rating === 3 ? {} : { [g[rating]]: 1 }) };
}

/** The counter of a suppression reason, a rating, an outcome or a reason code, if it has one. */
export const counterOf = <K extends PropertyKey>(
  map: Record<K, Counter>,
  key: unknown,
): Counter | undefined => (Object.hasOwn(map, key as PropertyKey) ? map[key as K] : undefined);

/**
 * One completion: the count and its timeliness figures (a figure that does not apply, null, is
 * neither applicable nor on time).
 */
export function completionDelta(tl: Timeliness, kind?: string): Delta {
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
    ...(isRepairKind(kind) ? { repairsCompleted: 1 } : {}),
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

/**
 * One rating: a response of that rating, its share in its kind group (given the survey's `kind`),
 * the callback it opens if any, and reasons given with it.
 */
export function ratingDelta(
  rating: Rating,
  opts: { opensCallback: boolean; reasons?: readonly number[]; kind?: string; complaint?: boolean },
): Delta {
  return {
    responses: 1,
    [ratingCounter[rating]]: 1,
    ...groupRatingDelta(opts.kind, rating),
    ...(opts.opensCallback || opts.complaint ? { callbacksOpened: 1 } : {}),
    ...(opts.complaint ? complaintOpenedDelta() : {}),
    ...reasonsDelta(opts.reasons ?? []),
  };
}

/**
 * A complaint case opened (docs/domain.md section 6): a case like any callback case
 * (`callbacksOpened`), and a complaint. Counted for the engineer it is attributed to; a complaint
 * attributed to no engineer is counted nowhere (it is listed for admins, team `_unattributed`).
 */
export const complaintOpenedDelta = (): Delta => ({ callbacksOpened: 1, complaints: 1 });

/**
 * Whether a case ever went overdue (counted once, whatever the round): its status, the time it
 * first did, or an overdue entry in its history. The live counting and the recompute
 * (domain/verify/recompute.ts) both read it here.
 */
export function caseWentOverdue(c: {
  status: string;
  overdueAt?: string | undefined;
  history?: readonly { action: string }[] | undefined;
}): boolean {
  return (
    c.status === 'overdue' || Boolean(c.overdueAt) || (c.history ?? []).some((h) => h.action === 'overdue')
  );
}

/**
 * A dissatisfied case that became a complaint (the customer complained while it was open): a
 * complaint, and a complaint overdue too when the case had already gone overdue (its overdue was
 * counted then as a callback's only; a complaint case going overdue later is counted by
 * `callbackOverdueDelta`).
 */
export const complaintUpgradeDelta = (c: Parameters<typeof caseWentOverdue>[0]): Delta => ({
  complaints: 1,
  ...(caseWentOverdue(c) ? { complaintsOverdue: 1 } : {}),
});

/** Two deltas of one engineer and day as one (a transaction may touch an aggregate item once). */
export function sumDeltas(...deltas: Delta[]): Delta {
  const out: Delta = {};
  for (const d of deltas) {
    for (const [c, v] of Object.entries(d) as [Counter, number][]) out[c] = (out[c] ?? 0) + v;
  }
  return out;
}

/** The survey SMS went out (the response-rate denominator). */
export const sentDelta = (): Delta => ({ surveyed: 1 });
/** The one reminder went out. */
export const remindedDelta = (): Delta => ({ reminded: 1 });
/** A sent survey closed unanswered. */
export const expiredDelta = (): Delta => ({ expired: 1 });
/** The customer opted out while a survey was open. */
export const optedOutDelta = (): Delta => ({ optedOut: 1 });
/**
 * The provider reported the survey's SMS undelivered: the survey closes as `undelivered`, a funnel
 * figure of its own, and leaves the response-rate denominator (it was counted surveyed when sent).
 */
export const undeliveredDelta = (): Delta => ({ undelivered: 1, surveyed: -1 });
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

/** A repair repeated (another repair of the phone within the window, or a reopen): on the earlier one. */
export const repeatRepairDelta = (): Delta => ({ repeatRepairs: 1 });

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
