import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '#shared/app/deps';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { providerTemplateIds, renderSms } from '#shared/domain/sms/templates';
import { ddb, TABLE } from '#shared/store/client';
import { putSms, type SmsItem, smsKey } from '#shared/store/outbox';
import { transact } from '#shared/store/tx';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import * as aliyun from '../helpers/standins/aliyun-sms.ts';
import * as tencent from '../helpers/standins/tencent-sms.ts';

/**
 * The scheduler sends a survey through each provider's official SDK to its local stand-in, which
 * verifies the request's signature and parameters; a transient refusal is retried by the next
 * run, a permanent one fails the message with the provider's code and is not tried again.
 */

const at = (iso: string) => pinClock(new Date(iso));

/** Template codes in each provider's form, for every template it sends. */
const aliyunCodes = Object.fromEntries(providerTemplateIds.map((id, i) => [id, `SMS_4650000${i + 10}`]));
const tencentCodes = Object.fromEntries(providerTemplateIds.map((id, i) => [id, `21000${i + 10}`]));

let phoneSeq = 0;
function freshPhone(prefix: string): { national: string; e164: string } {
  phoneSeq++;
  const national = `${prefix}${String(10_000_000 + phoneSeq * 7919 + (Date.now() % 1000)).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

async function outboxItem(smsId: string): Promise<SmsItem | undefined> {
  return (await ddb.send(new GetCommand({ TableName: TABLE, Key: smsKey(smsId), ConsistentRead: true })))
    .Item as SmsItem | undefined;
}

/** The item a putSms writes (to be written without its params, as before they were kept). */
function legacyItem(tx: ReturnType<typeof putSms>): SmsItem {
  const item = tx.Put?.Item;
  if (!item) throw new Error('putSms writes a Put');
  return item as SmsItem;
}

/** A survey completed now and due 30 minutes later; returns its survey id and the due time. */
async function surveyDue(deps: Deps, phone: string, engineerName: string) {
  at('2026-11-20T02:00:00Z'); // 10:00 Beijing
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        customer: { phone },
        engineer: { id: 'E-prov', name: engineerName, team: 'T1', region: 'R1' },
        completedAt: '2026-11-20T09:55:00+08:00',
        kind: 'install',
      }),
    ),
  );
  at('2026-11-20T02:30:00Z');
  return response.surveyId as string;
}

describe('Aliyun SMS through the official SDK', () => {
  let standIn: aliyun.AliyunSmsStandIn;
  let deps: Deps;
  beforeAll(async () => {
    standIn = await aliyun.start();
    deps = testDeps({
      env: {
        SMS_GATEWAY: 'aliyun',
        ALIYUN_SMS_ENDPOINT: standIn.endpoint,
        ALIYUN_ACCESS_KEY_ID: aliyun.ALIYUN_TEST_KEYS.accessKeyId,
        ALIYUN_ACCESS_KEY_SECRET: aliyun.ALIYUN_TEST_KEYS.accessKeySecret,
      },
      rules: { sms: { signature: '江西移动', templateCodes: aliyunCodes, optOutHint: '拒收请回复R' } },
    });
  });
  afterAll(() => standIn.close());
  beforeEach(() => {
    standIn.requests.length = 0;
  });

  it('sends the survey by template: PhoneNumbers, SignName, TemplateCode, TemplateParam, OutId', async () => {
    const p = freshPhone('138');
    const surveyId = await surveyDue(deps, p.national, '王师傅');
    const run = await runDueWork(deps);
    expect(run.surveysSent).toBe(1);
    const sends = standIn.requests.filter((r) => r.params.PhoneNumbers === p.national);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      action: 'SendSms',
      code: 'OK',
      params: {
        PhoneNumbers: p.national,
        SignName: '江西移动',
        TemplateCode: aliyunCodes.survey,
        OutId: `${surveyId}#survey`,
      },
    });
    // The variables as rendered: the name without its 师傅 (the template says {engineerName}师傅).
    expect(JSON.parse(sends[0]?.params.TemplateParam ?? '')).toEqual({ engineerName: '王', job: '宽带装机' });
    const item = await outboxItem(`${surveyId}#survey`);
    expect(item).toMatchObject({ status: 'sent', params: { engineerName: '王', job: '宽带装机' } });
    expect(item?.messageId).toMatch(/\^0$/);
    expect(item?.body).toMatch(/拒收请回复R$/);
  });

  it('a flow-control refusal is retried by the next run, then sent', async () => {
    const p = freshPhone('139');
    const surveyId = await surveyDue(deps, p.national, '李明');
    standIn.failNext('isv.BUSINESS_LIMIT_CONTROL');
    await runDueWork(deps);
    expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({ status: 'pending' });
    at('2026-11-20T02:35:00Z');
    await runDueWork(deps);
    const sends = standIn.requests.filter((r) => r.params.PhoneNumbers === p.national);
    expect(sends.map((r) => r.code)).toEqual(['isv.BUSINESS_LIMIT_CONTROL', 'OK']);
    expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({ status: 'sent' });
  });

  it('a permanent refusal fails the message with the provider code, never retried', async () => {
    const p = freshPhone('136');
    const surveyId = await surveyDue(deps, p.national, '李明');
    standIn.failNext('isv.MOBILE_NUMBER_ILLEGAL');
    await runDueWork(deps);
    expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({
      status: 'failed',
      failure: 'aliyun:isv.MOBILE_NUMBER_ILLEGAL',
    });
    at('2026-11-20T02:40:00Z');
    await runDueWork(deps);
    expect(standIn.requests.filter((r) => r.params.PhoneNumbers === p.national)).toHaveLength(1);
  });

  it('a template without variables is sent without TemplateParam', async () => {
    const p = freshPhone('150');
    const smsId = `thanks-${p.national}`;
    const rendered = renderSms('thanks', {}, '江西移动', '拒收请回复R');
    await transact([putSms({ smsId, to: p.e164, rendered }, new Date('2026-11-20T02:30:00Z'))]);
    expect(await deliverOutbox(deps, smsId)).toBe(true);
    const [send] = standIn.requests.filter((r) => r.params.PhoneNumbers === p.national);
    expect(send).toMatchObject({ code: 'OK', params: { TemplateCode: aliyunCodes.thanks, OutId: smsId } });
    expect(send?.params).not.toHaveProperty('TemplateParam');
  });

  it('a message written before params were kept gets them back from its body', async () => {
    const p = freshPhone('137');
    const now = new Date('2026-11-20T02:30:00Z');
    const rendered = renderSms('reminder', { engineerName: '赵六师傅', job: '移机' }, '江西移动');
    const { params: _dropped, ...legacy } = legacyItem(
      putSms({ smsId: `legacy-${p.national}`, to: p.e164, rendered }, now),
    );
    await ddb.send(new PutCommand({ TableName: TABLE, Item: legacy }));
    expect(await deliverOutbox(deps, `legacy-${p.national}`)).toBe(true);
    const [send] = standIn.requests.filter((r) => r.params.PhoneNumbers === p.national);
    expect(send?.params.TemplateCode).toBe(aliyunCodes.reminder);
    expect(JSON.parse(send?.params.TemplateParam ?? '')).toEqual({ engineerName: '赵六', job: '移机' });
  });

  it('a legacy message whose body no longer matches its template fails for good, naming why', async () => {
    const p = freshPhone('135');
    const now = new Date('2026-11-20T02:30:00Z');
    const rendered = { ...renderSms('thanks', {}, '江西移动'), body: '【江西移动】一条旧的文字' };
    const { params: _dropped, ...legacy } = legacyItem(
      putSms({ smsId: `stale-${p.national}`, to: p.e164, rendered }, now),
    );
    await ddb.send(new PutCommand({ TableName: TABLE, Item: legacy }));
    expect(await deliverOutbox(deps, `stale-${p.national}`)).toBe(false);
    expect(await outboxItem(`stale-${p.national}`)).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/^params_unrecoverable: .*thanks/),
    });
    expect(standIn.requests.filter((r) => r.params.PhoneNumbers === p.national)).toHaveLength(0);
  });
});

