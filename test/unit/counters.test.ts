import { describe, expect, it } from 'vitest';
import {
  callbackClosedDelta,
  callbackOverdueDelta,
  complaintUpgradeDelta,
  completionDelta,
  counters,
  outcomeCounter,
  ratingCounter,
  ratingDelta,
  reasonCounter,
  reasonsDelta,
  reopenedDelta,
  sumDeltas,
  suppressedDelta,
  suppressionCounter,
} from '#shared/domain/counters';
import { suppressionReasons } from '#shared/domain/types';
import { callbackDelta, surveyDelta } from '#shared/domain/verify/recompute';

describe('counter deltas', () => {
  it('map every suppression reason, rating, outcome and reason code to a counter of its own', () => {
    const all = [
      ...Object.values(suppressionCounter),
      ...Object.values(ratingCounter),
      ...Object.values(outcomeCounter),
      ...Object.values(reasonCounter),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const c of all) expect(counters).toContain(c);
    expect(Object.keys(suppressionCounter).sort()).toEqual([...suppressionReasons].sort());
  });

  it('count a completion and the timeliness figures that apply', () => {
    expect(
      completionDelta({ contactOnTime: true, repairOnTime: false, punctual: null, repairLimitHours: 4 }),
    ).toEqual({
      completed: 1,
      contactApplicable: 1,
      contactOnTime: 1,
      repairApplicable: 1,
      repairOnTime: 0,
      punctualApplicable: 0,
      punctual: 0,
    });
  });

  it('count a suppression under the total and its reason', () => {
    expect(suppressedDelta('staff_phone')).toEqual({ suppressed: 1, suppressedStaffPhone: 1 });
  });

  it('count each distinct reason 1-6 once and nothing else', () => {
    expect(reasonsDelta([2, 2, 6, 7, 0])).toEqual({ reason2: 1, reason6: 1 });
  });

  it('count a rating, the callback it opens and the reasons given with it', () => {
    expect(ratingDelta(3, { opensCallback: true, reasons: [1] })).toEqual({
      responses: 1,
      dissatisfied: 1,
      callbacksOpened: 1,
      reason1: 1,
    });
    expect(ratingDelta(1, { opensCallback: false })).toEqual({ responses: 1, satisfied: 1 });
  });

  it('take a reopened sent survey out of the denominator again', () => {
    expect(reopenedDelta('unsent')).toEqual({ reopened: 1, cancelled: 1 });
    expect(reopenedDelta('sent')).toEqual({ reopened: 1, cancelled: 1, surveyed: -1 });
    expect(reopenedDelta('kept')).toEqual({ reopened: 1 });
  });

  it('count a closed callback case under its outcome', () => {
    expect(callbackClosedDelta('unreachable')).toEqual({ callbacksClosed: 1, callbacksUnreachable: 1 });
  });
});

describe('the recompute agrees with the deltas the use cases add', () => {
  const nonZero = (d: Record<string, number | undefined>) =>
    Object.fromEntries(Object.entries(d).filter(([, v]) => v));
  const tl = { contactOnTime: true, repairOnTime: null, punctual: false, repairLimitHours: null } as const;

  it('for a suppressed survey', () => {
    const { delta } = surveyDelta({
      day: '2026-11-20',
      engineerId: 'E1',
      status: 'suppressed',
      reason: 'opted_out',
      timeliness: tl,
    });
    expect(nonZero(delta)).toEqual(nonZero({ ...completionDelta(tl), ...suppressedDelta('opted_out') }));
  });

  it('for a rated survey with reasons', () => {
    const { delta } = surveyDelta({
      day: '2026-11-20',
      engineerId: 'E1',
      status: 'answered',
      timeliness: tl,
      sentAt: '2026-11-20T01:00:00Z',
      rating: 2,
      reasons: [3, 3, 5],
    });
    expect(nonZero(delta)).toEqual(
      nonZero({
        ...completionDelta(tl),
        surveyed: 1,
        ...ratingDelta(2, { opensCallback: false, reasons: [3, 5] }),
      }),
    );
  });

  it('for a closed callback case', () => {
    const { delta } = callbackDelta({
      day: '2026-11-20',
      engineerId: 'E1',
      status: 'closed',
      outcome: 'resolved_satisfied',
    });
    expect(delta).toEqual({ callbacksOpened: 1, ...callbackClosedDelta('resolved_satisfied') });
  });
});

describe('a dissatisfied case upgraded to a complaint', () => {
  it('counts a complaint, and a complaint overdue only when the case had already gone overdue', () => {
    expect(complaintUpgradeDelta({ status: 'open' })).toEqual({ complaints: 1 });
    expect(complaintUpgradeDelta({ status: 'in_progress', history: [{ action: 'opened' }] })).toEqual({
      complaints: 1,
    });
    for (const c of [
      { status: 'overdue' },
      { status: 'in_progress', overdueAt: '2026-11-20T04:30:00Z' },
      { status: 'escalated', history: [{ action: 'overdue' }] },
    ]) {
      expect(complaintUpgradeDelta(c), JSON.stringify(c)).toEqual({ complaints: 1, complaintsOverdue: 1 });
    }
  });

  it('live counting and the recompute agree: upgrade after overdue = overdue after upgrade', () => {
    const overdueThenUpgrade = sumDeltas(
      callbackOverdueDelta('dissatisfied'),
      complaintUpgradeDelta({ status: 'overdue' }),
    );
    const upgradeThenOverdue = sumDeltas(
      complaintUpgradeDelta({ status: 'open' }),
      callbackOverdueDelta('complaint'),
    );
    expect(overdueThenUpgrade).toEqual(upgradeThenOverdue);
    expect(upgradeThenOverdue).toEqual({ complaints: 1, callbacksOverdue: 1, complaintsOverdue: 1 });
  });
});
