import { canSeeFigures, reportReach } from '#shared/domain/access';
import type { Period } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import { type AggregateItem, queryEngineerDays, queryForReport } from '#shared/store/aggregate';

/**
 * The aggregate items of the period the principal may see, read by key as narrowly as the scope
 * allows (domain/access.ts `reportReach`; never a Scan):
 * - engineer: their own daily items (ENGINEER_DAYS_INDEX), at most one a day;
 * - admin, or a manager or agent with regions: for each whole month, the month's roll-ups (one item
 *   per engineer and team), for the other days the daily items; then what canSeeFigures keeps;
 * - manager or agent with teams only: the same, with the roll-ups of their teams alone.
 * A month report thus reads one item per engineer of the teams asked about, whatever the number of
 * responses (shared/store/aggregate.ts).
 */
export async function visibleItems(principal: Principal, period: Period): Promise<AggregateItem[]> {
  const first = period.days[0] as string;
  const last = period.days[period.days.length - 1] as string;
  const reach = reportReach(principal);
  let items: AggregateItem[];
  if (reach.kind === 'engineer') {
    items = reach.engineerId ? await queryEngineerDays(reach.engineerId, first, last) : [];
  } else if (reach.kind === 'all') {
    items = await queryForReport(period.days);
  } else {
    items = reach.teams.length > 0 ? await queryForReport(period.days, reach.teams) : [];
  }
  return items.filter((it) => canSeeFigures(principal, it));
}
