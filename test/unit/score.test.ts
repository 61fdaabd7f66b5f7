// Over 350 lines on purpose: every figure of the score and its edge cases (empty, small samples, weights).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRules, type Rules } from '#shared/domain/rules';
import {
  blendScore,
  type Figures,
  figures,
  rank,
  type ScoreComponents,
  type ScoreCounts,
  wilsonLowerBound,
} from '#shared/domain/score';

const rules = parseRules(undefined);
const weights = rules.score.weights;

const zero: ScoreCounts = {
  completed: 0,
  surveyed: 0,
  responses: 0,
  satisfied: 0,
  basicallySatisfied: 0,
  dissatisfied: 0,
  contactOnTime: 0,
  contactApplicable: 0,
  repairOnTime: 0,
  repairApplicable: 0,
  punctual: 0,
  punctualApplicable: 0,
};
const counts = (c: Partial<ScoreCounts>): ScoreCounts => ({ ...zero, ...c });

/** Wilson lower bound in its other closed form, (2np + z² − z√(z² + 4np(1−p))) / (2(n + z²)). */
function wilsonReference(s: number, n: number, z: number): number {
  const p = s / n;
  return (2 * n * p + z * z - z * Math.sqrt(z * z + 4 * n * p * (1 - p))) / (2 * (n + z * z));
}

const none: ScoreComponents = {
  averagePoints: null,
  repairTimeliness: null,
  contactTimeliness: null,
  punctuality: null,
};

describe('wilsonLowerBound', () => {
  it('8/10 at z 1.96 is ≈ 0.4902 (checked against the other closed form)', () => {
    const lb = wilsonLowerBound(8, 10, 1.96);
    expect(lb).toBeCloseTo(0.4901568467, 9);
    expect(lb).toBeCloseTo(wilsonReference(8, 10, 1.96), 12);
    expect(lb?.toFixed(4)).toBe('0.4902');
  });

  it('8/10 at the exact 97.5% quantile matches the published 0.4901625', () => {
    // The commonly published 0.4901625 (R prop.test without continuity correction, statsmodels
    // proportion_confint method="wilson") uses z = 1.959963984540054, not 1.96.
    expect(wilsonLowerBound(8, 10, 1.959963984540054)).toBeCloseTo(0.4901625, 7);
  });

  it('is null for n = 0', () => {
    expect(wilsonLowerBound(0, 0, 1.96)).toBeNull();
  });

  it('is 0 for 0 successes and below 1 for all successes', () => {
    expect(wilsonLowerBound(0, 10, 1.96)).toBe(0);
    const all = wilsonLowerBound(10, 10, 1.96);
    expect(all).toBeCloseTo(wilsonReference(10, 10, 1.96), 12);
    expect(all).toBeLessThan(1);
  });

  it('equals the raw rate at z = 0', () => {
    expect(wilsonLowerBound(3, 7, 0)).toBeCloseTo(3 / 7, 15);
  });

  it('rejects impossible inputs', () => {
    expect(() => wilsonLowerBound(11, 10, 1.96)).toThrow(RangeError);
    expect(() => wilsonLowerBound(-1, 10, 1.96)).toThrow(RangeError);
    expect(() => wilsonLowerBound(1, 10, -1)).toThrow(RangeError);
    expect(() => wilsonLowerBound(Number.NaN, 10, 1.96)).toThrow(RangeError);
  });

  it('property: 0 <= lower bound <= raw rate, and matches the reference form', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 100_000 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        fc.double({ min: 0, max: 5, noNaN: true }),
        ([s, n], z) => {
          const lb = wilsonLowerBound(s, n, z);
          expect(lb).not.toBeNull();
          expect(lb).toBeGreaterThanOrEqual(0);
          expect(lb).toBeLessThanOrEqual(s / n);
          expect(lb).toBeCloseTo(Math.max(0, wilsonReference(s, n, z)), 9);
        },
      ),
    );
  });
});

