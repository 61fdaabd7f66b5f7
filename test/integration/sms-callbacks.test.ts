import type { DynamoDBStreamEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { acceptInbound } from '#shared/app/sms/inbox';
import { parsePeriod } from '#shared/domain/time';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { smsCallbackToken } from '#shared/gateways/sms-callback-token';
import { principalFromEvent } from '#shared/http/auth';
import { inboundHandled } from '#shared/store/inbound';
import type { SmsItem } from '#shared/store/outbox';
import { getPhoneState } from '#shared/store/phone-state';
import { getSurvey } from '#shared/store/survey';
import { getReply } from '#shared/store/work-order-reply';
import { smsCallbacks } from '../../functions/sms-callbacks/handler.ts';
import { smsInbox } from '../../functions/sms-inbox/handler.ts';
import { auditTable } from '../../infra/ops/verify.ts';
import { httpEvent } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { allItems } from '../helpers/db.ts';
import { now, pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

/**
 * The SMS providers' callbacks through the handler, on DynamoDB Local: the documented sample
 * payloads, the token, malformed bodies, duplicates, replies rating surveys, and delivery receipts
 * closing surveys as undelivered (also when they come before our record of the send).
 */
const TOKEN = 'cb_test-token-0123456789abcdefghijklmnop';
const deps = testDeps({
  env: { SMS_CALLBACK_TOKEN: TOKEN },
  // ossU replies to its work-order system (the reply names an undelivered survey); no fatigue
  // window, so that a second survey on a phone queues behind the first rather than being suppressed.
  rules: { survey: { fatigueHours: 0 }, sources: { ossU: { replyUrl: 'http://127.0.0.1:9/hook' } } },
});
const callbacks = smsCallbacks({ deps, token: smsCallbackToken(deps.config) });
const admin = principalFromEvent(
  httpEvent({ method: 'GET', path: '/', claims: { sub: 'a', role: 'admin' } }),
);

async function post(path: string, body: unknown) {
  const res = await callbacks(
    httpEvent({
      method: 'POST',
      path,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  );
  return {
    status: res.statusCode,
    type: res.headers?.['content-type'],
    body: JSON.parse(res.body as string),
  };
}
const url = (provider: 'aliyun' | 'tencent', kind: 'replies' | 'receipts', token = TOKEN) =>
  `/v1/sms/${provider}/${token}/${kind}`;

const inboxItems = async () => (await allItems()).filter((i) => String(i.pk).startsWith('SMSIN#'));
const pendingInbox = async () => (await inboxItems()).filter((i) => i.status === 'pending');

// --- The providers' documented samples (Aliyun SmsUp / SmsReport; Tencent 短信回复 / 短信下发状态).
const aliyunUpSample = [
  {
    phone_number: '1380000****',
    send_time: '2017-01-01 00:00:00',
    content: '回复内容',
    sign_name: '【阿里云】',
    dest_code: '1234',
    sequence_id: 1234558,
  },
];
const aliyunReportSample = [
  {
    phone_number: '1381111****',
    send_time: '2017-01-01 00:00:00',
    report_time: '2017-01-01 00:00:00',
    success: true,
    err_code: 'DELIVERED',
    err_msg: '用户接收成功',
    sms_size: '1',
    biz_id: '12345********',
    out_id: '67890**',
  },
];
const tencentReplySample = {
  extend: '扩展码',
  mobile: '13xxxxxxxxx',
  nationcode: '86',
  sign: '短信签名',
  text: '用户回复的内容',
  time: 1457336869,
};
const tencentStatusSample = [
  {
    user_receive_time: '2015-10-17 08:03:04',
    nationcode: '86',
    mobile: '13xxxxxxxxx',
    report_status: 'SUCCESS',
    errmsg: 'DELIVRD',
    description: '用户短信送达成功',
    sid: 'xxxxxxx',
  },
];

let phoneSeq = 0;
function freshPhone(): { national: string; e164: string } {
  phoneSeq++;
  const national = `139${String(20_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

const at = (iso: string) => pinClock(new Date(iso));

/** A completion for `phone` whose survey is sent by the next scheduler run (10:30 Beijing). */
async function surveySent(phone: string, engineerId: string, source = 'ossA') {
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        source,
        customer: { phone },
        engineer: { id: engineerId, name: '李师傅', team: 'T9', region: 'R9' },
        completedAt: '2026-11-20T09:50:00+08:00',
      }),
    ),
  );
  return response.surveyId;
}

/** The survey's invitation SMS as stored (our smsId, and the provider's messageId once sent). */
async function invitationOf(surveyId: string): Promise<SmsItem> {
  const sms = (await allItems()).find(
    (i) => i.type === 'sms' && i.surveyId === surveyId && i.templateId === 'survey',
  ) as SmsItem | undefined;
  if (!sms) throw new Error(`no invitation SMS for ${surveyId}`);
  return sms;
}

async function figuresOf(engineerId: string) {
  const report = await engineerReport(deps, admin, parsePeriod('2026-11', 'Asia/Shanghai'));
  return report.engineers.find((e) => e.engineerId === engineerId);
}

describe('SMS provider callbacks', () => {
  beforeEach(() => at('2026-11-20T02:30:00Z')); // 10:30 Beijing

  it('each route takes its documented sample, answers as the provider expects, in one stored item', async () => {
    const before = (await inboxItems()).length;
    const aliyunAck = { code: 0, msg: '成功' };
    const tencentAck = { result: 0, errmsg: 'OK' };
    expect(await post(url('aliyun', 'replies'), aliyunUpSample)).toMatchObject({
      status: 200,
      body: aliyunAck,
    });
    expect(await post(url('aliyun', 'receipts'), aliyunReportSample)).toMatchObject({
      status: 200,
      body: aliyunAck,
    });
    expect(await post(url('tencent', 'replies'), tencentReplySample)).toMatchObject({
      status: 200,
      body: tencentAck,
    });
    expect(await post(url('tencent', 'replies'), [tencentReplySample])).toMatchObject({ status: 200 });
    expect(await post(url('tencent', 'receipts'), tencentStatusSample)).toMatchObject({
      status: 200,
      body: tencentAck,
    });
    // The one-object and the array form of the same Tencent reply are the same event: one item.
    const items = await inboxItems();
    expect(items).toHaveLength(before + 4);
    const events = items.flatMap((i) => i.events as { dedupId: string }[]);
    expect(events.map((e) => e.dedupId)).toEqual(
      expect.arrayContaining([
        'aliyun:up:1234558',
        'aliyun:rpt:12345********',
        expect.stringMatching(/^tencent:up:[0-9a-f]{64}$/),
        'tencent:rpt:xxxxxxx',
      ]),
    );
    // Handled by the scheduler: the masked sample numbers are no mainland mobiles (ignored), the
    // Aliyun receipt names no message of ours (ignored); the Tencent one may still precede our
    // record of its send, so it waits.
    await runDueWork(deps);
    const left = await pendingInbox();
    expect(left.flatMap((i) => (i.events as { dedupId: string }[]).map((e) => e.dedupId))).toEqual([
      'tencent:rpt:xxxxxxx',
    ]);
    for (const i of await inboxItems()) {
      if (i.status === 'done')
        expect(i.events, 'handled events (phones, texts) are not kept').toBeUndefined();
    }
  });

  it('a wrong token answers 404 and stores nothing', async () => {
    const before = (await inboxItems()).length;
    for (const [p, k] of [
      ['aliyun', 'replies'],
      ['aliyun', 'receipts'],
      ['tencent', 'replies'],
      ['tencent', 'receipts'],
    ] as const) {
      const res = await post(
        url(p, k, `${TOKEN.slice(0, -1)}x`),
        p === 'aliyun' ? aliyunUpSample : tencentStatusSample,
      );
      expect(res.status, `${p} ${k}`).toBe(404);
      expect(res.type).toMatch(/problem\+json/);
      expect((await post(url(p, k, 'short'), '{')).status).toBe(404);
    }
    expect(await inboxItems()).toHaveLength(before);
  });

  it('a malformed body answers 400 naming the field, and stores nothing', async () => {
    const before = (await inboxItems()).length;
    const noSeq = [{ ...aliyunUpSample[0], sequence_id: undefined }];
    const r1 = await post(url('aliyun', 'replies'), noSeq);
    expect(r1.status).toBe(400);
    expect(r1.body.errors).toEqual([expect.objectContaining({ field: '0.sequence_id' })]);
    const r2 = await post(url('aliyun', 'receipts'), [{ ...aliyunReportSample[0], success: 'yes' }]);
    expect(r2.body.errors).toEqual([expect.objectContaining({ field: '0.success' })]);
    const r3 = await post(url('tencent', 'receipts'), [
      { ...tencentStatusSample[0], report_status: 'MAYBE' },
    ]);
    expect(r3.body.errors).toEqual([expect.objectContaining({ field: '0.report_status' })]);
    const r4 = await post(url('tencent', 'replies'), { ...tencentReplySample, time: '1457336869' });
    expect(r4.status).toBe(400);
    expect(JSON.stringify(r4.body.errors)).toContain('time');
    expect((await post(url('tencent', 'replies'), '{not json')).body.errors).toEqual([
      expect.objectContaining({ field: 'body' }),
    ]);
    expect((await post(url('aliyun', 'replies'), [])).status).toBe(400);
    expect(await inboxItems()).toHaveLength(before);
  });

  it('a reply "1" through Aliyun rates the open survey; the same push again counts once', async () => {
    const p = freshPhone();
    const surveyId = await surveySent(p.national, 'E-ali');
    await runDueWork(deps);
    expect((await getSurvey(surveyId))?.status).toBe('sent');
    const push = [{ ...aliyunUpSample[0], phone_number: p.national, content: '1', sequence_id: 900001 }];
    expect((await post(url('aliyun', 'replies'), push)).status).toBe(200);
    expect((await post(url('aliyun', 'replies'), push)).status).toBe(200); // Aliyun retried
    // And once more in another batch (as the reconcile's pull would bring it).
    await acceptInbound(deps, [
      {
        kind: 'reply',
        provider: 'aliyun',
        dedupId: 'aliyun:up:900001',
        phone: p.national,
        text: '1',
        receivedAt: now().toISOString(),
      },
    ]);
    await runDueWork(deps);
    await runDueWork(deps);
    expect(await getSurvey(surveyId)).toMatchObject({ status: 'answered', rating: 1 });
    expect(await inboundHandled('aliyun:up:900001')).toBe(true);
    expect(await figuresOf('E-ali')).toMatchObject({ surveyed: 1, responses: 1, satisfied: 1 });
    const bodies = (await listOutbox(p.e164)).map((m) => m.body);
    expect(bodies.filter((b) => /谢/.test(b))).toHaveLength(1); // thanked once
  });

  it('a reply "1" through Tencent rates the open survey, handled at once by the stream fast path', async () => {
    const p = freshPhone();
    const surveyId = await surveySent(p.national, 'E-tc');
    await runDueWork(deps);
    const before = new Set((await inboxItems()).map((i) => i.pk));
    const push = {
      ...tencentReplySample,
      mobile: p.national,
      text: '1',
      time: Math.floor(now().getTime() / 1000),
    };
    expect((await post(url('tencent', 'replies'), push)).status).toBe(200);
    const fresh = (await inboxItems()).filter((i) => !before.has(i.pk));
    expect(fresh).toHaveLength(1);
    // What DynamoDB Streams hands to functions/sms-inbox for the insert (keys only).
    const event = {
      Records: fresh.map((i) => ({
        eventName: 'INSERT',
        dynamodb: { Keys: { pk: { S: String(i.pk) }, sk: { S: String(i.sk) } } },
      })),
    } as unknown as DynamoDBStreamEvent;
    expect(await smsInbox(deps)(event)).toEqual(['inboxHandled']);
    expect(await getSurvey(surveyId)).toMatchObject({ status: 'answered', rating: 1 });
    // The same stream record again (Lambda retries): nothing more happens.
    expect(await smsInbox(deps)(event)).toEqual(['skipped']);
    expect(await figuresOf('E-tc')).toMatchObject({ responses: 1, satisfied: 1 });
  });

  it('an undelivered invitation closes the survey as undelivered, frees the phone, tells the work order', async () => {
    const p = freshPhone();
    const first = await surveySent(p.national, 'E-und', 'ossU');
    await runDueWork(deps);
    const second = await surveySent(p.national, 'E-und2');
    await runDueWork(deps);
    expect((await getSurvey(second))?.status).toBe('waiting'); // queued behind the first
    const sms = await invitationOf(first);
    expect(sms.messageId).toBeDefined();

    const receipt = {
      ...aliyunReportSample[0],
      phone_number: p.national,
      success: false,
      err_code: 'MOBILE_NOT_ON_SERVICE',
      err_msg: '停机',
      biz_id: sms.messageId,
      out_id: sms.smsId,
    };
    expect((await post(url('aliyun', 'receipts'), [receipt])).status).toBe(200);
    await runDueWork(deps);
    expect(await getSurvey(first)).toMatchObject({ status: 'undelivered' });
    expect((await getReply(first))?.payload).toMatchObject({
      status: 'undelivered',
      reason: 'MOBILE_NOT_ON_SERVICE',
    });
    expect((await getPhoneState(p.e164)).openSurveyId).not.toBe(first);
    expect((await invitationOf(first)).delivery).toBe('undelivered');
    // The queued survey got the turn and goes out.
    await runDueWork(deps);
    expect((await getSurvey(second))?.status).toBe('sent');
    expect((await getPhoneState(p.e164)).openSurveyId).toBe(second);
    // Counted once, out of the response-rate denominator; the same receipt again changes nothing.
    expect((await post(url('aliyun', 'receipts'), [receipt])).status).toBe(200);
    await runDueWork(deps);
    const row = await figuresOf('E-und');
    expect(row).toMatchObject({ surveyed: 0, responses: 0, responseRate: null, funnel: { undelivered: 1 } });
    // `npm run verify`: the recompute from the raw records agrees with the counters.
    expect((await auditTable(deps)).differences).toEqual([]);
  });

  it('a delivered receipt is recorded on the SMS and leaves the survey open', async () => {
    const p = freshPhone();
    const surveyId = await surveySent(p.national, 'E-dlv');
    await runDueWork(deps);
    const sms = await invitationOf(surveyId);
    const status = [{ ...tencentStatusSample[0], mobile: p.national, sid: sms.messageId }];
    expect((await post(url('tencent', 'receipts'), status)).status).toBe(200);
    await runDueWork(deps);
    expect(await invitationOf(surveyId)).toMatchObject({ delivery: 'delivered', deliveryCode: 'DELIVRD' });
    expect((await getSurvey(surveyId))?.status).toBe('sent');
  });

  it('an undelivered reminder after a delivered invitation leaves the survey open', async () => {
    const p = freshPhone();
    const surveyId = await surveySent(p.national, 'E-rem');
    await runDueWork(deps);
    const invitation = await invitationOf(surveyId);
    const delivered = [{ ...tencentStatusSample[0], mobile: p.national, sid: invitation.messageId }];
    expect((await post(url('tencent', 'receipts'), delivered)).status).toBe(200);
    await runDueWork(deps);
    at('2026-11-21T02:30:00Z'); // reminderHours (24) later: the one reminder goes out
    await runDueWork(deps);
    const reminder = (await allItems()).find(
      (i) => i.type === 'sms' && i.surveyId === surveyId && i.templateId === 'reminder',
    ) as SmsItem | undefined;
    expect(reminder?.messageId).toBeDefined();
    const lost = {
      ...aliyunReportSample[0],
      phone_number: p.national,
      success: false,
      err_code: 'MOBILE_NOT_ON_SERVICE',
      biz_id: reminder?.messageId,
      out_id: reminder?.smsId,
    };
    expect((await post(url('aliyun', 'receipts'), [lost])).status).toBe(200);
    await runDueWork(deps);
    expect((await allItems()).find((i) => i.pk === reminder?.pk)).toMatchObject({ delivery: 'undelivered' });
    expect((await getSurvey(surveyId))?.status).toBe('sent'); // the customer had the question
    expect((await getPhoneState(p.e164)).openSurveyId).toBe(surveyId);
    expect((await figuresOf('E-rem'))?.funnel).toMatchObject({ undelivered: 0 });
  });

  it('a receipt that comes before our record of the send is applied once the send is recorded', async () => {
    const p = freshPhone();
    const surveyId = await surveySent(p.national, 'E-early');
    // The provider is down for the first attempt: the survey is sent (committed), its SMS pending.
    const down = testDeps({
      env: { SMS_CALLBACK_TOKEN: TOKEN },
      sms: {
        send: async () => {
          throw new Error('provider unreachable');
        },
      },
    });
    await runDueWork(down);
    const sms = await invitationOf(surveyId);
    expect(sms.status).toBe('pending');

    const receipt = {
      ...aliyunReportSample[0],
      success: false,
      err_code: 'IS_CLOSE',
      biz_id: 'BIZ-early-1',
      out_id: sms.smsId,
    };
    expect((await post(url('aliyun', 'receipts'), [receipt])).status).toBe(200);
    await runDueWork(down);
    expect((await getSurvey(surveyId))?.status).toBe('sent'); // waiting for our record
    expect(await inboundHandled('aliyun:rpt:BIZ-early-1')).toBe(false);

    expect(await deliverOutbox(deps, sms.smsId)).toBe(true); // our record of the send
    at('2026-11-20T02:32:00Z'); // the waiting receipt is due again a minute later
    await runDueWork(deps);
    expect(await getSurvey(surveyId)).toMatchObject({ status: 'undelivered' });
    expect(await figuresOf('E-early')).toMatchObject({ surveyed: 0, funnel: { undelivered: 1 } });
    expect((await auditTable(deps)).differences).toEqual([]);
  });

  it('a receipt for an unknown message is ignored: at once by our id, after 15 minutes by theirs', async () => {
    const unknownOurs = [
      { ...aliyunReportSample[0], success: false, biz_id: 'BIZ-unknown', out_id: 'not-ours#survey' },
    ];
    expect((await post(url('aliyun', 'receipts'), unknownOurs)).status).toBe(200);
    const unknownTheirs = [{ ...tencentStatusSample[0], report_status: 'FAIL', sid: 'sid-never-sent' }];
    expect((await post(url('tencent', 'receipts'), unknownTheirs)).status).toBe(200);
    await runDueWork(deps);
    expect(await inboundHandled('aliyun:rpt:BIZ-unknown')).toBe(false);
    const waiting = async () =>
      (await pendingInbox()).some((i) =>
        (i.events as { dedupId: string }[]).some((e) => e.dedupId === 'tencent:rpt:sid-never-sent'),
      );
    expect(await waiting()).toBe(true);
    expect(
      (await pendingInbox()).some((i) =>
        (i.events as { dedupId: string }[]).some((e) => e.dedupId === 'aliyun:rpt:BIZ-unknown'),
      ),
    ).toBe(false);
    at('2026-11-20T02:40:00Z');
    await runDueWork(deps);
    expect(await waiting()).toBe(true); // still within 15 minutes
    at('2026-11-20T02:46:00Z');
    await runDueWork(deps);
    expect(await waiting()).toBe(false);
    expect(await inboundHandled('tencent:rpt:sid-never-sent')).toBe(false);
  });
});
