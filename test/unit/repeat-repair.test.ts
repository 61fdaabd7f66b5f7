import { describe, expect, it } from 'vitest';
import { isLaterRepair, isRepairKind, repeatDecision } from '#shared/domain/repeat-repair';
import { parseRules } from '#shared/domain/rules';
import { blendScore, figures, type ScoreCounts } from '#shared/domain/score';

const DAY = 86_400_000;
const first = '2026-10-01T02:00:00.000Z';
const plus = (ms: number) => new Date(Date.parse(first) + ms).toISOString();

describe('the repeat-repair window (instant difference <= repeatRepairDays x 24 h)', () => {
  it('counts a repair exactly 30 days after the previous one, not a millisecond more, nor 31 days', () => {
    expect(repeatDecision(first, plus(30 * DAY), 30)).toBe('previous_repeated');
    expect(repeatDecision(first, plus(30 * DAY + 1), 30)).toBe('none');
    expect(repeatDecision(first, plus(31 * DAY), 30)).toBe('none');
    expect(repeatDecision(first, plus(1), 30)).toBe('previous_repeated');
  });

  it('follows repeatRepairDays', () => {
    expect(repeatDecision(first, plus(7 * DAY), 7)).toBe('previous_repeated');
    expect(repeatDecision(first, plus(8 * DAY), 7)).toBe('none');
    expect(parseRules(undefined).repeatRepairDays).toBe(30);
    expect(parseRules('{"repeatRepairDays":7}').repeatRepairDays).toBe(7);
    expect(() => parseRules('{"repeatRepairDays":0}')).toThrow(/RULES\.repeatRepairDays/);
    expect(() => parseRules('{"repeatRepairDays":1.5}')).toThrow(/RULES\.repeatRepairDays/);
  });

  it('marks the earlier of two repairs delivered out of order, and never one at the same instant', () => {
    expect(repeatDecision(plus(30 * DAY), first, 30)).toBe('this_repeated');
    expect(repeatDecision(plus(31 * DAY), first, 30)).toBe('none');
    expect(repeatDecision(first, first, 30)).toBe('none');
    expect(isLaterRepair(first, plus(1))).toBe(true);
    expect(isLaterRepair(plus(1), first)).toBe(false);
  });

  it('applies to repairs only', () => {
    expect(isRepairKind('repair')).toBe(true);
    expect(isRepairKind('install')).toBe(false);
    expect(isRepairKind(undefined)).toBe(false);
  });
});

describe('repeatRepairRate and its score weight', () => {
  const zero: ScoreCounts = {
    completed: 10,
    surveyed: 0,
    responses: 0,
    satisfied: 0,
    basicallySatisfied: 0,
    dissatisfied: 0,
    contactOnTime: 9,
    contactApplicable: 10,
    repairOnTime: 0,
    repairApplicable: 0,
    punctual: 0,
    punctualApplicable: 0,
  };

  it('is repeats / repairs completed, null without repairs', () => {
    const rules = parseRules(undefined);
    expect(figures({ ...zero, repairsCompleted: 8, repeatRepairs: 2 }, rules).repeatRepairRate).toBe(0.25);
    expect(figures(zero, rules).repeatRepairRate).toBeNull();
    expect(figures({ ...zero, repairsCompleted: 1, repeatRepairs: 3 }, rules).repeatRepairRate).toBe(1);
  });

  it('leaves the score alone by default (weight 0) and weighs 100 x (1 - rate) when configured', () => {
    const counts = { ...zero, repairsCompleted: 4, repeatRepairs: 1 };
    expect(parseRules(undefined).score.weights.repeatRepair).toBe(0);
    expect(figures(counts, parseRules(undefined)).score).toBeCloseTo(90); // contact 90 % alone
    const weighted = parseRules('{"score":{"weights":{"contactTimeliness":15,"repeatRepair":15}}}');
    // contact 90 and repeat 75, equal weights
    expect(figures(counts, weighted).score).toBeCloseTo(82.5);
    // no repair completed: the component is left out, not counted as 0 or 100
    expect(figures(zero, weighted).score).toBeCloseTo(90);
    const w = weighted.score.weights;
    expect(
      blendScore(
        {
          averagePoints: null,
          repairTimeliness: null,
          contactTimeliness: null,
          punctuality: null,
          repeatRepair: 50,
        },
        w,
      ),
    ).toBe(50);
  });
});
