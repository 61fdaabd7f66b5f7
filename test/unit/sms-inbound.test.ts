import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { undeliveredDelta } from '#shared/domain/counters';
import {
  aliyunReceiptId,
  aliyunReplyId,
  closesSurveyWhenUndelivered,
  idForLog,
  providerTime,
  RECEIPT_WAIT_MS,
  receiptMayWait,
  tencentReceiptId,
  tencentReplyId,
  unixTime,
} from '#shared/domain/sms/inbound';
import { recomputeAggregates, surveyDelta } from '#shared/domain/verify/recompute';
import { smsCallbackToken } from '#shared/gateways/sms-callback-token';
import { callbackEvents, tokenMatches } from '#shared/http/sms-callbacks';

/** The pure rules of the SMS providers' pushes: dedup ids, times, which receipts close a survey. */
describe('SMS provider pushes: pure rules', () => {
  it('dedup ids: Aliyun by sequence_id / biz_id, Tencent by mobile + time + text / sid', () => {
    expect(aliyunReplyId(1234558)).toBe('aliyun:up:1234558');
    expect(aliyunReplyId('1234558')).toBe(aliyunReplyId(1234558));
    expect(aliyunReceiptId('12345^0')).toBe('aliyun:rpt:12345^0');
    expect(tencentReceiptId('sid-1')).toBe('tencent:rpt:sid-1');
    const a = tencentReplyId('13800138000', 1457336869, '1');
    expect(a).toMatch(/^tencent:up:[0-9a-f]{64}$/);
    expect(tencentReplyId('13800138000', 1457336869, '1')).toBe(a);
    // the number however the provider gives it (push: 11 digits; pull: +86...): the same id
    expect(tencentReplyId('+8613800138000', 1457336869, '1')).toBe(a);
    expect(tencentReplyId('8613800138000', 1457336869, '1')).toBe(a);
    expect(tencentReplyId('13800138000', 1457336869, '2')).not.toBe(a);
    expect(tencentReplyId('13800138000', 1457336870, '1')).not.toBe(a);
    expect(tencentReplyId('13800138001', 1457336869, '1')).not.toBe(a);
  });

  it('ids carry no phone number, not even masked; earlier Tencent ids are masked for logs', () => {
    const id = tencentReplyId('13800138000', 1457336869, '1');
    expect(id).not.toMatch(/138|8000/);
    expect(idForLog(id)).toBe(id);
    expect(idForLog(`tencent:up:13800138000:1457336869:${'a'.repeat(64)}`)).toBe(
      `tencent:up:138****8000:1457336869:${'a'.repeat(64)}`,
    );
    expect(idForLog('aliyun:up:1234558')).toBe('aliyun:up:1234558');
    expect(idForLog('in-1f0c')).toBe('in-1f0c');
  });

  it("providers' local times are China Standard Time; unreadable ones fall back", () => {
    const fallback = new Date('2026-11-20T02:00:00Z');
    expect(providerTime('2017-01-01 00:00:00', fallback)).toBe('2016-12-31T16:00:00.000Z');
    expect(providerTime('2017-13-45 99:00:00', fallback)).toBe(fallback.toISOString());
    expect(providerTime('yesterday', fallback)).toBe(fallback.toISOString());
    expect(providerTime(undefined, fallback)).toBe(fallback.toISOString());
    expect(unixTime(1457336869, fallback)).toBe('2016-03-07T07:47:49.000Z');
  });

  it('only the invitation closes its survey when undelivered (not the reminder)', () => {
    for (const t of ['survey', 'survey_link']) expect(closesSurveyWhenUndelivered(t), t).toBe(true);
    for (const t of ['reminder', 'thanks', 'reprompt', 'reasons_question', 'opt_out_confirm', undefined])
      expect(closesSurveyWhenUndelivered(t), String(t)).toBe(false);
  });

  it('a receipt before our record of the send waits 15 minutes, not a moment more', () => {
    const received = '2026-11-20T02:00:00.000Z';
    const t0 = Date.parse(received);
    expect(RECEIPT_WAIT_MS).toBe(15 * 60_000);
    expect(receiptMayWait(received, new Date(t0 + RECEIPT_WAIT_MS - 1))).toBe(true);
    expect(receiptMayWait(received, new Date(t0 + RECEIPT_WAIT_MS))).toBe(false);
  });

  it('undelivered: its own funnel figure, out of the response-rate denominator, also in the recompute', () => {
    expect(undeliveredDelta()).toEqual({ undelivered: 1, surveyed: -1 });
    const sent = { day: '2026-11-20', engineerId: 'E1', sentAt: '2026-11-20T02:20:00Z' };
    // The recompute derives from where the survey ended what the use case added (+1 sent, then the delta).
    expect(surveyDelta({ ...sent, status: 'undelivered' }).delta).toEqual({ completed: 1, undelivered: 1 });
    expect(surveyDelta({ ...sent, status: 'expired' }).delta).toEqual({
      completed: 1,
      surveyed: 1,
      expired: 1,
    });
    const live = { completed: 1, surveyed: 1 };
    const afterClose = {
      ...live,
      surveyed: live.surveyed + (undeliveredDelta().surveyed ?? 0),
      undelivered: 1,
    };
    const expected = recomputeAggregates([{ ...sent, status: 'undelivered' }], []).aggregates.get(
      '2026-11-20#E1',
    );
    expect(expected?.counts).toMatchObject(afterClose);
  });
});

