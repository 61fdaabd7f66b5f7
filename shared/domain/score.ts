import { type KindGroup, kindGroups } from '#shared/domain/kind-groups';
import type { Rules } from '#shared/domain/rules';

/**
 * Satisfaction and supervision figures of docs/domain.md section 5, as pure functions of summed counters.
 *
 * Nothing is rounded here: every figure is the exact ratio (or blend) in floating point, and display
 * code rounds. Rates are fractions in [0, 1]; averagePoints and score are on a 0-100 scale.
 */

export interface ScoreCounts {
  completed: number;
  surveyed: number;
  /** Rated replies: satisfied + basicallySatisfied + dissatisfied. */
  responses: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  contactOnTime: number;
  contactApplicable: number;
  repairOnTime: number;
  repairApplicable: number;
  punctual: number;
  punctualApplicable: number;
  /** Repairs completed, and those of them repeated (返修); absent counts as 0. */
  repairsCompleted?: number;
  repeatRepairs?: number;
}

export type Flag = 'below_target' | 'insufficient_sample' | 'low_response_rate';

export interface Figures {
  /** Responses with a rating in rules.satisfaction.satisfiedRatings (default [1] = 满意) / responses. */
  satisfactionRate: number | null;
  basicallySatisfiedRate: number | null;
  dissatisfactionRate: number | null;
  /** Mean of rules.satisfaction.points over the responses, 0-100. */
  averagePoints: number | null;
  /** responses / surveyed. */
  responseRate: number | null;
  /** Over the tickets where a time limit applies; null when none applies. */
  contactOnTimeRate: number | null;
  repairOnTimeRate: number | null;
  punctualityRate: number | null;
  /** repeatRepairs / repairsCompleted (返修率); null with no repair completed. */
  repeatRepairRate: number | null;
  /** 0-100 weighted blend (see blendScore); null when no component has data. */
  score: number | null;
  /** Wilson score interval lower bound of satisfactionRate, z = rules.score.wilsonZ. */
  satisfactionRateLowerBound: number | null;
  /** responses >= rules.score.minSample. */
  sampleSufficient: boolean;
  flags: Flag[];
}

export type ScoreComponent = keyof Rules['score']['weights'];
/** The components' values on 0-100; `repeatRepair` (100 x (1 - repeatRepairRate)) may be left out. */
export type ScoreComponents = Record<Exclude<ScoreComponent, 'repeatRepair'>, number | null> & {
  repeatRepair?: number | null;
};

const componentNames: readonly ScoreComponent[] = [
  'averagePoints',
  'repairTimeliness',
  'contactTimeliness',
  'punctuality',
  'repeatRepair',
];

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const percent = (rate: number | null): number | null => (rate === null ? null : rate * 100);

/**
 * Lower bound of the Wilson score interval for `successes` out of `n` at normal quantile `z`.
 * null when n = 0. The result is clamped to [0, successes/n] (it lies there mathematically; the clamp
 * only removes floating-point noise, e.g. -1e-17 for 0 successes).
 */