describe('Tencent Cloud SMS through the official SDK', () => {
  let standIn: tencent.TencentSmsStandIn;
  let deps: Deps;
  beforeAll(async () => {
    standIn = await tencent.start();
    deps = testDeps({
      env: {
        SMS_GATEWAY: 'tencent',
        TENCENT_SMS_ENDPOINT: standIn.endpoint,
        TENCENT_SMS_SDK_APP_ID: tencent.TENCENT_TEST_APP_ID,
        TENCENT_SECRET_ID: tencent.TENCENT_TEST_KEYS.secretId,
        TENCENT_SECRET_KEY: tencent.TENCENT_TEST_KEYS.secretKey,
      },
      rules: { sms: { signature: '江西移动', templateCodes: tencentCodes } },
    });
  });
  afterAll(() => standIn.close());
  beforeEach(() => {
    standIn.requests.length = 0;
  });

  const to = (e164: string) =>
    standIn.requests.filter((r) => (r.params.PhoneNumberSet as string[])?.[0] === e164);

  it('sends the survey by template: PhoneNumberSet, SmsSdkAppId, TemplateId, TemplateParamSet, SessionContext', async () => {
    const p = freshPhone('158');
    const surveyId = await surveyDue(deps, p.national, '张伟');
    const run = await runDueWork(deps);
    expect(run.surveysSent).toBe(1);
    const sends = to(p.e164);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      action: 'SendSms',
      code: 'Ok',
      params: {
        PhoneNumberSet: [p.e164],
        SmsSdkAppId: tencent.TENCENT_TEST_APP_ID,
        SignName: '江西移动',
        TemplateId: tencentCodes.survey,
        // {1} = engineerName, {2} = job: the template's vars order
        TemplateParamSet: ['张伟', '宽带装机'],
        SessionContext: `${surveyId}#survey`,
      },
    });
    const item = await outboxItem(`${surveyId}#survey`);
    expect(item?.status).toBe('sent');
    expect(item?.messageId).toMatch(/^2645:/);
  });

  it('a frequency limit on the number is retried by the next run, then sent', async () => {
    const p = freshPhone('159');
    const surveyId = await surveyDue(deps, p.national, '张伟');
    standIn.failNext('LimitExceeded.PhoneNumberOneHourLimit');
    await runDueWork(deps);
    expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({ status: 'pending' });
    standIn.failNext('InternalError.Timeout', { as: 'error' });
    at('2026-11-20T02:35:00Z');
    await runDueWork(deps);
    expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({ status: 'pending' });
    at('2026-11-20T02:40:00Z');
    await runDueWork(deps);
    expect(to(p.e164).map((r) => r.code)).toEqual([
      'LimitExceeded.PhoneNumberOneHourLimit',
      'InternalError.Timeout',
      'Ok',
    ]);
    expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({ status: 'sent' });
  });

  it.each([
    ['status', 'FailedOperation.PhoneNumberInBlacklist'],
    ['error', 'FailedOperation.TemplateIncorrectOrUnapproved'],
  ] as const)(
    'a permanent refusal (%s %s) fails the message with the code, never retried',
    async (as, code) => {
      const p = freshPhone('157');
      const surveyId = await surveyDue(deps, p.national, '张伟');
      standIn.failNext(code, { as });
      await runDueWork(deps);
      expect(await outboxItem(`${surveyId}#survey`)).toMatchObject({
        status: 'failed',
        failure: `tencent:${code}`,
      });
      at('2026-11-20T02:40:00Z');
      await runDueWork(deps);
      expect(to(p.e164)).toHaveLength(1);
    },
  );
});

