/**
 * Repeat repairs (返修, docs/domain.md section 5). A repair completed for a phone whose previous
 * repair was completed within `repeatRepairDays` counts against that earlier repair (its
 * engineer, team and region, in the period of the earlier repair), and so does a reopened repair.
 * Each repair counts as repeated at most once, so repeatRepairs <= repairs completed.
 *
 * The window is an instant difference: 0 < later - earlier <= repeatRepairDays x 24 h (30 days
 * by default: a repair exactly 30 x 24 h after the previous one is a repeat, one a second more is
 * not). Two repairs at the same instant are not a repeat of each other.
 */

/** Only repairs (kind `repair`) are repeated or repeat. */
export const isRepairKind = (kind: string | undefined): boolean => kind === 'repair';

/** The window in milliseconds. */
export const repeatWindowMs = (days: number): number => days * 24 * 3_600_000;

/**
 * How a repair completed at `completedAt` stands to the phone's previous known repair at
 * `previousAt` (both ISO instants):
 * - `previous_repeated`: it came after, within the window: the previous one was repeated;
 * - `this_repeated`: it came before the known one (delivered out of order), within the window:
 *   this one was repeated by the known one;
 * - `none`: further apart than the window, or at the same instant.
 */
export type RepeatDecision = 'previous_repeated' | 'this_repeated' | 'none';

export function repeatDecision(previousAt: string, completedAt: string, days: number): RepeatDecision {
  const diff = Date.parse(completedAt) - Date.parse(previousAt);
  if (!Number.isFinite(diff) || diff === 0) return 'none';
  if (Math.abs(diff) > repeatWindowMs(days)) return 'none';
  return diff > 0 ? 'previous_repeated' : 'this_repeated';
}

/** Whether `completedAt` is later than `previousAt`: the phone's known last repair moves on. */
export const isLaterRepair = (previousAt: string, completedAt: string): boolean =>
  Date.parse(completedAt) > Date.parse(previousAt);
