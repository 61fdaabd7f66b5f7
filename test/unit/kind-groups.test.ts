import { describe, expect, it } from 'vitest';
import {
  completionDelta,
  counters,
  groupCounters,
  groupRatingDelta,
  ratingDelta,
} from '#shared/domain/counters';
import { countedKindGroups, kindGroupOf, kindGroups } from '#shared/domain/kind-groups';
import { parseRules, ticketKinds } from '#shared/domain/rules';
import { groupSatisfaction } from '#shared/domain/score';
import type { Timeliness } from '#shared/domain/timeliness';
import { surveyDelta } from '#shared/domain/verify/recompute';

const rules = parseRules(undefined);
const tl: Timeliness = { contactOnTime: null, repairOnTime: null, punctual: null, repairLimitHours: null };

describe('kind groups (004 5.2)', () => {
  it('put store visits, handset sales and new business in groups of their own, and every other kind in field', () => {
    expect(Object.fromEntries(ticketKinds.map((k) => [k, kindGroupOf(k)]))).toEqual({
      repair: 'field',
      install: 'field',
      move: 'field',
      removal: 'field',
      activation: 'field',
      inspection: 'field',
      store_sale: 'handset_sale',
      new_business: 'new_business',
      store_service: 'store_service',
    });
    expect(kindGroupOf(undefined)).toBe('field');
    expect(kindGroupOf('toString')).toBe('field'); // not an inherited property
    expect(new Set(ticketKinds.map(kindGroupOf))).toEqual(new Set(kindGroups));
  });

  it('count a rating in its group by rating (1 and 2; 3 is the rest), and nothing for field kinds', () => {
    expect(groupRatingDelta('store_service', 1)).toEqual({
      g_store_service_responses: 1,
      g_store_service_satisfied: 1,
    });
    expect(groupRatingDelta('store_sale', 2)).toEqual({
      g_handset_sale_responses: 1,
      g_handset_sale_basicallySatisfied: 1,
    });
    expect(groupRatingDelta('new_business', 3)).toEqual({ g_new_business_responses: 1 });
    expect(groupRatingDelta('repair', 1)).toEqual({});
    expect(ratingDelta(1, { opensCallback: false, kind: 'store_service' })).toEqual({
      responses: 1,
      satisfied: 1,
      g_store_service_responses: 1,
      g_store_service_satisfied: 1,
    });
    for (const g of countedKindGroups) {
      for (const c of Object.values(groupCounters[g])) expect(counters).toContain(c);
    }
  });

  it('count repairs completed, and the recompute counts groups, repairs and repeats the same way', () => {
    expect(completionDelta(tl, 'repair').repairsCompleted).toBe(1);
    expect(completionDelta(tl, 'install').repairsCompleted).toBeUndefined();
    const { delta } = surveyDelta({
      day: '2026-10-01',
      engineerId: 'E1',
      status: 'answered',
      kind: 'store_sale',
      rating: 2,
      timeliness: tl,
    });
    expect(delta).toMatchObject({
      responses: 1,
      g_handset_sale_responses: 1,
      g_handset_sale_basicallySatisfied: 1,
    });
    const repair = surveyDelta({
      day: '2026-10-01',
      engineerId: 'E1',
      status: 'expired',
      kind: 'repair',
      repeat: { kind: 'reopen', at: '2026-10-02T00:00:00.000Z' },
      timeliness: tl,
    }).delta;
    expect(repair).toMatchObject({ repairsCompleted: 1, repeatRepairs: 1 });
    expect(
      surveyDelta({ day: '2026-10-01', engineerId: 'E1', status: 'expired', kind: 'repair', timeliness: tl })
        .delta.repeatRepairs,
    ).toBeUndefined();
  });

  it('give each group its satisfaction against the target, field being the totals minus the others', () => {
    const g = groupSatisfaction(
      { responses: 10, satisfied: 7, basicallySatisfied: 2 },
      {
        store_service: { responses: 4, satisfied: 2, basicallySatisfied: 1 },
        handset_sale: { responses: 1, satisfied: 1, basicallySatisfied: 0 },
        new_business: { responses: 0, satisfied: 0, basicallySatisfied: 0 },
      },
      rules,
    );
    expect(g.store_service).toEqual({
      responses: 4,
      satisfied: 2,
      satisfactionRate: 0.5,
      target: 0.95,
      belowTarget: true,
    });
    expect(g.handset_sale).toMatchObject({ satisfactionRate: 1, belowTarget: false });
    expect(g.new_business).toEqual({
      responses: 0,
      satisfied: 0,
      satisfactionRate: null,
      target: 0.95,
      belowTarget: false,
    });
    expect(g.field).toMatchObject({ responses: 5, satisfied: 4, satisfactionRate: 0.8, belowTarget: true });
  });

  it('honour satisfaction.satisfiedRatings within each group', () => {
    const lenient = parseRules('{"satisfaction":{"satisfiedRatings":[1,2]}}');
    const g = groupSatisfaction(
      { responses: 4, satisfied: 2, basicallySatisfied: 1 },
      {
        store_service: { responses: 4, satisfied: 2, basicallySatisfied: 1 },
        handset_sale: { responses: 0, satisfied: 0, basicallySatisfied: 0 },
        new_business: { responses: 0, satisfied: 0, basicallySatisfied: 0 },
      },
      lenient,
    );
    expect(g.store_service).toMatchObject({ satisfied: 3, satisfactionRate: 0.75 });
    expect(g.field).toMatchObject({ responses: 0, satisfactionRate: null });
  });
});
