import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverSmsParams, type TemplateId, templates } from '#shared/domain/sms/templates';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';
import { type ReplyReceiver, startReplyReceiver } from '../helpers/reply-receiver.ts';
import { type MnsStandin, startMnsStandin } from '../helpers/standins/aliyun-mns.ts';
import {
  ALIYUN_TEST_KEYS,
  type AliyunSmsStandIn,
  start as startAliyunSms,
} from '../helpers/standins/aliyun-sms.ts';
import { SNS_TEST_KEYS, type SnsStandIn, startSnsStandIn } from '../helpers/standins/sns.ts';
import { standInTemplateCodes } from '../helpers/standins/template-codes.ts';
import { startTencentApi, type TencentApiStandIn } from '../helpers/standins/tencent-api.ts';
import { TENCENT_TEST_APP_ID, TENCENT_TEST_KEYS } from '../helpers/standins/tencent-sms.ts';

/**
 * The whole loop over `npm start` with each real SMS provider, its official SDK pointed at a local
 * stand-in of the provider's API (started here, on 127.0.0.1): a signed completion webhook, the
 * scheduler, the survey SMS by registered template, the customer's reply pushed to the provider
 * callback exactly as the provider documents it, the reasons question, the reasons, the thanks,
 * the callback case; a delivery receipt for it, and a second survey whose SMS the provider reports
 * undelivered closes as `undelivered` (told to its work order). The scheduler's reconcile pulls
 * too (Aliyun's MNS queue of receipts, Tencent's PullSmsSendStatus, each a stand-in): a receipt
 * both pushed and pulled counts once, one only pulled is applied. Each run ends with
 * `npm run verify` against the run's DynamoDB: 0 differences, nothing stranded.
 * With `sns` (the SNS Query API's stand-in) the loop is the same up to the callback case; SNS has
 * no delivery receipts, and replies come in through End User Messaging's topic (/local/sms/inbound).
 */

const SIGNATURE = '客户服务';
const PHONE = '13700002222';
const PHONE_UNDELIVERED = '13700003333';
const T0 = '2026-11-20T02:00:00Z'; // 10:00 Beijing
const ENGINEER = { id: 'E-loop', name: '陈师傅', team: 'T-loop', region: 'R-loop' };
const ENGINEER_2 = { id: 'E-loop-2', name: '周师傅', team: 'T-loop', region: 'R-loop' };

/** One SMS as the provider's API received it, read back into our template and its variables. */
interface Sent {
  templateId: TemplateId;
  params: Record<string, string>;
  /** The provider's id of the message (BizId, SerialNo, MessageId). */
  messageId: string;
  /** Our id as the provider carries it (OutId, SessionContext); undefined for SNS. */
  outId: string | undefined;
}

interface Provider {
  name: 'aliyun' | 'tencent' | 'sns';
  env: Record<string, string>;
  /** Every message sent to a phone (11 digits), oldest first. */
  sent(phone: string): Sent[];
  /** The customer's reply, as the provider delivers it to us. */
  reply(sys: RunningSystem, phone: string, text: string, at: Date): Promise<void>;
  /** A delivery receipt, pushed as the provider pushes it (none with SNS). */
  receipt?(sys: RunningSystem, phone: string, sent: Sent, delivered: boolean): Promise<void>;
  /** Checks of the provider's own request (template code, parameters) for the first survey SMS. */
  checkSurveyRequest(phone: string, sent: Sent): void;
  close(): Promise<void>;
}

const templateCodes = standInTemplateCodes;
const byCode = (codes: Record<string, string>, code: string): TemplateId => {
  const id = Object.entries(codes).find(([, c]) => c === code)?.[0];
  if (!id) throw new Error(`template code ${code} is none of ours`);
  return id as TemplateId;
};

