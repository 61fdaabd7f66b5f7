import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getISOWeek, getISOWeekYear } from 'date-fns';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/app/errors';
import { config } from '#shared/config/config';
import { maskPhone } from '#shared/domain/phone';
import { type Figures, figures, rank } from '#shared/domain/score';
import { type Period, rangePeriod } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import { COMMENTS_DEFAULT_LIMIT, COMMENTS_MAX_LIMIT } from '#shared/http/schemas/reports';
import {
  type AggregateItem,
  aggEngineerIndexKey,
  type Counts,
  counters,
  queryForReport,
} from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';
import type { SurveyItem } from '#shared/store/survey';
import { ENGINEER_DAYS_INDEX, LIST_INDEX } from '#shared/store/table';

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
  callbacks: CallbackFigures;
}

/** Callback cases (回访, domain.md section 6) counted on the day of the rating that opened them. */
export interface CallbackFigures {
  opened: number;
  overdue: number;
  closed: number;
  outcomes: { resolved_satisfied: number; resolved_unsatisfied: number; unreachable: number };
}

/** Every published figure of one set of totals, without whose totals they are. */
export type TotalsFigures = Omit<EngineerFigures, 'engineerId' | 'name' | 'team' | 'region' | 'rank'>;

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

const zeroCounts = (): Counts => Object.fromEntries(counters.map((c) => [c, 0])) as Counts;

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

/** The published figures for one set of totals (an engineer, or a team or region rolled up). */
export function describeTotals(t: Counts): TotalsFigures {
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
  };
}

/** Engineer rows of the items, ranked among themselves (score.ts `rank`). */
function rankedEngineers(items: AggregateItem[]): EngineerFigures[] {
  const rows = sumByEngineer(items).map((t) => {
    const { engineerId, name, team, region } = t;
    const d = describeTotals(t);
    return { engineerId, name, team, region, figures: d, ...d };
  });
  return rank(rows).map(({ figures: _f, ...row }) => row);
}

/**
 * The aggregate items of the period the principal may see, read by key as narrowly as the scope
 * allows (never a Scan):
 * - engineer: their own daily items (ENGINEER_DAYS_INDEX), at most one a day;
 * - admin, or a manager or agent with regions: for each whole month, the month's roll-ups (one item
 *   per engineer and team), for the other days the daily items; then what canSee keeps;
 * - manager or agent with teams only: the same, with the roll-ups of their teams alone.
 * A month report thus reads one item per engineer of the teams asked about, whatever the number of
 * responses (shared/store/aggregate.ts).
 */
async function visibleItems(principal: Principal, period: Period): Promise<AggregateItem[]> {
  const first = period.days[0] as string;
  const last = period.days[period.days.length - 1] as string;
  let items: AggregateItem[];
  if (principal.role === 'engineer') {
    items = principal.engineerId ? await queryEngineerDays(principal.engineerId, first, last) : [];
  } else if (principal.role === 'admin' || principal.regions.length > 0) {
    items = await queryForReport(period.days);
  } else {
    items = principal.teams.length > 0 ? await queryForReport(period.days, principal.teams) : [];
  }
  return items.filter((it) => canSee(principal, it));
}

/** Per-engineer figures, ranked (domain.md section 5); reads one roll-up per engineer for a month. */
export async function engineerReport(principal: Principal, period: Period): Promise<EngineerReport> {
  const visible = await visibleItems(principal, period);
  return { period: periodOf(period), engineers: rankedEngineers(visible) };
}

const periodOf = (p: Period) => ({ id: p.id, from: p.from, to: p.to });

// ---------------------------------------------------------------------------------------------------
// Team and region rollups

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
  period: { id: string; from: string; to: string };
  teams: TeamRow[];
}
export interface RegionReport {
  period: { id: string; from: string; to: string };
  regions: RegionRow[];
}

/**
 * Rollups are for admins, managers and agents; an engineer sees only their own figures.
 * A manager or agent sees the days of their teams and regions (canSee, per aggregate item).
 */
function assertMaySeeRollups(p: Principal): void {
  if (p.role === 'engineer') throw new ForbiddenError('rollups are not available to engineers');
}

