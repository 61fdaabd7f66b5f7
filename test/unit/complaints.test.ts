import { describe, expect, it } from 'vitest';
import { canSeeCase, caseListReach } from '#shared/domain/access';
import { attributable, complaintCaseId, complaintIntent, UNATTRIBUTED } from '#shared/domain/complaints';
import { complaintOpenedDelta, ratingDelta, sumDeltas, unratedDelta } from '#shared/domain/counters';
import { HOTLINE_MAX, parseRules } from '#shared/domain/rules';
import { noticeSms, promisedHours } from '#shared/domain/sms/notices';
import { parseSmsReply } from '#shared/domain/sms/reply-parser';
import { renderSms } from '#shared/domain/sms/templates';
import { callbackDelta, countCallback, emptyExpected } from '#shared/domain/verify/recompute';

const rules = parseRules(undefined);

describe('complaintIntent (complaints.keywords)', () => {
  it.each([
    '我要投诉，网络还是不通',
    '投诉',
    '我要举报你们的师傅',
    '再不修好我就打12300',
    '打工信部电话',
    '宽带还是不通',
    '电视还是不能用',
    '师傅走了问题没解决',
    '根本没修好',
    '装维人员态度差',
    '３ 我要ＴＯＵ投诉', // full-width digits and letters are folded; the keyword still matches
    '不满意，要投诉', // 不 belongs to 满意
    '不满意要投诉',
    '不是投诉，但宽带还是不通', // one negated keyword, another meant
    '投诉：师傅不是本人',
  ])('%s is a complaint', (text) => {
    expect(complaintIntent(rules, text)).toBe(true);
  });

  it.each([
    '3',
    '１',
    '1 3',
    '12300', // digits alone are never a complaint, even the MIIT hotline's number
    '3。',
    '谢谢师傅，很满意',
    '网络已经修好了',
    '问题解决了',
    '师傅态度很好',
    '我的号码是13812300000', // 12300 inside a longer number is not the keyword
    '',
    '不是投诉，问一下流量',
    '我不想投诉，谢谢师傅',
    '没有要投诉的意思',
    '并非投诉',
    '我不会去举报的',
    '不打12300了，已经修好',
    '别投诉了，已经解决',
  ])('%s is not a complaint', (text) => {
    expect(complaintIntent(rules, text)).toBe(false);
  });

  it('"3 我要投诉" is both a rating 3 and a complaint', () => {
    expect(parseSmsReply('3 我要投诉')).toMatchObject({ type: 'rating', rating: 3 });
    expect(complaintIntent(rules, '3 我要投诉')).toBe(true);
  });

  it('reads the configured word list, not the defaults', () => {
    const own = parseRules(JSON.stringify({ complaints: { keywords: ['差劲'] } }));
    expect(complaintIntent(own, '服务太差劲')).toBe(true);
    expect(complaintIntent(own, '我要投诉')).toBe(false);
  });

  it('an empty word list or an empty word stops start-up naming the path', () => {
    expect(() => parseRules(JSON.stringify({ complaints: { keywords: [] } }))).toThrow(
      /RULES\.complaints\.keywords/,
    );
    expect(() => parseRules(JSON.stringify({ complaints: { keywords: ['  '] } }))).toThrow(
      /RULES\.complaints\.keywords\.0/,
    );
  });
});

describe('attribution of a complaint with no open survey', () => {
  const at = new Date('2026-12-31T04:00:00Z');
  const daysBefore = (d: number) => new Date(at.getTime() - d * 86_400_000).toISOString();
  it('to the last surveyed ticket within 30 days, not after', () => {
    expect(attributable(daysBefore(0), at)).toBe(true);
    expect(attributable(daysBefore(30), at)).toBe(true);
    expect(attributable(daysBefore(30.0001), at)).toBe(false);
    expect(attributable(daysBefore(31), at)).toBe(false);
    expect(attributable(undefined, at)).toBe(false);
  });

  it('the case id is fixed by the inbound message id (a redelivery finds the same case)', () => {
    expect(complaintCaseId('in-1')).toBe(complaintCaseId('in-1'));
    expect(complaintCaseId('in-1')).not.toBe(complaintCaseId('in-2'));
    expect(complaintCaseId('in-1')).toMatch(/^CMP-[0-9a-f]{32}$/);
  });

  it('unattributed cases are for admins only, whatever a scope names', () => {
    const where = { team: UNATTRIBUTED, region: UNATTRIBUTED };
    const manager = { role: 'manager' as const, teams: [UNATTRIBUTED], regions: [UNATTRIBUTED] };
    expect(canSeeCase({ role: 'admin', teams: [], regions: [] }, where)).toBe(true);
    expect(canSeeCase(manager, where)).toBe(false);
    expect(caseListReach(manager, { team: UNATTRIBUTED })).toEqual({ kind: 'forbidden' });
    expect(caseListReach(manager, {})).toEqual({ kind: 'partitions', teams: [], regions: [] });
    expect(caseListReach({ role: 'admin', teams: [], regions: [] }, { team: UNATTRIBUTED })).toMatchObject({
      kind: 'partitions',
      teams: [UNATTRIBUTED],
    });
  });
});

