import { complaintRate } from '#shared/domain/case-loop';
import { type Counts, counters, groupCounters, zeroCounts } from '#shared/domain/counters';
import type { KindGroup } from '#shared/domain/kind-groups';
import type { Rules } from '#shared/domain/rules';
import { type Figures, figures, type GroupSatisfaction, groupSatisfaction, rank } from '#shared/domain/score';
import type { Period } from '#shared/domain/time';
import type { AggregateItem } from '#shared/store/aggregate';

/**
 * The published figures of the reports (docs/domain.md sections 4 and 5): counts summed per engineer,
 * team or region, described as rates, score, funnel, reasons and callbacks, and ranked.
 */
/** The six points of the service supervision card (docs/domain.md section 4), by reply digit. */
export const reasonKeys = ['late', 'attitude', 'uniform', 'mess', 'unsolved', 'other'] as const;
export type ReasonKey = (typeof reasonKeys)[number];

export interface EngineerFigures extends Figures {
  engineerId: string;
  name: string;
  team: string;
  region: string;
  rank: number;
  completed: number;
  surveyed: number;
  responses: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  funnel: {
    completed: number;
    surveyed: number;
    suppressed: {
      total: number;
      opted_out: number;
      recently_surveyed: number;
      staff_phone: number;
      kind_not_surveyed: number;
    };
    cancelled: number;
    reminded: number;
    responses: number;
    unrated: number;
    expired: number;
    optedOut: number;
    /** Closed because the provider reported the survey SMS undelivered (not in `surveyed`). */
    undelivered: number;
    reopened: number;
  };
  reasons: Record<ReasonKey, number>;
  callbacks: CallbackFigures;
  /** Repairs completed, and those repeated (返修, counted on the repeated repair's day and engineer). */
  repairsCompleted: number;
  repeatRepairs: number;
  /** Satisfaction by kind group (004 5.2): store visits, handset sales, new business, field service. */
  kindGroups: Record<KindGroup, GroupSatisfaction>;
  /** Complaint cases (投诉) opened, closed for good and gone overdue, counted like callbacks. */
  complaints: number;
  complaintsClosed: number;
  complaintsOverdue: number;
  /** Complaints per 100 completions (domain/case-loop.ts `complaintRate`); null without completions. */
  complaintRate: number | null;
}

/** Callback cases (回访, docs/domain.md section 6) counted on the day of the rating that opened them. */
export interface CallbackFigures {
  opened: number;
  overdue: number;
  closed: number;
  outcomes: { resolved_satisfied: number; resolved_unsatisfied: number; unreachable: number };
}

/** Every published figure of one set of totals, without whose totals they are. */
export type TotalsFigures = Omit<EngineerFigures, 'engineerId' | 'name' | 'team' | 'region' | 'rank'>;

export interface EngineerTotals extends Counts {
  engineerId: string;
  name: string;
  team: string;
  region: string;
}

/** The sum of every counter over the items. */
export function sumCounts(items: readonly Partial<Counts>[]): Counts {
  const t = zeroCounts();
  for (const it of items) for (const c of counters) t[c] += it[c] ?? 0;
  return t;
}

/** Sums daily aggregates per engineer; name, team and region are those of the latest day. */
export function sumByEngineer(items: AggregateItem[]): EngineerTotals[] {
  const byEngineer = new Map<string, { latestDay: string; t: EngineerTotals }>();
  for (const it of items) {
    let entry = byEngineer.get(it.engineerId);
    if (!entry) {
      entry = {
        latestDay: '',
        t: { engineerId: it.engineerId, name: '', team: '', region: '', ...zeroCounts() },
      };
      byEngineer.set(it.engineerId, entry);
    }
    if (it.day >= entry.latestDay) {
      entry.latestDay = it.day;
      entry.t.name = it.engineerName;
      entry.t.team = it.team;
      entry.t.region = it.region;
    }
    for (const c of counters) entry.t[c] += it[c] ?? 0;
  }
  return [...byEngineer.values()].map((e) => e.t);
}

/** Satisfaction by kind group, from the groups' counters (the field group is the rest). */
function kindGroupFigures(rules: Rules, t: Counts): Record<KindGroup, GroupSatisfaction> {
  const of = (g: (typeof groupCounters)[keyof typeof groupCounters]) => ({
    responses: t[g.responses],
    satisfied: t[g[1]],
    basicallySatisfied: t[g[2]],
  });
  return groupSatisfaction(
    { responses: t.responses, satisfied: t.satisfied, basicallySatisfied: t.basicallySatisfied },
    {
      store_service: of(groupCounters.store_service),
      handset_sale: of(groupCounters.handset_sale),
      new_business: of(groupCounters.new_business),
    },
    rules,
  );
}

/** The published figures for one set of totals (an engineer, or a team or region rolled up). */
export function describeTotals(rules: Rules, t: Counts): TotalsFigures {
  return {
    completed: t.completed,
    surveyed: t.surveyed,
    responses: t.responses,
    satisfied: t.satisfied,
    basicallySatisfied: t.basicallySatisfied,
    dissatisfied: t.dissatisfied,
    ...figures(t, rules),
    funnel: {
      completed: t.completed,
      surveyed: t.surveyed,
      suppressed: {
        total: t.suppressed,
        opted_out: t.suppressedOptedOut,
        recently_surveyed: t.suppressedRecentlySurveyed,
        staff_phone: t.suppressedStaffPhone,
        kind_not_surveyed: t.suppressedKindNotSurveyed,
      },
      cancelled: t.cancelled,
      reminded: t.reminded,
      responses: t.responses,
      unrated: t.unrated,
      expired: t.expired,
      optedOut: t.optedOut,
      undelivered: t.undelivered,
      reopened: t.reopened,
    },
    reasons: {
      late: t.reason1,
      attitude: t.reason2,
      uniform: t.reason3,
      mess: t.reason4,
      unsolved: t.reason5,
      other: t.reason6,
    },
    callbacks: {
      opened: t.callbacksOpened,
      overdue: t.callbacksOverdue,
      closed: t.callbacksClosed,
      outcomes: {
        resolved_satisfied: t.callbacksResolvedSatisfied,
        resolved_unsatisfied: t.callbacksResolvedUnsatisfied,
        unreachable: t.callbacksUnreachable,
      },
    },
    repairsCompleted: t.repairsCompleted,
    repeatRepairs: t.repeatRepairs,
    kindGroups: kindGroupFigures(rules, t),
    complaints: t.complaints,
    complaintsClosed: t.complaintsClosed,
    complaintsOverdue: t.complaintsOverdue,
    complaintRate: complaintRate(t.complaints, t.completed),
  };
}

/** Engineer rows of the items, ranked among themselves (score.ts `rank`). */
export function rankedEngineers(rules: Rules, items: AggregateItem[]): EngineerFigures[] {
  const rows = sumByEngineer(items).map((t) => {
    const { engineerId, name, team, region } = t;
    const d = describeTotals(rules, t);
    return { engineerId, name, team, region, figures: d, ...d };
  });
  return rank(rows).map(({ figures: _f, ...row }) => row);
}

/** A period as the reports show it. */
export interface PeriodView {
  id: string;
  from: string;
  to: string;
}

export const periodOf = (p: Period): PeriodView => ({ id: p.id, from: p.from, to: p.to });