describe('a wrong key', () => {
  it('is refused by the Tencent stand-in (its signature check is real) and retried, never lost', async () => {
    const standIn = await tencent.start();
    try {
      const deps = testDeps({
        env: {
          SMS_GATEWAY: 'tencent',
          TENCENT_SMS_ENDPOINT: standIn.endpoint,
          TENCENT_SMS_SDK_APP_ID: tencent.TENCENT_TEST_APP_ID,
          TENCENT_SECRET_ID: tencent.TENCENT_TEST_KEYS.secretId,
          TENCENT_SECRET_KEY: 'not-the-key',
        },
        rules: { sms: { templateCodes: tencentCodes } },
      });
      const p = freshPhone('133');
      const now = new Date('2026-11-20T02:30:00Z');
      const smsId = `tkey-${p.national}`;
      await transact([putSms({ smsId, to: p.e164, rendered: renderSms('thanks', {}, '客户服务') }, now)]);
      expect(await deliverOutbox(deps, smsId)).toBe(false);
      expect(standIn.requests.map((r) => r.code)).toEqual(['AuthFailure.SignatureFailure']);
      expect(await outboxItem(smsId)).toMatchObject({ status: 'pending' });
    } finally {
      await standIn.close();
    }
  });

  it('is refused by the Aliyun stand-in (its signature check is real) and retried, never lost', async () => {
    const standIn = await aliyun.start();
    try {
      const deps = testDeps({
        env: {
          SMS_GATEWAY: 'aliyun',
          ALIYUN_SMS_ENDPOINT: standIn.endpoint,
          ALIYUN_ACCESS_KEY_ID: aliyun.ALIYUN_TEST_KEYS.accessKeyId,
          ALIYUN_ACCESS_KEY_SECRET: 'not-the-secret',
        },
        rules: { sms: { templateCodes: aliyunCodes } },
      });
      const p = freshPhone('134');
      const now = new Date('2026-11-20T02:30:00Z');
      await transact([
        putSms(
          { smsId: `key-${p.national}`, to: p.e164, rendered: renderSms('thanks', {}, '客户服务') },
          now,
        ),
      ]);
      expect(await deliverOutbox(deps, `key-${p.national}`)).toBe(false);
      expect(standIn.requests.map((r) => r.code)).toEqual(['SignatureDoesNotMatch']);
      expect(await outboxItem(`key-${p.national}`)).toMatchObject({ status: 'pending' });
    } finally {
      await standIn.close();
    }
  });
});