/**
 * Rolls the period's aggregate items up per team or region. Items are grouped by the team (region)
 * they were counted under, so an engineer who moved mid-period appears under both with the days of
 * each, and a row's counts are exactly the sum of its engineers' counts. One read of the period
 * (for a month: one roll-up per engineer and team).
 */
async function rollup(principal: Principal, period: Period, level: RollupLevel) {
  assertMaySeeRollups(principal);
  const items = await visibleItems(principal, period);
  const groups = new Map<string, AggregateItem[]>();
  for (const it of items) {
    const key = level === 'team' ? it.team : it.region;
    groups.set(key, [...(groups.get(key) ?? []), it]);
  }
  const rows = [...groups.entries()].map(([key, its]) => {
    const d = describeTotals(sumCounts(its));
    const engineers = rankedEngineers(its);
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
export async function teamReport(principal: Principal, period: Period): Promise<TeamReport> {
  const rows = await rollup(principal, period, 'team');
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
export async function regionReport(principal: Principal, period: Period): Promise<RegionReport> {
  const rows = await rollup(principal, period, 'region');
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

// ---------------------------------------------------------------------------------------------------
// One engineer over a range: figures, trend, dissatisfied comments

export type Granularity = 'week' | 'month';

/** Ranges up to this many days get a weekly trend by default, longer ones a monthly trend. */
export const WEEKLY_TREND_MAX_DAYS = 92;

export { COMMENTS_DEFAULT_LIMIT, COMMENTS_MAX_LIMIT };

export interface TrendBucket extends TotalsFigures {
  /** `2026-W47` or `2026-11`. */
  id: string;
  /** Local start of the bucket, clipped to the range (ISO-8601 with offset). */
  from: string;
  /** Local start of the next bucket (exclusive), clipped to the range. */
  to: string;
}

export interface DissatisfiedComment {
  surveyId: string;
  source: string;
  ticketId: string;
  kind: string;
  answeredAt: string;
  rating: number;
  reasons: ReasonKey[];
  comment: string | null;
  /** Masked (138****8000): domain.md section 7. */
  phone: string;
}

export interface EngineerDetail extends TotalsFigures {
  period: { id: string; from: string; to: string };
  engineerId: string;
  name: string;
  team: string;
  region: string;
  granularity: Granularity;
  trend: TrendBucket[];
  comments: { items: DissatisfiedComment[]; nextCursor: string | null };
}

export interface DetailOptions {
  granularity?: Granularity;
  limit?: number;
  /** Opaque, from a previous answer's comments.nextCursor. */
  cursor?: string;
}

/** One engineer's aggregate items from `first` to `last` (local days, inclusive), in day order. */
async function queryEngineerDays(engineerId: string, first: string, last: string): Promise<AggregateItem[]> {
  return queryAll<AggregateItem>({
    IndexName: ENGINEER_DAYS_INDEX,
    KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': aggEngineerIndexKey(first, engineerId).gsi3pk,
      ':from': first,
      ':to': last,
    },
  });
}

/** The engineer's most recent aggregate item of all time (their current team and region), if any. */
async function latestEngineerDay(engineerId: string): Promise<AggregateItem | undefined> {
  const res = await ddb.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: ENGINEER_DAYS_INDEX,
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': aggEngineerIndexKey('', engineerId).gsi3pk },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  return res.Items?.[0] as AggregateItem | undefined;
}

/** ISO week `2026-W47` or month `2026-11` of a local date `YYYY-MM-DD`. */
export function bucketOf(day: string, granularity: Granularity): string {
  if (granularity === 'month') return day.slice(0, 7);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d); // calendar arithmetic only: the process zone does not matter
  return `${getISOWeekYear(date)}-W${String(getISOWeek(date)).padStart(2, '0')}`;
}

function trendOf(period: Period, items: AggregateItem[], granularity: Granularity): TrendBucket[] {
  const buckets = new Map<string, string[]>();
  for (const day of period.days) {
    const id = bucketOf(day, granularity);
    buckets.set(id, [...(buckets.get(id) ?? []), day]);
  }
  return [...buckets.entries()].map(([id, days]) => {
    const inBucket = new Set(days);
    const span = rangePeriod(days[0] as string, days[days.length - 1] as string, config.rules.timeZone);
    return {
      id,
      from: span.from,
      to: span.to,
      ...describeTotals(sumCounts(items.filter((it) => inBucket.has(it.day)))),
    };
  });
}

const CURSOR_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[^#]+$/;

function encodeCursor(gsi2sk: string): string {
  return Buffer.from(gsi2sk, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, lo: string, hi: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR_SHAPE.test(sk) || sk < lo || sk > hi) {
    throw new ValidationError([
      { field: 'cursor', message: 'not a cursor of this report; start without one' },
    ]);
  }
  return sk;
}

/**
 * The dissatisfied answers (rating 3) of the engineer answered within the period, newest first, from
 * the sparse index COMMENTS#{engineerId} / {answeredAt}#{surveyId} (set by planRating). Phones masked.
 * Answers whose survey counted under a team or region the principal cannot see are skipped.
 */
async function dissatisfiedComments(
  principal: Principal,
  engineerId: string,
  period: Period,
  limit: number,
  cursor: string | undefined,
): Promise<EngineerDetail['comments']> {
  const pk = `COMMENTS#${engineerId}`;
  const lo = new Date(period.from).toISOString();
  const hi = `${new Date(Date.parse(period.to) - 1).toISOString()}#\uffff`;
  const after = cursor === undefined ? undefined : decodeCursor(cursor, lo, hi);
  let start: Record<string, unknown> | undefined = after
    ? { gsi2pk: pk, gsi2sk: after, pk: `SURVEY#${after.slice(after.indexOf('#') + 1)}`, sk: 'SURVEY' }
    : undefined;
  const items: DissatisfiedComment[] = [];
  for (;;) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': pk, ':lo': lo, ':hi': hi },
        ScanIndexForward: false,
        // One more than needed: seeing it tells whether another page exists.
        Limit: limit - items.length + 1,
        ExclusiveStartKey: start,
      }),
    );
    const page = (res.Items ?? []) as SurveyItem[];
    for (const [i, s] of page.entries()) {
      if (!canSee(principal, s)) continue;
      items.push(toComment(s));
      if (items.length === limit) {
        const more = i < page.length - 1 || res.LastEvaluatedKey !== undefined;
        return { items, nextCursor: more ? encodeCursor(s.gsi2sk ?? '') : null };
      }
    }
    if (!res.LastEvaluatedKey) return { items, nextCursor: null };
    start = res.LastEvaluatedKey;
  }
}