describe('SMS callback edge', () => {
  it('the token compares equal only to itself', () => {
    const t = 'A'.repeat(40);
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(`${t}B`, t)).toBe(false);
    expect(tokenMatches('', t)).toBe(false);
    expect(tokenMatches(`${t.slice(0, -1)}B`, t)).toBe(false);
  });

  it('SMS_CALLBACK_TOKEN: at least 32 URL-safe characters, checked at start, naming it', () => {
    const T = 'tbl';
    expect(() => loadConfig({ TABLE_NAME: T, SMS_CALLBACK_TOKEN: 'short' })).toThrow(/SMS_CALLBACK_TOKEN/);
    expect(() => loadConfig({ TABLE_NAME: T, SMS_CALLBACK_TOKEN: `${'a'.repeat(40)}/x` })).toThrow(
      /SMS_CALLBACK_TOKEN/,
    );
    expect(() => loadConfig({ TABLE_NAME: T, SMS_CALLBACK_TOKEN_SECRET_ARN: 'nope' })).toThrow(
      /SMS_CALLBACK_TOKEN_SECRET_ARN/,
    );
    const good = 'abcDEF0123456789_-abcdefghijklmnop';
    expect(loadConfig({ TABLE_NAME: T, SMS_CALLBACK_TOKEN: good }).SMS_CALLBACK_TOKEN).toBe(good);
  });

  it('without a token configured the callbacks fail (never open to any token)', async () => {
    await expect(smsCallbackToken({})()).rejects.toThrow(/SMS_CALLBACK_TOKEN/);
  });

  it('a Tencent reply from +86 is matched by its full number; Aliyun dest_code is never used', () => {
    const now = new Date('2026-11-20T02:00:00Z');
    const [tc] = callbackEvents(
      { provider: 'tencent', kind: 'replies', token: 'x' },
      { extend: '', mobile: '13800138000', nationcode: '86', sign: 's', text: '1', time: 1 },
      now,
    );
    expect(tc).toMatchObject({ kind: 'reply', phone: '+8613800138000', text: '1' });
    const [al] = callbackEvents(
      { provider: 'aliyun', kind: 'replies', token: 'x' },
      [
        {
          phone_number: '13800138000',
          send_time: '2026-11-20 10:00:00',
          content: '1',
          sign_name: 's',
          dest_code: '999',
          sequence_id: 7,
        },
      ],
      now,
    );
    expect(al).toEqual({
      kind: 'reply',
      provider: 'aliyun',
      dedupId: 'aliyun:up:7',
      phone: '13800138000',
      text: '1',
      receivedAt: '2026-11-20T02:00:00.000Z',
    });
  });
});
