import { describe, expect, it } from 'vitest';
import { contactDeadline, isPastDeadline, noticeAllowed, opensCallback } from '#shared/domain/callbacks';
import { parseRules } from '#shared/domain/rules';

const rules = parseRules(undefined);
const at = new Date('2026-11-20T06:00:00Z');

describe('callback rules (docs/domain.md section 6)', () => {
  it('不满意 opens a case; 基本满意 only when configured; 满意 never', () => {
    expect([1, 2, 3].map((r) => opensCallback(rules, r as 1 | 2 | 3))).toEqual([false, false, true]);
    const basic = parseRules('{"callbacks":{"openOnBasicallySatisfied":true}}');
    expect([1, 2, 3].map((r) => opensCallback(basic, r as 1 | 2 | 3))).toEqual([false, true, true]);
  });

  it('the contact is due contactWithinHours after the case opens', () => {
    expect(contactDeadline(rules, at).toISOString()).toBe('2026-11-21T06:00:00.000Z');
    const six = parseRules('{"callbacks":{"contactWithinHours":6}}');
    expect(contactDeadline(six, at).toISOString()).toBe('2026-11-20T12:00:00.000Z');
  });

  it('an open case is overdue from its deadline on, unless someone made contact', () => {
    const deadline = at.toISOString();
    expect(isPastDeadline({ status: 'open', deadline }, new Date(at.getTime() - 1))).toBe(false);
    expect(isPastDeadline({ status: 'open', deadline }, at)).toBe(true);
    expect(isPastDeadline({ status: 'open', deadline, contactedAt: deadline }, at)).toBe(false);
    expect(isPastDeadline({ status: 'closed', deadline }, at)).toBe(false);
    expect(isPastDeadline({ status: 'overdue', deadline }, at)).toBe(false);
  });

  it('at most one no-open-survey notice per noticeIntervalHours', () => {
    expect(noticeAllowed(rules, undefined, at)).toBe(true);
    const last = new Date(at.getTime() - 24 * 3_600_000);
    expect(noticeAllowed(rules, new Date(last.getTime() + 1).toISOString(), at)).toBe(false);
    expect(noticeAllowed(rules, last.toISOString(), at)).toBe(true);
  });
});
