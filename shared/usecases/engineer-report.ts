import type { Principal } from '#shared/auth';
import { config } from '#shared/config';
import { type AggregateItem, type Counts, counters, queryAggregates } from '#shared/entities/aggregate';
import { type Figures, figures, rank } from '#shared/score';
import type { Period } from '#shared/time';

/** The six points of the service supervision card (domain.md section 4), by reply digit. */
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
    reopened: number;
  };
  reasons: Record<ReasonKey, number>;
}

export interface EngineerReport {
  period: { id: string; from: string; to: string };
  engineers: EngineerFigures[];
}

/** Which engineers' figures a principal may see (domain.md section 1: engineers see only their own). */
export function canSee(p: Principal, a: { engineerId: string; team: string; region: string }): boolean {
  switch (p.role) {
    case 'admin':
      return true;
    case 'manager':
    case 'agent':
      return p.teams.includes(a.team) || p.regions.includes(a.region);
    case 'engineer':
      return p.engineerId !== undefined && p.engineerId === a.engineerId;
  }
}

export interface EngineerTotals extends Counts {
  engineerId: string;
  name: string;
  team: string;
  region: string;
}

/** Sums daily aggregates per engineer; name, team and region are those of the latest day. */
export function sumByEngineer(items: AggregateItem[]): EngineerTotals[] {
  const byEngineer = new Map<string, { latestDay: string; t: EngineerTotals }>();
  for (const it of items) {
    let entry = byEngineer.get(it.engineerId);
    if (!entry) {
      const zero = Object.fromEntries(counters.map((c) => [c, 0])) as Counts;
      entry = { latestDay: '', t: { engineerId: it.engineerId, name: '', team: '', region: '', ...zero } };
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

/** The published figures for one set of totals (an engineer, or a team or region rolled up). */
export function describeTotals(
  t: Counts,
): Omit<EngineerFigures, 'engineerId' | 'name' | 'team' | 'region' | 'rank'> {
  return {
    completed: t.completed,
    surveyed: t.surveyed,
    responses: t.responses,
    satisfied: t.satisfied,
    basicallySatisfied: t.basicallySatisfied,
    dissatisfied: t.dissatisfied,
    ...figures(t, config.rules),
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
  };
}

/** Per-engineer figures, ranked (domain.md section 5); reads one aggregate item per engineer per day. */
export async function engineerReport(principal: Principal, period: Period): Promise<EngineerReport> {
  const items = await queryAggregates(period.days);
  const visible = items.filter((it) => canSee(principal, it));
  const rows = sumByEngineer(visible).map((t) => {
    const { engineerId, name, team, region } = t;
    const d = describeTotals(t);
    return { engineerId, name, team, region, figures: d, ...d };
  });
  return {
    period: { id: period.id, from: period.from, to: period.to },
    engineers: rank(rows).map(({ figures: _f, ...row }) => row),
  };
}