describe('counting complaints', () => {
  it('a rating with a complaint counts the rating and one case, a complaint', () => {
    expect(ratingDelta(3, { opensCallback: false, complaint: true })).toEqual({
      responses: 1,
      dissatisfied: 1,
      callbacksOpened: 1,
      complaints: 1,
    });
    expect(sumDeltas(unratedDelta(), complaintOpenedDelta())).toEqual({
      unrated: 1,
      callbacksOpened: 1,
      complaints: 1,
    });
  });

  it('the recompute counts a complaint case as the use cases do, and an unattributed one nowhere', () => {
    const c = { day: '2026-12-01', engineerId: 'E1', team: 'T1', status: 'open', caseKind: 'complaint' };
    expect(callbackDelta(c).delta).toEqual(complaintOpenedDelta());
    expect(callbackDelta({ ...c, caseKind: undefined }).delta).toEqual({ callbacksOpened: 1 });
    const into = emptyExpected();
    countCallback(into, { ...c, engineerId: '', team: UNATTRIBUTED });
    expect(into.aggregates.size).toBe(0);
  });
});

describe('what the customer is told (sms.hotline, callbacks.contactWithinHours)', () => {
  it('the callback thanks says when the customer will be called, not just 尽快', () => {
    const n = noticeSms(rules, 'thanks_callback');
    const { body } = renderSms(n.template, n.vars, rules.sms.signature);
    expect(body).toContain('将在24小时内致电您');
    expect(body).not.toContain('尽快');
  });

  it('the promised hours round the deadline up to whole hours', () => {
    const half = parseRules(JSON.stringify({ callbacks: { contactWithinHours: 1.5 } }));
    expect(promisedHours(half)).toBe('2');
    expect(promisedHours(parseRules(JSON.stringify({ callbacks: { contactWithinHours: 0.25 } })))).toBe('1');
    expect(promisedHours(parseRules(JSON.stringify({ callbacks: { contactWithinHours: 720 } })))).toBe('720');
  });

  it('without a hotline no notice names one; with one, the notice and the callback thanks do', () => {
    for (const notice of ['no_open_survey', 'thanks_callback', 'complaint_received'] as const) {
      const plain = noticeSms(rules, notice);
      expect(plain.vars.hotline).toBeUndefined();
      const withHotline = parseRules(JSON.stringify({ sms: { hotline: '10086' } }));
      const n = noticeSms(withHotline, notice);
      expect(n.template).toBe(`${notice}_hotline`);
      expect(renderSms(n.template, n.vars, '客户服务').body).toContain('拨打10086');
    }
  });

  it.each(['10086', '400-123-4567', '0791-88888888', '12345'])('accepts the hotline %s', (hotline) => {
    expect(parseRules(JSON.stringify({ sms: { hotline } })).sms.hotline).toBe(hotline);
  });

  it.each([
    '10',
    '0791--8888888',
    '-10086',
    '10086-',
    '+86 10086',
    '0791-888888888',
    '10086 回T退订',
    '１００８６',
  ])('refuses the hotline %j at start, naming RULES.sms.hotline', (hotline) => {
    expect(() => parseRules(JSON.stringify({ sms: { hotline } }))).toThrow(/RULES\.sms\.hotline/);
  });

  it('the longest hotline accepted is the one the segment checks use', () => {
    expect(HOTLINE_MAX).toBe(13);
    expect(parseRules(JSON.stringify({ sms: { hotline: '0791-88888888' } })).sms.hotline).toHaveLength(13);
  });
});
