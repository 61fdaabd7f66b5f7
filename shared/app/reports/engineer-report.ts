import type { Deps } from '#shared/app/deps';
import {
  type EngineerFigures,
  type PeriodView,
  periodOf,
  rankedEngineers,
} from '#shared/app/reports/figures';
import { visibleItems } from '#shared/app/reports/visible-items';
import type { Period } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';

/**
 * GET /v1/reports/engineers: per-engineer figures, ranked (docs/domain.md section 5), from the
 * aggregates the principal may see (visible-items.ts, which the rollups share).
 */
export interface EngineerReport {
  period: PeriodView;
  engineers: EngineerFigures[];
  /**
   * Whom the report was cut for: the token's role and, for an engineer, their id. The pages read it
   * to choose what to show (an engineer gets their own page), whatever claims the issuer uses.
   */
  viewer: { role: Principal['role']; engineerId: string | null };
}

/** Per-engineer figures, ranked (docs/domain.md section 5); reads one roll-up per engineer for a month. */
export async function engineerReport(
  deps: Pick<Deps, 'rules'>,
  principal: Principal,
  period: Period,
): Promise<EngineerReport> {
  const visible = await visibleItems(principal, period);
  return {
    period: periodOf(period),
    engineers: rankedEngineers(deps.rules, visible),
    viewer: { role: principal.role, engineerId: principal.engineerId ?? null },
  };
}
