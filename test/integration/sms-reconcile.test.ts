import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/scheduler/handler';
import { inProcessWorkers } from '#shared/app/scheduler/in-process-workers';
import { type AcceptInbound, reconcileSms } from '#shared/app/sms/reconcile';
import type { InboundEvent } from '#shared/domain/sms/inbound';
import { providerTemplateIds } from '#shared/domain/sms/templates';
import { smsPullers } from '#shared/gateways/sms-pull';
import { tencentReplyEvent } from '#shared/gateways/sms-pull/tencent-pull';
import { buildLambdaContext, buildScheduledEvent } from '../../infra/local/events.ts';
import { testDeps } from '../helpers/deps.ts';
import { startMnsStandin } from '../helpers/standins/aliyun-mns.ts';
import { startTencentPullStandin } from '../helpers/standins/tencent-pull.ts';

/**
 * The scheduled reconcile (issue 11): the official SDKs (`@alicloud/mns`, `tencentcloud-sdk-nodejs-sms`)
 * against local stand-ins of MNS's queue API and Tencent's pull APIs, feeding an inbox that keeps
 * events by dedup id as shared/app/sms/inbox.ts does (one write per batch, idempotent).
 */
const KEY = { id: 'LTAI5tTestKeyId', secret: 'aliyun-test-secret' };
const TC = { id: 'AKIDtestSecretId', secret: 'tencent-test-secret', app: '1400006666' };
const UP = 'Alicom-Queue-1943695596114318-SmsUp';
const REPORT = 'Alicom-Queue-1943695596114318-SmsReport';

// Queues in the operator's own account, read with the sender's keys (Aliyun's own account takes a
// token: sms-mns-token.test.ts).
const mns = await startMnsStandin({
  accessKeyId: KEY.id,
  accessKeySecret: KEY.secret,
  accountId: '1234567890123456',
  queues: [UP, REPORT],
});
const tencent = await startTencentPullStandin({ secretId: TC.id, secretKey: TC.secret, sdkAppId: TC.app });
afterAll(() => Promise.all([mns.close(), tencent.close()]));

/** Each provider's pull is read when it is the active SMS provider, with the sender's credentials. */
const codes = Object.fromEntries(providerTemplateIds.map((id, i) => [id, `SMS_${100 + i}`]));
const aliyunDeps = testDeps({
  env: {
    SMS_GATEWAY: 'aliyun',
    ALIYUN_MNS_ENDPOINT: mns.endpoint,
    ALIYUN_ACCOUNT_ID: mns.accountId,
    ALIYUN_MNS_QUEUE_SMS_UP: UP,
    ALIYUN_MNS_QUEUE_SMS_REPORT: REPORT,
    ALIYUN_ACCESS_KEY_ID: KEY.id,
    ALIYUN_ACCESS_KEY_SECRET: KEY.secret,
  },
  rules: { sms: { templateCodes: codes } },
});
const tencentDeps = testDeps({
  env: {
    SMS_GATEWAY: 'tencent',
    TENCENT_SMS_ENDPOINT: tencent.url,
    TENCENT_SMS_SDK_APP_ID: TC.app,
    TENCENT_SECRET_ID: TC.id,
    TENCENT_SECRET_KEY: TC.secret,
  },
  rules: { sms: { templateCodes: codes } },
});
const deps = aliyunDeps;
const pullers = [...smsPullers(aliyunDeps.config), ...smsPullers(tencentDeps.config)];

/** The inbox as its contract says: one write per call, kept by dedup id; `failures` calls throw. */
function inbox() {
  const stored = new Map<string, InboundEvent>();
  const seen: InboundEvent[][] = [];
  const state = { failures: 0 };
  const accept: AcceptInbound = async (events) => {
    seen.push(events);
    if (state.failures > 0) {
      state.failures -= 1;
      throw new Error('table unavailable');
    }
    for (const e of events) if (!stored.has(e.dedupId)) stored.set(e.dedupId, e);
  };
  return { accept, stored, seen, state };
}

const smsUp = (seq: number, phone = '13800138000', content = '5') => ({
  phone_number: phone,
  send_time: '2026-12-01 10:00:00',
  content,
  sign_name: '【客户服务】',
  dest_code: '1234',
  sequence_id: seq,
});
const smsReport = (bizId: string, outId: string, success = true) => ({
  phone_number: '13800138000',
  success,
  biz_id: bizId,
  out_id: outId,
  send_time: '2026-12-01 09:59:00',
  report_time: '2026-12-01 09:59:05',
  err_code: success ? 'DELIVERED' : 'MOBILE_NOT_ON_SERVICE',
  err_msg: success ? '用户接收成功' : '停机',
  sms_size: '1',
});
const reply = (time: number, text: string) => ({
  ExtendCode: '',
  CountryCode: '86',
  PhoneNumber: '+8613900139000',
  SignName: '客户服务',
  ReplyContent: text,
  ReplyTime: time,
  SubscriberNumber: '13900139000',
});
const status = (sid: string, ok: boolean) => ({
  UserReceiveTime: 1796090345,
  CountryCode: '86',
  SubscriberNumber: '13900139000',
  PhoneNumber: '+8613900139000',
  SerialNo: sid,
  ReportStatus: ok ? ('SUCCESS' as const) : ('FAIL' as const),
  Description: ok ? '用户短信送达成功' : '用户关机',
  SessionContext: `sms-${sid}`,
});