const pad = (n: number) => String(n).padStart(2, '0');
/** `yyyy-MM-dd HH:mm:ss` in Beijing time, as both providers write times in their pushes. */
function beijing(at: Date): string {
  const d = new Date(at.getTime() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Queues in an operator's own account, read with the sender's keys (Aliyun's hosted queues take
 * QueryTokenForMnsQueue tokens: test/integration/sms-mns-token.test.ts covers those).
 */
const MNS_ACCOUNT = '1234567890123456';
const SMS_UP = `Alicom-Queue-${MNS_ACCOUNT}-SmsUp`;
const SMS_REPORT = `Alicom-Queue-${MNS_ACCOUNT}-SmsReport`;

async function aliyunProvider(
  rules: Record<string, unknown>,
): Promise<Provider & { standIn: AliyunSmsStandIn; mns: MnsStandin }> {
  const standIn = await startAliyunSms();
  // The MNS queues Aliyun fills with the same replies and receipts (the scheduler's reconcile).
  const mns = await startMnsStandin({
    ...ALIYUN_TEST_KEYS,
    accountId: MNS_ACCOUNT,
    queues: [SMS_UP, SMS_REPORT],
  });
  const codes = templateCodes('aliyun');
  let seq = 7_000_000;
  return {
    name: 'aliyun',
    standIn,
    mns,
    env: {
      SMS_GATEWAY: 'aliyun',
      ALIYUN_SMS_ENDPOINT: standIn.endpoint,
      ALIYUN_MNS_ENDPOINT: mns.endpoint,
      ALIYUN_ACCOUNT_ID: mns.accountId,
      ALIYUN_MNS_QUEUE_SMS_UP: SMS_UP,
      ALIYUN_MNS_QUEUE_SMS_REPORT: SMS_REPORT,
      ALIYUN_ACCESS_KEY_ID: ALIYUN_TEST_KEYS.accessKeyId,
      ALIYUN_ACCESS_KEY_SECRET: ALIYUN_TEST_KEYS.accessKeySecret,
      RULES: JSON.stringify({
        ...rules,
        sms: { signature: SIGNATURE, optOutHint: '拒收请回复R', templateCodes: codes },
      }),
    },
    sent: (phone) =>
      standIn.requests
        .filter((r) => r.action === 'SendSms' && r.code === 'OK' && r.params.PhoneNumbers === phone)
        .map((r) => ({
          templateId: byCode(codes, r.params.TemplateCode ?? ''),
          params: JSON.parse(r.params.TemplateParam ?? '{}') as Record<string, string>,
          messageId: String(r.answer.BizId),
          outId: r.params.OutId,
        })),
    async reply(sys, phone, text, at) {
      // SmsUp: a JSON array; dest_code is Aliyun's to choose, so it says nothing about the survey.
      const push = [
        {
          phone_number: phone,
          send_time: beijing(at),
          content: text,
          sign_name: SIGNATURE,
          dest_code: '9921',
          sequence_id: ++seq,
        },
      ];
      const res = await post(sys, `/v1/sms/aliyun/${sys.smsCallbackToken}/replies`, push);
      expect(res).toEqual({ status: 200, body: { code: 0, msg: '成功' } });
    },
    async receipt(sys, phone, sent, delivered) {
      const report = [
        {
          phone_number: phone,
          send_time: '2026-11-20 10:26:00',
          report_time: '2026-11-20 10:26:05',
          success: delivered,
          err_code: delivered ? 'DELIVERED' : 'MOBILE_NOT_ON_SERVICE',
          err_msg: delivered ? '用户接收成功' : '停机',
          sms_size: '1',
          biz_id: sent.messageId,
          out_id: sent.outId,
        },
      ];
      // In the SmsReport queue either way; the delivered one is pushed too (the two count once),
      // the undelivered one only comes by the reconcile's pull (its push was missed).
      mns.enqueue(SMS_REPORT, report[0] as object);
      if (!delivered) return;
      const res = await post(sys, `/v1/sms/aliyun/${sys.smsCallbackToken}/receipts`, report);
      expect(res).toEqual({ status: 200, body: { code: 0, msg: '成功' } });
    },
    checkSurveyRequest(phone, sent) {
      const request = standIn.requests.find((r) => r.params.OutId === sent.outId);
      expect(request?.params).toMatchObject({
        PhoneNumbers: phone,
        SignName: SIGNATURE,
        TemplateCode: codes.survey,
      });
      expect(JSON.parse(request?.params.TemplateParam ?? '')).toEqual({
        engineerName: '陈',
        job: '故障维修',
      });
      expect(sent.outId).toMatch(/#survey$/);
    },
    close: async () => {
      await Promise.all([standIn.close(), mns.close()]);
    },
  };
}

async function tencentProvider(
  rules: Record<string, unknown>,
): Promise<Provider & { api: TencentApiStandIn }> {
  const api = await startTencentApi();
  const codes = templateCodes('tencent');
  return {
    name: 'tencent',
    api,
    env: {
      SMS_GATEWAY: 'tencent',
      TENCENT_SMS_ENDPOINT: api.endpoint,
      TENCENT_SMS_SDK_APP_ID: TENCENT_TEST_APP_ID,
      TENCENT_SECRET_ID: TENCENT_TEST_KEYS.secretId,
      TENCENT_SECRET_KEY: TENCENT_TEST_KEYS.secretKey,
      RULES: JSON.stringify({ ...rules, sms: { signature: SIGNATURE, templateCodes: codes } }),
    },
    sent: (phone) =>
      api.sms.requests
        .filter(
          (r) =>
            r.action === 'SendSms' &&
            r.code === 'Ok' &&
            (r.params.PhoneNumberSet as string[] | undefined)?.[0] === `+86${phone}`,
        )
        .map((r) => {
          const templateId = byCode(codes, String(r.params.TemplateId));
          const values = r.params.TemplateParamSet as string[];
          const status = (r.answer.SendStatusSet as { SerialNo: string }[])[0];
          return {
            templateId,
            params: Object.fromEntries(templates[templateId].vars.map((v, i) => [v, values[i] ?? ''])),
            messageId: String(status?.SerialNo),
            outId: String(r.params.SessionContext),
          };
        }),
    async reply(sys, phone, text, at) {
      // 短信回复 callback: one object (the array form is accepted too).
      const push = {
        extend: '',
        mobile: phone,
        nationcode: '86',
        sign: SIGNATURE,
        text,
        time: Math.floor(at.getTime() / 1000),
      };
      const res = await post(sys, `/v1/sms/tencent/${sys.smsCallbackToken}/replies`, push);
      expect(res).toEqual({ status: 200, body: { result: 0, errmsg: 'OK' } });
    },
    async receipt(sys, phone, sent, delivered) {
      const status = {
        user_receive_time: '2026-11-20 10:26:05',
        nationcode: '86',
        mobile: phone,
        report_status: delivered ? 'SUCCESS' : 'FAIL',
        errmsg: delivered ? 'DELIVRD' : 'MK:0001',
        description: delivered ? '用户短信送达成功' : '空号',
        sid: sent.messageId,
      };
      // Pushed, and also waiting in PullSmsSendStatus: the scheduler's reconcile pulls it too,
      // and the two count as one.
      api.pull.addStatus({
        UserReceiveTime: 1_795_659_965,
        CountryCode: '86',
        SubscriberNumber: phone,
        PhoneNumber: `+86${phone}`,
        SerialNo: sent.messageId,
        ReportStatus: delivered ? 'SUCCESS' : 'FAIL',
        Description: status.description,
        SessionContext: sent.outId ?? '',
      });
      const res = await post(sys, `/v1/sms/tencent/${sys.smsCallbackToken}/receipts`, [status]);
      expect(res).toEqual({ status: 200, body: { result: 0, errmsg: 'OK' } });
    },
    checkSurveyRequest(phone, sent) {
      const request = api.sms.requests.find((r) => r.params.SessionContext === sent.outId);
      expect(request?.params).toMatchObject({
        PhoneNumberSet: [`+86${phone}`],
        SmsSdkAppId: TENCENT_TEST_APP_ID,
        SignName: SIGNATURE,
        TemplateId: codes.survey,
        TemplateParamSet: ['陈', '故障维修'],
      });
      expect(sent.outId).toMatch(/#survey$/);
    },
    close: () => api.close(),
  };
}

async function snsProvider(rules: Record<string, unknown>): Promise<Provider & { standIn: SnsStandIn }> {
  const standIn = await startSnsStandIn('cn-north-1');
  let seq = 0;
  const sent = (phone: string): Sent[] =>
    standIn.published
      .filter((p) => p.phoneNumber === `+86${phone}`)
      .map((p) => {
        // Free text: which template it is, read back from the text itself.
        const templateId = (Object.keys(templates) as TemplateId[]).find((id) =>
          recoverSmsParams(id, p.message),
        );
        if (!templateId) throw new Error(`SNS message is none of our templates: ${p.message}`);
        expect(p.message.startsWith(`【${SIGNATURE}】`)).toBe(true);
        expect(p.attributes['AWS.SNS.SMS.SMSType']).toBe('Transactional');
        return {
          templateId,
          params: recoverSmsParams(templateId, p.message) ?? {},
          messageId: p.messageId,
          outId: undefined,
        };
      });
  return {
    name: 'sns',
    standIn,
    env: {
      SMS_GATEWAY: 'sns',
      SNS_ENDPOINT: standIn.endpoint,
      AWS_REGION: standIn.region,
      AWS_ACCESS_KEY_ID: SNS_TEST_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SNS_TEST_KEYS.secretAccessKey,
      ALERTS_TOPIC_ARN: 'arn:aws-cn:sns:cn-north-1:123456789012:SupervisorAlerts',
      RULES: JSON.stringify({ ...rules, sms: { signature: SIGNATURE } }),
    },
    sent,
    async reply(sys, phone, text) {
      // End User Messaging publishes the reply to the two-way topic (locally: /local/sms/inbound).
      const res = await sys.call('POST', '/local/sms/inbound', {
        originationNumber: `+86${phone}`,
        destinationNumber: '+8610690000',
        messageKeyword: 'KEYWORD_000000000000',
        messageBody: text,
        inboundMessageId: `sns-in-${++seq}`,
        previousPublishedMessageId: sent(phone).at(-1)?.messageId ?? '',
      });
      expect(res.status).toBe(200);
    },
    checkSurveyRequest(_phone, sent) {
      expect(sent.params).toEqual({ engineerName: '陈', job: '故障维修' });
    },
    close: () => standIn.close(),
  };
}

async function post(sys: RunningSystem, path: string, body: unknown) {
  const res = await sys.call('POST', path, body);
  return { status: res.status, body: res.body };
}

/** Ticks the scheduler until `ready` holds (the pushes are handled right after they answer). */
async function tickUntil(sys: RunningSystem, what: string, ready: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const tick = await sys.call('POST', '/local/tick');
    expect(tick.status, JSON.stringify(tick.body)).toBe(200);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${sys.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(cmd, args, { env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

function loop(make: (rules: Record<string, unknown>) => Promise<Provider>, opts: { receipts: boolean }) {
  let provider: Provider;
  let sys: RunningSystem;
  let receiver: ReplyReceiver;
  let rules: Record<string, unknown>;
  const admin = () => ({ authorization: `Bearer ${sys.adminToken}` });
  let clock = new Date(T0);
  const at = async (iso: string) => {
    clock = new Date(iso);
    await sys.call('POST', '/local/clock', { now: iso });
  };

  beforeAll(async () => {
    receiver = await startReplyReceiver();
    // ossU tells its work order how each survey ended (the undelivered one, too).
    rules = { sources: { ossU: { replyUrl: receiver.url('/hook') } } };
    provider = await make(rules);
    sys = await startNpm(provider.env);
  }, 180_000);
  afterAll(async () => {
    await sys?.stop();
    await provider?.close();
    await receiver?.close();
  });

  it('names the provider it sends through when it starts', () => {
    expect(sys.output()).toContain(`(SMS_GATEWAY=${provider.name})`);
    expect(sys.output()).not.toContain('SMS outbox');
    expect(sys.smsCallbackToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it(
    'webhook -> survey SMS by template -> reply 3 -> reasons question -> reasons -> thanks, case opened',
    async () => {
      await at(T0);
      for (const [ticketId, engineer, phone, source] of [
        ['LOOP-1', ENGINEER, PHONE, 'ossA'],
        ['LOOP-2', ENGINEER_2, PHONE_UNDELIVERED, 'ossU'],
      ] as const) {
        const accepted = await sys.webhook(
          '/v1/tickets/completed',
          ticketBody({
            ticketId,
            source,
            completedAt: '2026-11-20T09:55:00+08:00',
            engineer,
            customer: { phone },
          }),
        );
        expect(accepted.status).toBe(202);
      }
      await sys.call('POST', '/local/tick');
      expect(provider.sent(PHONE)).toEqual([]); // not due before 10:25

      await at('2026-11-20T02:26:00Z');
      await tickUntil(
        sys,
        'the survey SMS',
        () => provider.sent(PHONE).length === 1 && provider.sent(PHONE_UNDELIVERED).length === 1,
      );
      const [survey] = provider.sent(PHONE);
      expect(survey?.templateId).toBe('survey');
      provider.checkSurveyRequest(PHONE, survey as Sent);

      await at('2026-11-20T02:40:00Z');
      await provider.reply(sys, PHONE, '3', clock);
      await tickUntil(sys, 'the reasons question', () => provider.sent(PHONE).length === 2);
      expect(provider.sent(PHONE)[1]).toMatchObject({ templateId: 'reasons_question', params: {} });
      // The supervisors' alert went out with it (locally: the alerts log, or the SNS topic).
      if (provider.name === 'sns') {
        const alert = (provider as Provider & { standIn: SnsStandIn }).standIn.published.find(
          (p) => p.topicArn,
        );
        expect(alert?.attributes).toMatchObject({ level: 'supervisors', team: 'T-loop' });
        expect(alert?.message).toContain('137****2222');
        expect(alert?.message).not.toContain(PHONE);
      } else {
        const alerts = (await sys.call('GET', '/local/alerts')).body;
        expect(alerts).toEqual([expect.objectContaining({ kind: 'callback_opened', team: 'T-loop' })]);
      }

      await at('2026-11-20T02:43:00Z');
      await provider.reply(sys, PHONE, '1 5 师傅迟到了', clock);
      await tickUntil(sys, 'the thanks', () => provider.sent(PHONE).length === 3);
      expect(provider.sent(PHONE)[2]).toMatchObject({
        templateId: 'thanks_callback',
        params: { hours: expect.stringMatching(/^\d+$/) },
      });

      const cases = await sys.call('GET', '/v1/callbacks?status=open&team=T-loop', undefined, admin());
      expect(cases.status).toBe(200);
      expect(cases.body.items).toEqual([
        expect.objectContaining({ status: 'open', team: 'T-loop', rating: 3, phone: '137****2222' }),
      ]);
      const one = await sys.call('GET', `/v1/callbacks/${cases.body.items[0].caseId}`, undefined, admin());
      expect(one.body).toMatchObject({ comment: '师傅迟到了', reasons: [1, 5] });
    },
    LOOP_STEP_TIMEOUT,
  );

  const receipts = opts.receipts ? it : () => undefined; // SNS has no delivery receipts to push
  receipts(
    'a delivery receipt is taken; an undelivered survey closes as undelivered',
    async () => {
      expect(provider.receipt).toBeDefined();
      if (!provider.receipt) return;
      await at('2026-11-20T02:45:00Z');
      const [survey] = provider.sent(PHONE);
      await provider.receipt(sys, PHONE, survey as Sent, true);
      const [second] = provider.sent(PHONE_UNDELIVERED);
      await provider.receipt(sys, PHONE_UNDELIVERED, second as Sent, false);
      await tickUntil(sys, 'the work order told', () =>
        receiver.received.some((r) => JSON.parse(r.body).status === 'undelivered'),
      );
      const told = receiver.received.map((r) => JSON.parse(r.body));
      expect(told).toEqual([expect.objectContaining({ status: 'undelivered', reason: expect.any(String) })]);
      const report = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, admin());
      const rows = Object.fromEntries(
        report.body.engineers.map((e: { engineerId: string }) => [e.engineerId, e]),
      );
      expect(rows['E-loop']).toMatchObject({ surveyed: 1, responses: 1, dissatisfied: 1 });
      expect(rows['E-loop-2']).toMatchObject({
        surveyed: 0,
        responses: 0,
        responseRate: null,
        funnel: { undelivered: 1 },
      });
      if (provider.name === 'tencent') {
        const { pull } = (provider as Provider & { api: TencentApiStandIn }).api;
        expect(pull.requests.map((r) => r.action)).toEqual(
          expect.arrayContaining(['PullSmsSendStatus', 'PullSmsReplyStatus']),
        );
        expect(pull.pending()).toEqual({ replies: 0, statuses: 0 }); // pulled, and counted once
      }
      if (provider.name === 'aliyun') {
        const { mns } = provider as Provider & { mns: MnsStandin };
        expect(mns.depth(SMS_REPORT)).toBe(0); // received, stored by the inbox, then deleted
        expect(mns.deleted(SMS_REPORT)).toHaveLength(2);
      }
      // No SMS went to the phone after the receipt (nothing else is queued there).
      expect(provider.sent(PHONE_UNDELIVERED)).toHaveLength(1);
    },
    LOOP_STEP_TIMEOUT,
  );

  it(
    'ends with npm run verify at 0 differences, nothing stranded',
    async () => {
      const { code, out } = await run(
        'npm',
        ['run', '--silent', 'verify', '--', '--at', clock.toISOString()],
        {
          ...process.env,
          TABLE_NAME: sys.tableName,
          DYNAMODB_ENDPOINT: sys.dynamoEndpoint,
          RULES: JSON.stringify(rules),
        },
      );
      expect(out).toContain('0 differences');
      expect(out).toContain('0 stranded items');
      expect(out).toMatch(/[1-9]\d* surveys, [1-9]\d* callback cases/);
      expect(code, out).toBe(0);
    },
    LOOP_STEP_TIMEOUT,
  );
}

/**
 * Each step waits (with deadlines) for several scheduler runs and a provider round trip of a whole
 * `npm start`: on a busy 2-core machine that takes longer than vitest's default 30 s.
 */
const LOOP_STEP_TIMEOUT = 120_000;

describe('the loop with SMS_GATEWAY=aliyun (Aliyun SMS stand-in)', () =>
  loop(aliyunProvider, { receipts: true }));
describe('the loop with SMS_GATEWAY=tencent (Tencent Cloud SMS stand-in)', () =>
  loop(tencentProvider, { receipts: true }));
describe('the loop with SMS_GATEWAY=sns (SNS Query API stand-in)', () =>
  loop(snsProvider, { receipts: false }));
