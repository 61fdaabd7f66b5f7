import type { Deps } from '#shared/app/deps';
import {
  describeTotals,
  type EngineerFigures,
  type PeriodView,
  periodOf,
  rankedEngineers,
  sumCounts,
  type TotalsFigures,
} from '#shared/app/reports/figures';
import { visibleItems } from '#shared/app/reports/visible-items';
import { maySeeRollups } from '#shared/domain/access';
import { ForbiddenError } from '#shared/domain/errors';
import type { Rules } from '#shared/domain/rules';
import { rank } from '#shared/domain/score';
import type { Period } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import type { AggregateItem } from '#shared/store/aggregate';

/** GET /v1/reports/teams and /regions: the period's figures rolled up per team or region. */
export type RollupLevel = 'team' | 'region';

interface RollupBase extends TotalsFigures {
  /** Position among the rolled-up rows, by the same rule as engineers (score.ts `rank`). */
  rank: number;
  engineerCount: number;
  /** The engineers whose days count in this row, ranked among themselves. */
  engineers: EngineerFigures[];
}
export interface TeamRow extends RollupBase {
  team: string;
  /** Regions the team's counted days belong to. */
  regions: string[];
}
export interface RegionRow extends RollupBase {
  region: string;
  teams: string[];
}
export interface TeamReport {
  period: PeriodView;
  teams: TeamRow[];
}
export interface RegionReport {
  period: PeriodView;
  regions: RegionRow[];
}

/**
 * Rollups are for admins, managers and agents; an engineer sees only their own figures.
 * A manager or agent sees the days of their teams and regions (canSeeFigures, per aggregate item).
 */
function assertMaySeeRollups(p: Principal): void {
  if (!maySeeRollups(p)) throw new ForbiddenError('rollups are not available to engineers');
}

/**
 * Rolls the period's aggregate items up per team or region. Items are grouped by the team (region)
 * they were counted under, so an engineer who moved mid-period appears under both with the days of
 * each, and a row's counts are exactly the sum of its engineers' counts. One read of the period
 * (for a month: one roll-up per engineer and team).
 */
async function rollup(rules: Rules, principal: Principal, period: Period, level: RollupLevel) {
  assertMaySeeRollups(principal);
  const items = await visibleItems(principal, period);
  const groups = new Map<string, AggregateItem[]>();
  for (const it of items) {
    const key = level === 'team' ? it.team : it.region;
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }
  const rows = [...groups.entries()].map(([key, its]) => {
    const d = describeTotals(rules, sumCounts(its));
    const engineers = rankedEngineers(rules, its);
    const others = [...new Set(its.map((it) => (level === 'team' ? it.region : it.team)))].sort();
    return { engineerId: key, figures: d, d, engineers, others };
  });
  return rank(rows).map((r) => ({
    key: r.engineerId,
    rank: r.rank,
    d: r.d,
    engineers: r.engineers,
    others: r.others,
  }));
}

/** GET /v1/reports/teams: every visible team's figures, ranked, each with its engineers ranked. */
export async function teamReport(
  deps: Pick<Deps, 'rules'>,
  principal: Principal,
  period: Period,
): Promise<TeamReport> {
  const rows = await rollup(deps.rules, principal, period, 'team');
  return {
    period: periodOf(period),
    teams: rows.map((r) => ({
      team: r.key,
      regions: r.others,
      rank: r.rank,
      engineerCount: r.engineers.length,
      ...r.d,
      engineers: r.engineers,
    })),
  };
}

/** GET /v1/reports/regions: every visible region's figures, ranked, each with its engineers ranked. */
export async function regionReport(
  deps: Pick<Deps, 'rules'>,
  principal: Principal,
  period: Period,
): Promise<RegionReport> {
  const rows = await rollup(deps.rules, principal, period, 'region');
  return {
    period: periodOf(period),
    regions: rows.map((r) => ({
      region: r.key,
      teams: r.others,
      rank: r.rank,
      engineerCount: r.engineers.length,
      ...r.d,
      engineers: r.engineers,
    })),
  };
}