describe('blendScore', () => {
  it('renormalises over the components present (averagePoints 80, repair 100% -> 85.714...)', () => {
    const score = blendScore({ ...none, averagePoints: 80, repairTimeliness: 100 }, weights);
    expect(score).toBeCloseTo((50 * 80 + 20 * 100) / 70, 12);
    expect(score).toBeCloseTo(85.7142857, 6);
  });

  it('blends all four with the default weights 50/20/15/15', () => {
    const score = blendScore(
      { averagePoints: 86, repairTimeliness: 90, contactTimeliness: 80, punctuality: 100 },
      weights,
    );
    // (50*86 + 20*90 + 15*80 + 15*100) / 100 = (4300 + 1800 + 1200 + 1500) / 100
    expect(score).toBeCloseTo(88, 12);
  });

  it('a missing component counts neither as zero nor as full marks', () => {
    const missing = blendScore({ ...none, averagePoints: 60 }, weights);
    expect(missing).toBe(60);
    expect(blendScore({ ...none, averagePoints: 60, punctuality: 0 }, weights)).not.toBe(missing);
    expect(blendScore({ ...none, averagePoints: 60, punctuality: 100 }, weights)).not.toBe(missing);
  });

  it('ignores components of weight 0, even when present', () => {
    const w = { ...weights, punctuality: 0 };
    expect(blendScore({ ...none, averagePoints: 70, punctuality: 0 }, w)).toBe(70);
  });

  it('is null when nothing remains', () => {
    expect(blendScore(none, weights)).toBeNull();
    expect(blendScore({ ...none, punctuality: 90 }, { ...weights, punctuality: 0 })).toBeNull();
    expect(
      blendScore(
        { averagePoints: 1, repairTimeliness: 2, contactTimeliness: 3, punctuality: 4 },
        { averagePoints: 0, repairTimeliness: 0, contactTimeliness: 0, punctuality: 0 },
      ),
    ).toBeNull();
  });

  it('rejects components off the 0-100 scale and negative weights', () => {
    expect(() => blendScore({ ...none, averagePoints: 101 }, weights)).toThrow(RangeError);
    expect(() => blendScore({ ...none, averagePoints: Number.NaN }, weights)).toThrow(RangeError);
    expect(() => blendScore({ ...none, averagePoints: 50 }, { ...weights, punctuality: -1 })).toThrow(
      RangeError,
    );
  });

  const component = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null });
  const componentsArb = fc.record({
    averagePoints: component,
    repairTimeliness: component,
    contactTimeliness: component,
    punctuality: component,
  });
  const weight = fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 1000, noNaN: true }));
  const weightsArb = fc.record({
    averagePoints: weight,
    repairTimeliness: weight,
    contactTimeliness: weight,
    punctuality: weight,
  });
  const names = ['averagePoints', 'repairTimeliness', 'contactTimeliness', 'punctuality'] as const;

  it('property: null or within [0, 100] and within the range of the components used', () => {
    fc.assert(
      fc.property(componentsArb, weightsArb, (c, w) => {
        const s = blendScore(c, w);
        const used = names.filter((k) => c[k] !== null && w[k] > 0).map((k) => c[k] as number);
        if (used.length === 0) {
          expect(s).toBeNull();
          return;
        }
        expect(s).not.toBeNull();
        expect(s).toBeGreaterThanOrEqual(Math.min(...used));
        expect(s).toBeLessThanOrEqual(Math.max(...used));
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(100);
      }),
    );
  });

  it('property: invariant when all weights are multiplied by a positive constant', () => {
    fc.assert(
      fc.property(componentsArb, weightsArb, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (c, w, k) => {
        const scaled = Object.fromEntries(names.map((n) => [n, w[n] * k])) as Rules['score']['weights'];
        const a = blendScore(c, w);
        const b = blendScore(c, scaled);
        if (a === null) expect(b).toBeNull();
        else expect(b).toBeCloseTo(a, 9);
      }),
    );
  });

  it('property: all-equal components blend to that component', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), weightsArb, (x, w) => {
        fc.pre(names.some((n) => w[n] > 0));
        const c = { averagePoints: x, repairTimeliness: x, contactTimeliness: x, punctuality: x };
        expect(blendScore(c, w)).toBe(x);
      }),
    );
  });

  it('property: a null component equals the blend of the others with renormalised weights', () => {
    fc.assert(
      fc.property(componentsArb, weightsArb, fc.constantFrom(...names), (c, w, dropped) => {
        const withNull = blendScore({ ...c, [dropped]: null }, w);
        // Independent computation: keep the others, renormalise their weights to sum to 1.
        const kept = names.filter((n) => n !== dropped && c[n] !== null && w[n] > 0);
        const total = kept.reduce((sum, n) => sum + w[n], 0);
        if (kept.length === 0) {
          expect(withNull).toBeNull();
          return;
        }
        const expected = kept.reduce((sum, n) => sum + (w[n] / total) * (c[n] as number), 0);
        expect(withNull).toBeCloseTo(expected, 9);
        // ... which is also what a zero weight on that component gives.
        expect(blendScore(c, { ...w, [dropped]: 0 })).toBeCloseTo(expected, 9);
      }),
    );
  });
});

