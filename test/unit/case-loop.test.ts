import { describe, expect, it } from 'vitest';
import { awaitingContact, isPastDeadline } from '#shared/domain/callbacks';
import {
  caseMessageId,
  closeStep,
  complaintRate,
  isReviewable,
  needsContactBeforeClose,
  progressNoticeAt,
  progressNoticeWanted,
} from '#shared/domain/case-loop';
import { callbackClosedDelta, callbackOverdueDelta } from '#shared/domain/counters';
import { parseRules } from '#shared/domain/rules';
import { type CallbackRecord, callbackDelta, recomputeAggregates } from '#shared/domain/verify/recompute';

const rules = parseRules(undefined);

describe('the case loop (docs/domain.md section 6, seed 003)', () => {
  it('defaults: progress notice at 24 h (003), 3 rounds and 1095 days (ours); configurable, checked', () => {
    expect(rules.complaints).toMatchObject({ progressNoticeHours: 24, retentionDays: 1095 });
    expect(rules.callbacks.maxRounds).toBe(3);
    const custom = parseRules('{"complaints":{"progressNoticeHours":12},"callbacks":{"maxRounds":1}}');
    expect(custom.complaints).toMatchObject({ progressNoticeHours: 12, retentionDays: 1095 });
    expect(custom.callbacks.maxRounds).toBe(1);
    expect(() => parseRules('{"callbacks":{"maxRounds":0}}')).toThrow(/RULES\.callbacks\.maxRounds/);
    expect(() => parseRules('{"complaints":{"retentionDays":0}}')).toThrow(
      /RULES\.complaints\.retentionDays/,
    );
    expect(() => parseRules('{"complaints":{"progressNoticeHour":1}}')).toThrow(/RULES\.complaints/);
  });

  it('the progress notice is due progressNoticeHours after opening, never in the quiet hours', () => {
    // 10:00 Beijing + 24 h = 10:00 the next day
    expect(progressNoticeAt(rules, new Date('2026-11-20T02:00:00Z'), 'C1').toISOString()).toBe(
      '2026-11-21T02:00:00.000Z',
    );
    // 22:30 Beijing + 24 h is quiet: 08:00 the day after, spread by the case id over the first hour
    const night = progressNoticeAt(rules, new Date('2026-11-20T14:30:00Z'), 'C1');
    expect(night.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-22T00:00:00Z'));
    expect(night.getTime()).toBeLessThan(Date.parse('2026-11-22T01:00:00Z'));
    expect(progressNoticeAt(rules, new Date('2026-11-20T14:30:00Z'), 'C1')).toEqual(night);
    const unspread = parseRules('{"sms":{"quietHours":{"spreadMinutes":0}}}');
    expect(progressNoticeAt(unspread, new Date('2026-11-20T14:30:00Z'), 'C1').toISOString()).toBe(
      '2026-11-22T00:00:00.000Z',
    );
    const six = parseRules('{"complaints":{"progressNoticeHours":6}}');
    expect(progressNoticeAt(six, new Date('2026-11-20T02:00:00Z'), 'C1').toISOString()).toBe(
      '2026-11-20T08:00:00.000Z',
    );
  });

  it('the notice goes out while the case is not closed, never to an erased customer', () => {
    for (const status of ['open', 'overdue', 'in_progress', 'pending_review', 'escalated'] as const) {
      expect(progressNoticeWanted({ status })).toBe(true);
    }
    expect(progressNoticeWanted({ status: 'closed' })).toBe(false);
    expect(progressNoticeWanted({ status: 'open', erasedAt: '2026-11-20T00:00:00Z' })).toBe(false);
  });

  it('resolved_unsatisfied returns any case to handling for rounds 1..maxRounds-1, then escalates', () => {
    for (const caseKind of [undefined, 'dissatisfied', 'complaint'] as const) {
      const c = (round: number | undefined, status: 'open' | 'overdue' | 'in_progress' = 'in_progress') => ({
        caseKind,
        status,
        round,
      });
      expect(closeStep(c(undefined, 'open'), 'resolved_unsatisfied', rules)).toEqual({
        kind: 'returned',
        round: 2,
      });
      expect(closeStep(c(2), 'resolved_unsatisfied', rules)).toEqual({ kind: 'returned', round: 3 });
      expect(closeStep(c(3), 'resolved_unsatisfied', rules)).toEqual({ kind: 'escalated' });
      expect(closeStep(c(3, 'overdue'), 'resolved_unsatisfied', rules)).toEqual({ kind: 'escalated' });
    }
    const one = parseRules('{"callbacks":{"maxRounds":1}}');
    expect(closeStep({ status: 'open' }, 'resolved_unsatisfied', one)).toEqual({ kind: 'escalated' });
  });

  it('other outcomes end a case: at once, or after review for a complaint; an escalated case ends on its close', () => {
    expect(closeStep({ status: 'open' }, 'resolved_satisfied', rules)).toEqual({ kind: 'closed' });
    expect(closeStep({ status: 'overdue', round: 2 }, 'unreachable', rules)).toEqual({ kind: 'closed' });
    expect(closeStep({ status: 'open', caseKind: 'complaint' }, 'resolved_satisfied', rules)).toEqual({
      kind: 'pending_review',
    });
    expect(closeStep({ status: 'escalated', round: 3 }, 'resolved_unsatisfied', rules)).toEqual({
      kind: 'closed',
    });
    expect(
      closeStep({ status: 'escalated', round: 3, caseKind: 'complaint' }, 'resolved_unsatisfied', rules),
    ).toEqual({ kind: 'pending_review' });
    expect(isReviewable('pending_review')).toBe(true);
    expect(isReviewable('closed')).toBe(false);
    expect(isReviewable('in_progress')).toBe(false);
  });

  it('a returned case awaits the first contact of its new round; others await none', () => {
    const deadline = '2026-11-21T02:00:00.000Z';
    const after = new Date('2026-11-21T02:00:00Z');
    const before = new Date('2026-11-21T01:59:59Z');
    expect(isPastDeadline({ status: 'open', deadline }, after)).toBe(true);
    expect(isPastDeadline({ status: 'open', deadline }, before)).toBe(false);
    // contacted in round 1, returned: the round's own contact counts
    const returned = { status: 'in_progress', contactedAt: '2026-11-20T03:00:00Z', deadline };
    expect(awaitingContact(returned)).toBe(true);
    expect(isPastDeadline(returned, after)).toBe(true);
    expect(isPastDeadline({ ...returned, roundContactedAt: '2026-11-21T01:00:00Z' }, after)).toBe(false);
    for (const status of ['overdue', 'pending_review', 'escalated', 'closed']) {
      expect(isPastDeadline({ status, deadline }, after)).toBe(false);
    }
  });

  it('a returned or escalated case is closed only after a contact since', () => {
    expect(needsContactBeforeClose({ status: 'in_progress' })).toBe(true);
    expect(needsContactBeforeClose({ status: 'escalated' })).toBe(true);
    expect(needsContactBeforeClose({ status: 'in_progress', roundContactedAt: '2026-11-20T03:00:00Z' })).toBe(
      false,
    );
    for (const status of ['open', 'overdue'] as const)
      expect(needsContactBeforeClose({ status })).toBe(false);
  });

  it('message ids: one per cause and occurrence', () => {
    expect(caseMessageId('c1', 'overdue', 0)).toBe('c1#overdue');
    expect(caseMessageId('c1', 'overdue', 1)).toBe('c1#overdue#2');
    expect(caseMessageId('c1', 'escalated', 2)).toBe('c1#escalated#3');
  });

  it('complaint rate: complaints per 100 completions, two decimals, null without completions', () => {
    expect(complaintRate(0, 0)).toBeNull();
    expect(complaintRate(0, 7)).toBe(0);
    expect(complaintRate(1, 3)).toBe(33.33);
    expect(complaintRate(2, 400)).toBe(0.5);
    expect(complaintRate(3, 3)).toBe(100);
  });

  it('counting: a complaint is also counted as a complaint closed or overdue', () => {
    expect(callbackOverdueDelta()).toEqual({ callbacksOverdue: 1 });
    expect(callbackOverdueDelta('complaint')).toEqual({ callbacksOverdue: 1, complaintsOverdue: 1 });
    expect(callbackClosedDelta('unreachable', 'complaint')).toEqual({
      callbacksClosed: 1,
      callbacksUnreachable: 1,
      complaintsClosed: 1,
    });
    expect(callbackClosedDelta('resolved_satisfied')).toEqual({
      callbacksClosed: 1,
      callbacksResolvedSatisfied: 1,
    });
  });
});

describe('verify recomputes the complaint counters from the case records', () => {
  const DAY = '2026-11-20';
  const cb = (over: Partial<CallbackRecord> = {}): CallbackRecord => ({
    caseId: `c-${Math.random()}`,
    day: DAY,
    engineerId: 'E1',
    status: 'open',
    history: [{ at: '2026-11-20T03:00:00Z', by: 'system', action: 'opened' }],
    ...over,
  });
  const overdue = { at: '2026-11-21T03:00:00Z', by: 'system', action: 'overdue' };

  it('closed and overdue complaints, each once whatever the rounds; returned and pending cases not closed', () => {
    const r = recomputeAggregates(
      [],
      [
        cb({ caseKind: 'complaint', status: 'closed', outcome: 'resolved_satisfied' }),
        // overdue in two rounds, closed after review: one overdue
        cb({
          caseKind: 'complaint',
          status: 'closed',
          outcome: 'unreachable',
          overdueAt: '2026-11-21T03:00:00Z',
          history: [overdue, { ...overdue, at: '2026-11-23T03:00:00Z' }],
        }),
        cb({ caseKind: 'complaint', status: 'pending_review', history: [overdue] }),
        cb({ caseKind: 'complaint', status: 'escalated' }),
        cb({ status: 'in_progress', overdueAt: '2026-11-21T03:00:00Z' }),
        cb({ status: 'closed', outcome: 'resolved_unsatisfied' }),
      ],
    );
    const counts = r.aggregates.get(`${DAY}#E1`)?.counts;
    expect(counts).toMatchObject({
      callbacksOpened: 6,
      callbacksOverdue: 3,
      callbacksClosed: 3,
      callbacksResolvedSatisfied: 1,
      callbacksUnreachable: 1,
      callbacksResolvedUnsatisfied: 1,
      complaints: 4,
      complaintsClosed: 2,
      complaintsOverdue: 2,
    });
    expect(r.problems).toEqual([]);
  });

  it('a complaint in pending_review is neither closed nor an outcome', () => {
    expect(callbackDelta(cb({ caseKind: 'complaint', status: 'pending_review' })).delta).toEqual({
      callbacksOpened: 1,
      complaints: 1,
    });
  });

  it('a case attributed to no engineer counts on no aggregate', () => {
    const r = recomputeAggregates([], [cb({ engineerId: '', caseKind: 'complaint', status: 'closed' })]);
    expect(r.aggregates.size).toBe(0);
    expect(r.callbacks).toBe(1);
  });
});
