import { getISOWeek, getISOWeekYear } from 'date-fns';
import type { Deps } from '#shared/app/deps';
import { type CommentsPage, dissatisfiedComments } from '#shared/app/reports/comments';
import {
  describeTotals,
  type PeriodView,
  periodOf,
  sumCounts,
  type TotalsFigures,
} from '#shared/app/reports/figures';
import { type RankInTeam, rankInTeam } from '#shared/app/reports/rank-in-team';
import { canSeeFigures, mayAskForEngineer, whenEngineerUnseen } from '#shared/domain/access';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/domain/errors';
import type { Rules } from '#shared/domain/rules';
import { type Period, rangePeriod } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import { COMMENTS_DEFAULT_LIMIT, COMMENTS_MAX_LIMIT } from '#shared/http/schemas/reports';
import { type AggregateItem, latestEngineerDay, queryEngineerDays } from '#shared/store/aggregate';

/**
 * GET /v1/reports/engineers/{engineerId}: one engineer over a range: figures, trend (by week or
 * month) and their dissatisfied comments (comments.ts), within what the principal may see.
 */

/** The trend's buckets. */
export type Granularity = 'week' | 'month';

/** Ranges up to this many days get a weekly trend by default, longer ones a monthly trend. */
export const WEEKLY_TREND_MAX_DAYS = 92;

export interface TrendBucket extends TotalsFigures {
  /** `2026-W47` or `2026-11`. */
  id: string;
  /** Local start of the bucket, clipped to the range (ISO-8601 with offset). */
  from: string;
  /** Local start of the next bucket (exclusive), clipped to the range. */
  to: string;
}

export interface EngineerDetail extends TotalsFigures {
  period: PeriodView;
  engineerId: string;
  name: string;
  team: string;
  region: string;
  granularity: Granularity;
  trend: TrendBucket[];
  comments: CommentsPage;
  /**
   * Their place within `team` over the period (rank-in-team.ts): position and head count only,
   * never a colleague; null when nothing of theirs is counted under the team in the period.
   */
  rankInTeam: RankInTeam | null;
}

export interface DetailOptions {
  granularity?: Granularity;
  limit?: number;
  /** Opaque, from a previous answer's comments.nextCursor. */
  cursor?: string;
}

/** ISO week `2026-W47` or month `2026-11` of a local date `YYYY-MM-DD`. */
export function bucketOf(day: string, granularity: Granularity): string {
  if (granularity === 'month') return day.slice(0, 7);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d); // calendar arithmetic only: the process zone does not matter
  return `${getISOWeekYear(date)}-W${String(getISOWeek(date)).padStart(2, '0')}`;
}

function trendOf(
  rules: Rules,
  period: Period,
  items: AggregateItem[],
  granularity: Granularity,
): TrendBucket[] {
  const buckets = new Map<string, string[]>();
  for (const day of period.days) {
    const id = bucketOf(day, granularity);
    buckets.set(id, [...(buckets.get(id) ?? []), day]);
  }
  return [...buckets.entries()].map(([id, days]) => {
    const inBucket = new Set(days);
    const span = rangePeriod(days[0] as string, days[days.length - 1] as string, rules.timeZone);
    return {
      id,
      from: span.from,
      to: span.to,
      ...describeTotals(rules, sumCounts(items.filter((it) => inBucket.has(it.day)))),
    };
  });
}

/**
 * Which of the engineer's days in the range the principal may see, and whose they are; throws
 * ForbiddenError (the same for an unknown engineer and one out of scope, so that non-admins learn
 * nothing about who exists) or, for an admin, NotFoundError for an engineer never seen.
 *
 * - admin: everything; engineer: only themself (checked before anything is read);
 * - manager, agent: the days counted under their teams or regions; they may open an engineer who has
 *   such a day in the range or whose latest day of all (current team) is theirs.
 */
async function detailScope(principal: Principal, engineerId: string, period: Period) {
  if (!mayAskForEngineer(principal, engineerId)) throw new ForbiddenError();
  const first = period.days[0] as string;
  const last = period.days[period.days.length - 1] as string;
  const visible = (await queryEngineerDays(engineerId, first, last)).filter((it) =>
    canSeeFigures(principal, it),
  );
  let identity = visible.at(-1);
  if (!identity) {
    const latest = await latestEngineerDay(engineerId);
    if (latest && canSeeFigures(principal, latest)) identity = latest;
    else {
      const unseen = whenEngineerUnseen(principal);
      if (unseen === 'forbidden') throw new ForbiddenError();
      if (unseen === 'not_found') throw new NotFoundError(`no figures recorded for engineer ${engineerId}`);
    }
  }
  return { visible, identity };
}

/** GET /v1/reports/engineers/{engineerId}: figures over the range, trend, dissatisfied comments. */
export async function engineerDetail(
  deps: Pick<Deps, 'rules'>,
  principal: Principal,
  engineerId: string,
  period: Period,
  opts: DetailOptions = {},
): Promise<EngineerDetail> {
  const { visible, identity } = await detailScope(principal, engineerId, period);
  const granularity = opts.granularity ?? (period.days.length <= WEEKLY_TREND_MAX_DAYS ? 'week' : 'month');
  const limit = opts.limit ?? COMMENTS_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > COMMENTS_MAX_LIMIT) {
    throw new ValidationError([{ field: 'limit', message: `an integer from 1 to ${COMMENTS_MAX_LIMIT}` }]);
  }
  const team = identity?.team ?? '';
  const [comments, rank] = await Promise.all([
    dissatisfiedComments(principal, engineerId, period, limit, opts.cursor),
    rankInTeam(deps, engineerId, team, period),
  ]);
  return {
    period: periodOf(period),
    engineerId,
    name: identity?.engineerName ?? '',
    team,
    region: identity?.region ?? '',
    ...describeTotals(deps.rules, sumCounts(visible)),
    granularity,
    trend: trendOf(deps.rules, period, visible, granularity),
    comments,
    rankInTeam: rank,
  };
}