describe('figures', () => {
  it('8 satisfied / 1 basic / 1 dissatisfied out of 20 surveyed', () => {
    const f = figures(
      counts({
        completed: 25,
        surveyed: 20,
        responses: 10,
        satisfied: 8,
        basicallySatisfied: 1,
        dissatisfied: 1,
      }),
      rules,
    );
    expect(f.satisfactionRate).toBe(0.8);
    expect(f.basicallySatisfiedRate).toBe(0.1);
    expect(f.dissatisfactionRate).toBe(0.1);
    expect(f.averagePoints).toBe(86); // (100*8 + 60*1 + 0*1) / 10
    expect(f.responseRate).toBe(0.5);
    expect(f.contactOnTimeRate).toBeNull();
    expect(f.repairOnTimeRate).toBeNull();
    expect(f.punctualityRate).toBeNull();
    expect(f.score).toBe(86); // only averagePoints has data: renormalised to weight 1
    expect(f.satisfactionRateLowerBound).toBeCloseTo(wilsonReference(8, 10, 1.96), 12);
    expect(f.sampleSufficient).toBe(true);
    expect(f.flags).toEqual(['below_target']);
  });

  it('blends timeliness rates x100 with the default weights', () => {
    const f = figures(
      counts({
        surveyed: 10,
        responses: 10,
        satisfied: 8,
        basicallySatisfied: 1,
        dissatisfied: 1,
        repairOnTime: 9,
        repairApplicable: 10,
        contactOnTime: 4,
        contactApplicable: 5,
        punctual: 0,
        punctualApplicable: 0,
      }),
      rules,
    );
    expect(f.repairOnTimeRate).toBe(0.9);
    expect(f.contactOnTimeRate).toBe(0.8);
    expect(f.punctualityRate).toBeNull();
    // (50*86 + 20*90 + 15*80) / 85 = 7300 / 85
    expect(f.score).toBeCloseTo(7300 / 85, 12);
  });

  it('nothing to report: every figure null, insufficient sample, no other flag', () => {
    const f = figures(zero, rules);
    expect(f).toEqual({
      satisfactionRate: null,
      basicallySatisfiedRate: null,
      dissatisfactionRate: null,
      averagePoints: null,
      responseRate: null,
      contactOnTimeRate: null,
      repairOnTimeRate: null,
      punctualityRate: null,
      repeatRepairRate: null,
      score: null,
      satisfactionRateLowerBound: null,
      sampleSufficient: false,
      flags: ['insufficient_sample'],
    } satisfies Figures);
  });

  it('timeliness alone still gives a score, with no survey answered', () => {
    const f = figures(counts({ completed: 3, surveyed: 3, punctual: 3, punctualApplicable: 3 }), rules);
    expect(f.score).toBe(100);
    expect(f.averagePoints).toBeNull();
    expect(f.responseRate).toBe(0);
    expect(f.flags).toEqual(['insufficient_sample', 'low_response_rate']);
  });

  it('flags: at target, response rate exactly at the threshold, sample exactly the minimum', () => {
    const f = figures(counts({ surveyed: 200, responses: 60, satisfied: 57, basicallySatisfied: 3 }), rules);
    expect(f.satisfactionRate).toBe(0.95);
    expect(f.responseRate).toBe(0.3);
    expect(f.flags).toEqual([]);
    const g = figures(counts({ surveyed: 10, responses: 10, satisfied: 10 }), rules);
    expect(g.sampleSufficient).toBe(true);
    expect(g.flags).toEqual([]);
    const h = figures(counts({ surveyed: 31, responses: 9, satisfied: 9 }), rules);
    expect(h.sampleSufficient).toBe(false);
    expect(h.responseRate).toBeLessThan(0.3);
    expect(h.flags).toEqual(['insufficient_sample', 'low_response_rate']);
  });

  it('follows configured satisfied ratings, points, thresholds and z', () => {
    const custom = parseRules(
      JSON.stringify({
        satisfaction: { satisfiedRatings: [1, 2], target: 0.97, points: { 2: 80 } },
        score: { minSample: 5, lowResponseRate: 0.6, wilsonZ: 1 },
      }),
    );
    const f = figures(
      counts({ surveyed: 20, responses: 10, satisfied: 8, basicallySatisfied: 1, dissatisfied: 1 }),
      custom,
    );
    expect(f.satisfactionRate).toBe(0.9);
    expect(f.averagePoints).toBe(88); // (100*8 + 80*1) / 10
    expect(f.satisfactionRateLowerBound).toBeCloseTo(wilsonReference(9, 10, 1), 12);
    expect(f.flags).toEqual(['below_target', 'low_response_rate']);
    // the target is the configured one (never below the group's 0.95): 96 % is below 97 %, not 95 %
    const at96 = counts({ surveyed: 25, responses: 25, satisfied: 24, dissatisfied: 1 });
    expect(figures(at96, custom).flags).toContain('below_target');
    expect(figures(at96, rules).flags).not.toContain('below_target');
  });

  it('rejects negative, fractional or inconsistent counts instead of publishing a rate above 1', () => {
    expect(() => figures(counts({ surveyed: -1 }), rules)).toThrow(RangeError);
    expect(() => figures(counts({ surveyed: 1.5 }), rules)).toThrow(RangeError);
    expect(() => figures(counts({ surveyed: 2, responses: 2, satisfied: 1 }), rules)).toThrow(RangeError);
    expect(() => figures(counts({ surveyed: 1, responses: 2, satisfied: 2 }), rules)).toThrow(RangeError);
    expect(() => figures(counts({ repairOnTime: 3, repairApplicable: 2 }), rules)).toThrow(RangeError);
  });

  it('ignores extra fields of a wider input object', () => {
    const wide = { ...counts({ surveyed: 1, responses: 1, satisfied: 1 }), name: '张三', unrated: 4 };
    expect(figures(wide, rules).satisfactionRate).toBe(1);
  });

  /** Consistent counts: responses split into the three ratings, surveyed >= responses, applicable >= onTime. */
  const countsArb: fc.Arbitrary<ScoreCounts> = fc
    .record({
      satisfied: fc.nat(5000),
      basicallySatisfied: fc.nat(5000),
      dissatisfied: fc.nat(5000),
      notAnswered: fc.nat(20_000),
      notSurveyed: fc.nat(1000),
      contact: fc.tuple(fc.nat(1000), fc.nat(1000)),
      repair: fc.tuple(fc.nat(1000), fc.nat(1000)),
      punctual: fc.tuple(fc.nat(1000), fc.nat(1000)),
    })
    .map((r) => {
      const responses = r.satisfied + r.basicallySatisfied + r.dissatisfied;
      const surveyed = responses + r.notAnswered;
      return {
        completed: surveyed + r.notSurveyed,
        surveyed,
        responses,
        satisfied: r.satisfied,
        basicallySatisfied: r.basicallySatisfied,
        dissatisfied: r.dissatisfied,
        contactOnTime: r.contact[0],
        contactApplicable: r.contact[0] + r.contact[1],
        repairOnTime: r.repair[0],
        repairApplicable: r.repair[0] + r.repair[1],
        punctual: r.punctual[0],
        punctualApplicable: r.punctual[0] + r.punctual[1],
      };
    });

  it('property: rates null or in [0, 1], averagePoints in [0, 100], score null or in [0, 100]', () => {
    fc.assert(
      fc.property(countsArb, (c) => {
        const f = figures(c, rules);
        for (const rate of [
          f.satisfactionRate,
          f.basicallySatisfiedRate,
          f.dissatisfactionRate,
          f.responseRate,
          f.contactOnTimeRate,
          f.repairOnTimeRate,
          f.punctualityRate,
          f.satisfactionRateLowerBound,
        ]) {
          if (rate !== null) {
            expect(rate).toBeGreaterThanOrEqual(0);
            expect(rate).toBeLessThanOrEqual(1);
          }
        }
        expect(f.averagePoints === null).toBe(c.responses === 0);
        if (f.averagePoints !== null) {
          expect(f.averagePoints).toBeGreaterThanOrEqual(0);
          expect(f.averagePoints).toBeLessThanOrEqual(100);
        }
        const anyData =
          c.responses > 0 || c.contactApplicable > 0 || c.repairApplicable > 0 || c.punctualApplicable > 0;
        expect(f.score === null).toBe(!anyData);
        if (f.score !== null) {
          expect(f.score).toBeGreaterThanOrEqual(0);
          expect(f.score).toBeLessThanOrEqual(100);
        }
        if (f.satisfactionRate !== null) {
          expect(f.satisfactionRateLowerBound).toBeLessThanOrEqual(f.satisfactionRate);
        }
        expect(f.sampleSufficient).toBe(c.responses >= rules.score.minSample);
        expect(f.flags.includes('insufficient_sample')).toBe(!f.sampleSufficient);
      }),
    );
  });
});