beforeEach(() => {
  mns.failing = false;
  tencent.failing = false;
  mns.requests.length = 0;
  tencent.requests.length = 0;
});

describe('scheduled reconcile of the SMS providers', () => {
  it('pulls every configured source through the official SDKs, with the push callbacks’ dedup ids', async () => {
    mns.enqueue(UP, smsUp(9001));
    mns.enqueue(UP, smsUp(9002, '13700137000', '不满意'));
    mns.enqueue(REPORT, smsReport('900^1', 'sms-a'));
    mns.enqueue(REPORT, 'bm90IGpzb24='); // base64 of "not json": unreadable, logged and deleted
    tencent.addReply(reply(1796090400, '4'));
    tencent.addStatus(status('2028:aa', false));
    const box = inbox();

    const result = await reconcileSms(pullers, box.accept);

    expect(result).toEqual({
      'aliyun:SmsUp': { received: 2, accepted: 2, unreadable: 0 },
      'aliyun:SmsReport': { received: 2, accepted: 1, unreadable: 1 },
      'tencent:PullSmsReplyStatus': { received: 1, accepted: 1, unreadable: 0 },
      'tencent:PullSmsSendStatus': { received: 1, accepted: 1, unreadable: 0 },
    });
    expect([...box.stored.keys()].sort()).toEqual(
      [
        'aliyun:rpt:900^1',
        'aliyun:up:9001',
        'aliyun:up:9002',
        'tencent:rpt:2028:aa',
        tencentReplyEvent(reply(1796090400, '4'))?.dedupId,
      ].sort(),
    );
    expect(box.stored.get('aliyun:up:9002')).toMatchObject({ phone: '+8613700137000', text: '不满意' });
    expect(box.stored.get('aliyun:rpt:900^1')).toMatchObject({ smsId: 'sms-a', delivered: true });
    expect(box.stored.get('tencent:rpt:2028:aa')).toMatchObject({
      smsId: 'sms-2028:aa',
      delivered: false,
      code: '用户关机',
    });
    // Deleted after acceptance, the unreadable one too; Tencent hands records out once.
    expect([mns.depth(UP), mns.depth(REPORT)]).toEqual([0, 0]);
    expect(mns.deleted(REPORT)).toHaveLength(2);
    expect(tencent.pending()).toEqual({ replies: 0, statuses: 0 });
    // The documented parameters: MNS batches of up to 16 with a short long-poll, Tencent Limit + app.
    expect(mns.requests).toContain(`GET /queues/${UP}/messages?numOfMessages=16&waitseconds=1`);
    expect(tencent.requests).toContainEqual({
      action: 'PullSmsReplyStatus',
      params: { Limit: 100, SmsSdkAppId: TC.app },
    });
    expect(tencent.requests).toContainEqual({
      action: 'PullSmsSendStatus',
      params: { Limit: 100, SmsSdkAppId: TC.app },
    });
  });

  it('deletes MNS messages only after the inbox accepted them: a failed acceptance leaves them to be pulled again, with the same ids', async () => {
    mns.enqueue(UP, smsUp(9101));
    mns.enqueue(REPORT, smsReport('910^1', 'sms-b', false));
    const box = inbox();
    box.state.failures = 2;

    const failed = await reconcileSms(pullers, box.accept);
    expect(failed['aliyun:SmsUp']).toMatchObject({
      received: 1,
      accepted: 0,
      error: expect.stringMatching(/table unavailable/),
    });
    expect(failed['aliyun:SmsReport']).toMatchObject({ received: 1, accepted: 0 });
    expect(box.stored.size).toBe(0);
    expect([mns.depth(UP), mns.depth(REPORT)]).toEqual([1, 1]);
    expect(mns.requests.some((r) => r.startsWith('DELETE'))).toBe(false);
    const firstIds = box.seen
      .flat()
      .map((e) => e.dedupId)
      .sort();

    // Still invisible (its visibility timeout has not passed): nothing to pull now.
    const early = await reconcileSms(pullers, box.accept);
    expect(early['aliyun:SmsUp']).toEqual({ received: 0, accepted: 0, unreadable: 0 });

    mns.makeAllVisible();
    const again = await reconcileSms(pullers, box.accept);
    expect(again['aliyun:SmsUp']).toEqual({ received: 1, accepted: 1, unreadable: 0 });
    expect(again['aliyun:SmsReport']).toEqual({ received: 1, accepted: 1, unreadable: 0 });
    expect([...box.stored.keys()].sort()).toEqual(firstIds);
    expect(firstIds).toEqual(['aliyun:rpt:910^1', 'aliyun:up:9101']);
    expect([mns.depth(UP), mns.depth(REPORT)]).toEqual([0, 0]);
  });

  it('a message delivered twice (pushed, or its delete lost) is stored once', async () => {
    const box = inbox();
    mns.enqueue(UP, smsUp(9201));
    await reconcileSms(pullers, box.accept);
    mns.enqueue(UP, smsUp(9201)); // Aliyun puts the same reply in the queue again
    const second = await reconcileSms(pullers, box.accept);
    expect(second['aliyun:SmsUp']).toMatchObject({ received: 1, accepted: 1 });
    expect(box.seen.flat().map((e) => e.dedupId)).toEqual(['aliyun:up:9201', 'aliyun:up:9201']);
    expect(box.stored.size).toBe(1);
  });

  it('retries the acceptance of a Tencent batch (Tencent hands records out once), and reports what it could not hand over', async () => {
    tencent.addReply(reply(1796090500, '3'));
    const box = inbox();
    box.state.failures = 1;
    const ok = await reconcileSms(pullers, box.accept, { retryDelayMs: 1 });
    expect(ok['tencent:PullSmsReplyStatus']).toEqual({ received: 1, accepted: 1, unreadable: 0 });
    expect(box.seen).toHaveLength(2);
    expect(box.stored.size).toBe(1);

    tencent.addStatus(status('2028:bb', true));
    box.state.failures = 3;
    const lost = await reconcileSms(pullers, box.accept, { retryDelayMs: 1, acceptAttempts: 3 });
    expect(lost['tencent:PullSmsSendStatus']).toEqual({
      received: 1,
      accepted: 0,
      unreadable: 0,
      notAccepted: 1,
    });
    expect(tencent.pending().statuses).toBe(0);
  });

  it('reads in bounded batches and leaves the rest for the next run', async () => {
    for (let i = 0; i < 40; i++) mns.enqueue(UP, smsUp(9300 + i));
    const box = inbox();
    const first = await reconcileSms(pullers, box.accept, { maxBatches: 2 });
    expect(first['aliyun:SmsUp']).toMatchObject({ received: 32, accepted: 32 });
    expect(mns.depth(UP)).toBe(8);
    const rest = await reconcileSms(pullers, box.accept, { maxBatches: 2 });
    expect(rest['aliyun:SmsUp']).toMatchObject({ received: 8, accepted: 8 });
    expect(box.stored.size).toBe(40);
  });

  it('one provider failing does not stop the other', async () => {
    mns.enqueue(UP, smsUp(9401));
    tencent.addReply(reply(1796090600, '5'));
    mns.failing = true;
    const box = inbox();
    const r1 = await reconcileSms(pullers, box.accept);
    expect(r1['aliyun:SmsUp']?.error).toMatch(/ServiceUnavailable/);
    expect(r1['aliyun:SmsReport']?.error).toMatch(/ServiceUnavailable/);
    expect(r1['tencent:PullSmsReplyStatus']).toEqual({ received: 1, accepted: 1, unreadable: 0 });

    mns.failing = false;
    tencent.failing = true;
    const r2 = await reconcileSms(pullers, box.accept);
    expect(r2['aliyun:SmsUp']).toEqual({ received: 1, accepted: 1, unreadable: 0 });
    expect(r2['tencent:PullSmsReplyStatus']?.error).toMatch(/InternalError/);
    expect(box.stored.size).toBe(2);
  });

  it('runs in the scheduler beside the due work, whose result it joins, and a failing provider fails neither', async () => {
    mns.enqueue(REPORT, smsReport('950^1', 'sms-c'));
    tencent.failing = true;
    const box = inbox();
    const handler = makeHandler(deps, { pullers, accept: box.accept }, inProcessWorkers(deps));
    const event = buildScheduledEvent(
      'arn:aws-cn:events:cn-north-1:123456789012:rule/scheduler',
      new Date(),
    ) as ScheduledEvent;
    const result = (await handler(event, buildLambdaContext('scheduler', 'cn-north-1', 60_000))) as Record<
      string,
      number
    >;
    expect(result).toMatchObject({
      surveysSent: 0,
      failed: 0,
      smsPulled: 1,
      smsPullAccepted: 1,
      smsPullFailedSources: 2,
    });
    expect(box.stored.has('aliyun:rpt:950^1')).toBe(true);
  });

  it('builds no puller for a provider that is not the active one, nor for Aliyun without its queues', () => {
    expect(smsPullers(testDeps().config)).toEqual([]);
    expect(smsPullers(tencentDeps.config).map((p) => p.source)).toEqual([
      'tencent:PullSmsReplyStatus',
      'tencent:PullSmsSendStatus',
    ]);
    const aliyunWithoutQueues = testDeps({
      env: { SMS_GATEWAY: 'aliyun', ALIYUN_ACCESS_KEY_ID: KEY.id, ALIYUN_ACCESS_KEY_SECRET: KEY.secret },
      rules: { sms: { templateCodes: codes } },
    });
    expect(smsPullers(aliyunWithoutQueues.config)).toEqual([]);
  });
});