function toComment(s: SurveyItem): DissatisfiedComment {
  return {
    surveyId: s.surveyId,
    source: s.source,
    ticketId: s.ticketId,
    kind: s.kind,
    answeredAt: s.answeredAt ?? '',
    rating: s.rating ?? 3,
    reasons: (s.reasons ?? []).flatMap((n) => {
      const key = reasonKeys[n - 1];
      return key ? [key] : [];
    }),
    comment: s.comment ?? null,
    phone: maskPhone(s.phone),
  };
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
  const scoped = principal.role === 'manager' || principal.role === 'agent';
  if (principal.role === 'engineer' && principal.engineerId !== engineerId) throw new ForbiddenError();
  if (scoped && principal.teams.length === 0 && principal.regions.length === 0) throw new ForbiddenError();
  const first = period.days[0] as string;
  const last = period.days[period.days.length - 1] as string;
  const visible = (await queryEngineerDays(engineerId, first, last)).filter((it) => canSee(principal, it));
  let identity = visible.at(-1);
  if (!identity) {
    const latest = await latestEngineerDay(engineerId);
    if (latest && canSee(principal, latest)) identity = latest;
    else if (scoped) throw new ForbiddenError();
    else if (principal.role === 'admin')
      throw new NotFoundError(`no figures recorded for engineer ${engineerId}`);
  }
  return { visible, identity };
}

/** GET /v1/reports/engineers/{engineerId}: figures over the range, trend, dissatisfied comments. */
export async function engineerDetail(
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
  const comments = await dissatisfiedComments(principal, engineerId, period, limit, opts.cursor);
  return {
    period: periodOf(period),
    engineerId,
    name: identity?.engineerName ?? '',
    team: identity?.team ?? '',
    region: identity?.region ?? '',
    ...describeTotals(sumCounts(visible)),
    granularity,
    trend: trendOf(period, visible, granularity),
    comments,
  };
}