describe('rank', () => {
  const fig = (over: Partial<Figures>): Figures => ({ ...figures(zero, rules), flags: [], ...over });
  const row = (engineerId: string, over: Partial<Figures>) => ({ engineerId, figures: fig(over) });

  it('puts sufficient samples first even when an insufficient one scores higher', () => {
    const rows = [
      row('e-small', { score: 100, sampleSufficient: false, satisfactionRateLowerBound: 0.7 }),
      row('e-a', { score: 80, sampleSufficient: true, satisfactionRateLowerBound: 0.5 }),
      row('e-b', { score: 90, sampleSufficient: true, satisfactionRateLowerBound: 0.4 }),
    ];
    expect(rank(rows).map((r) => [r.engineerId, r.rank])).toEqual([
      ['e-b', 1],
      ['e-a', 2],
      ['e-small', 3],
    ]);
  });

  it('null scores last within each group; ties broken by lower bound, then engineerId', () => {
    const rows = [
      row('i-null', { score: null, sampleSufficient: false }),
      row('s-null', { score: null, sampleSufficient: true, satisfactionRateLowerBound: 0.9 }),
      row('s-z', { score: 85, sampleSufficient: true, satisfactionRateLowerBound: 0.6 }),
      row('s-y', { score: 85, sampleSufficient: true, satisfactionRateLowerBound: 0.6 }),
      row('s-hi', { score: 85, sampleSufficient: true, satisfactionRateLowerBound: 0.7 }),
      row('s-nobound', { score: 85, sampleSufficient: true, satisfactionRateLowerBound: null }),
      row('i-50', { score: 50, sampleSufficient: false }),
    ];
    expect(rank(rows).map((r) => r.engineerId)).toEqual([
      's-hi',
      's-y',
      's-z',
      's-nobound',
      's-null',
      'i-50',
      'i-null',
    ]);
  });

  it('treats scores that differ only by floating-point noise as tied', () => {
    const rows = [
      row('b', { score: 0.1 + 0.2, sampleSufficient: true, satisfactionRateLowerBound: 0.5 }),
      row('a', { score: 0.3, sampleSufficient: true, satisfactionRateLowerBound: 0.5 }),
    ];
    expect(rank(rows).map((r) => r.engineerId)).toEqual(['a', 'b']);
  });

  it('does not mutate its input and keeps the other fields', () => {
    const rows = [
      { ...row('b', { score: 1, sampleSufficient: true }), name: '李四' },
      { ...row('a', { score: 2, sampleSufficient: true }), name: '张三' },
    ];
    const before = structuredClone(rows);
    const ranked = rank(rows);
    expect(rows).toEqual(before);
    expect(ranked[0]).toMatchObject({ engineerId: 'a', name: '张三', rank: 1 });
    expect(rank([])).toEqual([]);
  });

  const score = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null });
  const bound = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null });
  const rowsArb = fc.array(
    fc.record({
      engineerId: fc.string({ maxLength: 4 }),
      score,
      bound,
      sufficient: fc.boolean(),
    }),
    { maxLength: 30 },
  );

  it('property: a permutation ranked 1..n, every sufficient row before every insufficient one', () => {
    fc.assert(
      fc.property(rowsArb, (spec) => {
        const rows = spec.map((s, i) => ({
          engineerId: s.engineerId,
          i,
          figures: fig({
            score: s.score,
            satisfactionRateLowerBound: s.bound,
            sampleSufficient: s.sufficient,
          }),
        }));
        const ranked = rank(rows);
        expect(ranked.map((r) => r.rank)).toEqual(rows.map((_, i) => i + 1));
        expect(ranked.map((r) => r.i).sort((a, b) => a - b)).toEqual(rows.map((r) => r.i));
        const firstInsufficient = ranked.findIndex((r) => !r.figures.sampleSufficient);
        if (firstInsufficient >= 0) {
          expect(ranked.slice(firstInsufficient).every((r) => !r.figures.sampleSufficient)).toBe(true);
        }
        // Within a group, scores never increase (nulls at the end).
        for (let k = 1; k < ranked.length; k++) {
          const prev = ranked[k - 1] as (typeof ranked)[number];
          const cur = ranked[k] as (typeof ranked)[number];
          if (prev.figures.sampleSufficient !== cur.figures.sampleSufficient) continue;
          if (prev.figures.score === null) expect(cur.figures.score).toBeNull();
          else if (cur.figures.score !== null) {
            expect(cur.figures.score).toBeLessThanOrEqual(prev.figures.score + 1e-9);
          }
        }
      }),
    );
  });
});