export function wilsonLowerBound(successes: number, n: number, z: number): number | null {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`n must be a finite number >= 0, got ${n}`);
  if (!Number.isFinite(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be within [0, n=${n}], got ${successes}`);
  }
  if (!Number.isFinite(z) || z < 0) throw new RangeError(`z must be a finite number >= 0, got ${z}`);
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return clamp((centre - margin) / (1 + z2 / n), 0, p);
}

/**
 * Weighted mean of the components (each on a 0-100 scale). A null component is left out and the
 * remaining weights are renormalised to sum to 1 (never counted as zero or as full marks); a component
 * whose weight is 0 is ignored. null when nothing remains. Not rounded; the result is clamped to the
 * [min, max] of the components used (where the exact mean lies), so equal components give that value.
 */
/** The weights of the blend; `repeatRepair` may be left out (0). */
export type ScoreWeights = Omit<Rules['score']['weights'], 'repeatRepair'> & { repeatRepair?: number };

export function blendScore(components: ScoreComponents, weights: ScoreWeights): number | null {
  let weighted = 0;
  let total = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const name of componentNames) {
    const w = weights[name] ?? 0;
    if (!Number.isFinite(w) || w < 0)
      throw new RangeError(`weight ${name} must be finite and >= 0, got ${w}`);
    const x = components[name] ?? null;
    if (x === null || w === 0) continue;
    if (!Number.isFinite(x) || x < 0 || x > 100) {
      throw new RangeError(`component ${name} must be within [0, 100], got ${x}`);
    }
    weighted += w * x;
    total += w;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (total === 0) return null;
  return clamp(weighted / total, lo, hi);
}

type RequiredCount = Exclude<keyof ScoreCounts, 'repairsCompleted' | 'repeatRepairs'>;
const countNames: readonly RequiredCount[] = [
  'completed',
  'surveyed',
  'responses',
  'satisfied',
  'basicallySatisfied',
  'dissatisfied',
  'contactOnTime',
  'contactApplicable',
  'repairOnTime',
  'repairApplicable',
  'punctual',
  'punctualApplicable',
];

function checkCounts(c: ScoreCounts): void {
  // Only the declared fields: callers may pass a wider object (name, team, other counters...).
  for (const k of countNames) {
    const v = c[k];
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`count ${k} must be an integer >= 0, got ${v}`);
  }
  for (const k of ['repairsCompleted', 'repeatRepairs'] as const) {
    const v = c[k] ?? 0;
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`count ${k} must be an integer >= 0, got ${v}`);
  }
  if (c.satisfied + c.basicallySatisfied + c.dissatisfied !== c.responses) {
    throw new RangeError(
      `satisfied + basicallySatisfied + dissatisfied (${c.satisfied + c.basicallySatisfied + c.dissatisfied}) must equal responses (${c.responses})`,
    );
  }
  const atMost: Array<[RequiredCount, RequiredCount]> = [
    ['responses', 'surveyed'],
    ['contactOnTime', 'contactApplicable'],
    ['repairOnTime', 'repairApplicable'],
    ['punctual', 'punctualApplicable'],
  ];
  for (const [part, whole] of atMost) {
    if (c[part] > c[whole]) throw new RangeError(`${part} (${c[part]}) exceeds ${whole} (${c[whole]})`);
  }
}

/**
 * Every figure of one engineer (or team) from summed counters. Throws RangeError on counts that are
 * negative, fractional or inconsistent (e.g. more on-time than applicable tickets) rather than
 * publishing a rate outside [0, 1].
 */
export function figures(c: ScoreCounts, rules: Rules): Figures {
  checkCounts(c);
  const { satisfiedRatings, points, target } = rules.satisfaction;
  const satisfiedCount =
    (satisfiedRatings.includes(1) ? c.satisfied : 0) +
    (satisfiedRatings.includes(2) ? c.basicallySatisfied : 0) +
    (satisfiedRatings.includes(3) ? c.dissatisfied : 0);

  const satisfactionRate = ratio(satisfiedCount, c.responses);
  const pointsSum = points[1] * c.satisfied + points[2] * c.basicallySatisfied + points[3] * c.dissatisfied;
  const rawAverage = ratio(pointsSum, c.responses);
  // The mean lies between the smallest and largest points value; the clamp only removes rounding noise.
  const averagePoints =
    rawAverage === null
      ? null
      : clamp(
          rawAverage,
          Math.min(points[1], points[2], points[3]),
          Math.max(points[1], points[2], points[3]),
        );
  const responseRate = ratio(c.responses, c.surveyed);
  const contactOnTimeRate = ratio(c.contactOnTime, c.contactApplicable);
  const repairOnTimeRate = ratio(c.repairOnTime, c.repairApplicable);
  const punctualityRate = ratio(c.punctual, c.punctualApplicable);
  // At most 1: a repair is repeated once, and counted on its own day; the clamp covers repairs
  // completed before repairsCompleted was counted that are repeated after.
  const rawRepeat = ratio(c.repeatRepairs ?? 0, c.repairsCompleted ?? 0);
  const repeatRepairRate = rawRepeat === null ? null : clamp(rawRepeat, 0, 1);

  const score = blendScore(
    {
      averagePoints,
      repairTimeliness: percent(repairOnTimeRate),
      contactTimeliness: percent(contactOnTimeRate),
      punctuality: percent(punctualityRate),
      repeatRepair: repeatRepairRate === null ? null : 100 * (1 - repeatRepairRate),
    },
    rules.score.weights,
  );
  const sampleSufficient = c.responses >= rules.score.minSample;

  const flags: Flag[] = [];
  if (satisfactionRate !== null && satisfactionRate < target) flags.push('below_target');
  if (!sampleSufficient) flags.push('insufficient_sample');
  if (responseRate !== null && responseRate < rules.score.lowResponseRate) flags.push('low_response_rate');

  return {
    satisfactionRate,
    basicallySatisfiedRate: ratio(c.basicallySatisfied, c.responses),
    dissatisfactionRate: ratio(c.dissatisfied, c.responses),
    averagePoints,
    responseRate,
    contactOnTimeRate,
    repairOnTimeRate,
    punctualityRate,
    repeatRepairRate,
    score,
    satisfactionRateLowerBound: wilsonLowerBound(satisfiedCount, c.responses, rules.score.wilsonZ),
    sampleSufficient,
    flags,
  };
}

/** One kind group's satisfaction (004 5.2: each held to `satisfaction.target`). */
export interface GroupSatisfaction {
  responses: number;
  /** Responses with a rating in `satisfaction.satisfiedRatings`. */
  satisfied: number;
  /** satisfied / responses; null with no response. */
  satisfactionRate: number | null;
  target: number;
  belowTarget: boolean;
}

/** Per-rating responses of one group: 1, 2 and 3. */
export interface GroupRatings {
  responses: number;
  satisfied: number;
  basicallySatisfied: number;
}

/**
 * Satisfaction by kind group (kind-groups.ts) from each counted group's responses by rating; the
 * `field` group is the totals minus the others. Counts are clamped at 0 (a total counted before
 * the groups were cannot go below them).
 */
export function groupSatisfaction(
  total: GroupRatings,
  counted: Record<Exclude<KindGroup, 'field'>, GroupRatings>,
  rules: Rules,
): Record<KindGroup, GroupSatisfaction> {
  const { satisfiedRatings, target } = rules.satisfaction;
  const others = Object.values(counted);
  const minus = (k: keyof GroupRatings) => Math.max(0, total[k] - others.reduce((sum, g) => sum + g[k], 0));
  const field: GroupRatings = {
    responses: minus('responses'),
    satisfied: minus('satisfied'),
    basicallySatisfied: minus('basicallySatisfied'),
  };
  const all = { ...counted, field };
  const describe = (g: GroupRatings): GroupSatisfaction => {
    const dissatisfied = Math.max(0, g.responses - g.satisfied - g.basicallySatisfied);
    const satisfied =
      (satisfiedRatings.includes(1) ? g.satisfied : 0) +
      (satisfiedRatings.includes(2) ? g.basicallySatisfied : 0) +
      (satisfiedRatings.includes(3) ? dissatisfied : 0);
    const satisfactionRate = ratio(satisfied, g.responses);
    return {
      responses: g.responses,
      satisfied,
      satisfactionRate,
      target,
      belowTarget: satisfactionRate !== null && satisfactionRate < target,
    };
  };
  return Object.fromEntries(kindGroups.map((k) => [k, describe(all[k])])) as Record<
    KindGroup,
    GroupSatisfaction
  >;
}

/**
 * Sort key of a figure: quantised to 1e-9 so that two mathematically equal figures that differ only by
 * floating-point noise tie (and fall through to the next criterion) instead of being ordered by noise.
 */
const key = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e9) / 1e9);

/** Descending, nulls last. */
function desc(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

/**
 * Ranks rows: sampleSufficient rows first, then the rest; within each group by score descending (null
 * last), then satisfactionRateLowerBound descending (null last), then engineerId ascending (by UTF-16
 * code units, locale-independent). rank is the 1-based position. Returns new objects; input untouched.
 */
export function rank<T extends { engineerId: string; figures: Figures }>(
  rows: T[],
): Array<T & { rank: number }> {
  return rows
    .map((row) => ({
      row,
      sufficient: row.figures.sampleSufficient,
      score: key(row.figures.score),
      bound: key(row.figures.satisfactionRateLowerBound),
    }))
    .sort((a, b) => {
      if (a.sufficient !== b.sufficient) return a.sufficient ? -1 : 1;
      const byScore = desc(a.score, b.score);
      if (byScore !== 0) return byScore;
      const byBound = desc(a.bound, b.bound);
      if (byBound !== 0) return byBound;
      const x = a.row.engineerId;
      const y = b.row.engineerId;
      return x < y ? -1 : x > y ? 1 : 0;
    })
    .map(({ row }, i) => ({ ...row, rank: i + 1 }));
}
