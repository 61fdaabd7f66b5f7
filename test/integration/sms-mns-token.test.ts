import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { providerTemplateIds } from '#shared/domain/sms/templates';
import { type SmsPuller, smsPullers } from '#shared/gateways/sms-pull';
import { startDybaseapiStandin } from '../helpers/standins/aliyun-dybaseapi.ts';
import { startMnsStandin } from '../helpers/standins/aliyun-mns.ts';

/**
 * Issue 11, the reconcile of Aliyun's own SMS queues: they live in Aliyun's account
 * (1943695596114318) and are read with temporary credentials that the sender's key obtains from
 * Dybaseapi QueryTokenForMnsQueue (official `@alicloud/openapi-core` client), one per queue, kept
 * until shortly before ExpireTime and replaced once when MNS refuses them. Stand-ins of both APIs
 * on loopback share one clock; the MNS one accepts only the tokens the Dybaseapi one issued,
 * unexpired, for their own queue.
 */
const SENDER = { id: 'LTAI5tSenderKeyId', secret: 'sender-test-secret' };
const ALIYUN_ACCOUNT = '1943695596114318';
const UP = 'Alicom-Queue-1234567890-SmsUp';
const REPORT = 'Alicom-Queue-1234567890-SmsReport';

let clock = Date.parse('2026-12-01T02:00:00Z');
const now = () => clock;
const dyba = await startDybaseapiStandin({ accessKeyId: SENDER.id, accessKeySecret: SENDER.secret, now });
const mns = await startMnsStandin({
  accessKeyId: SENDER.id,
  accessKeySecret: SENDER.secret,
  accountId: ALIYUN_ACCOUNT,
  queues: [UP, REPORT],
  temporary: { issued: dyba.issued, now },
});
afterAll(() => Promise.all([dyba.close(), mns.close()]));

const codes = Object.fromEntries(providerTemplateIds.map((id, i) => [id, `SMS_${100 + i}`]));
const env = (extra: Record<string, string> = {}) =>
  loadConfig({
    TABLE_NAME: 'feedback-test',
    RULES: JSON.stringify({ sms: { templateCodes: codes } }),
    SMS_GATEWAY: 'aliyun',
    ALIYUN_ACCESS_KEY_ID: SENDER.id,
    ALIYUN_ACCESS_KEY_SECRET: SENDER.secret,
    ALIYUN_MNS_ENDPOINT: mns.endpoint,
    ALIYUN_ACCOUNT_ID: ALIYUN_ACCOUNT,
    ALIYUN_MNS_QUEUE_SMS_UP: UP,
    ALIYUN_MNS_QUEUE_SMS_REPORT: REPORT,
    ALIYUN_DYBASEAPI_ENDPOINT: dyba.endpoint,
    ...extra,
  });

const smsUp = (seq: number) => ({
  phone_number: '13800138000',
  send_time: '2026-12-01 10:00:00',
  content: '5',
  sign_name: '【客户服务】',
  dest_code: '1234',
  sequence_id: seq,
});
const smsReport = (bizId: string) => ({
  phone_number: '13800138000',
  success: true,
  biz_id: bizId,
  out_id: 'sms-1',
  send_time: '2026-12-01 09:59:00',
  report_time: '2026-12-01 09:59:05',
  err_code: 'DELIVERED',
  err_msg: '用户接收成功',
  sms_size: '1',
});

/** Pulls one batch and acknowledges it (deletes what was received), returning the dedup ids. */
async function pullAndAck(puller: SmsPuller): Promise<string[]> {
  const batch = await puller.pull(16);
  await batch.ack();
  return batch.events.map((e) => e.dedupId);
}

const tokenCalls = () => dyba.requests.filter((r) => r.action === 'QueryTokenForMnsQueue');

/** Fresh pullers (a new container: nothing cached), by source. */
function pullers(extra?: Record<string, string>) {
  const list = smsPullers(env(extra), {}, { now });
  const by = (source: string) => {
    const p = list.find((x) => x.source === source);
    if (!p) throw new Error(`no puller ${source}`);
    return p;
  };
  return { up: by('aliyun:SmsUp'), report: by('aliyun:SmsReport') };
}

beforeEach(() => {
  dyba.requests.length = 0;
  dyba.lifetimeMs = 3_600_000;
  mns.refusals.length = 0;
  mns.requests.length = 0;
});

describe('temporary credentials for Aliyun-hosted SMS queues (QueryTokenForMnsQueue)', () => {
  it('fetches one token per queue with the sender’s key and reads each queue with it', async () => {
    const { up, report } = pullers();
    mns.enqueue(UP, smsUp(7001));
    mns.enqueue(REPORT, smsReport('7001^1'));

    expect(await pullAndAck(up)).toEqual(['aliyun:up:7001']);
    expect(await pullAndAck(report)).toEqual(['aliyun:rpt:7001^1']);

    // The documented parameters, signed with the sender's key (the stand-in checked it).
    expect(tokenCalls().map((r) => [r.params.MessageType, r.params.QueueName, r.code])).toEqual([
      ['SmsUp', UP, 'OK'],
      ['SmsReport', REPORT, 'OK'],
    ]);
    // MNS saw only issued temporary keys with their tokens: nothing refused, both deleted.
    expect(mns.refusals).toEqual([]);
    expect(mns.depth(UP)).toBe(0);
    expect(mns.depth(REPORT)).toBe(0);
  });

  it('keeps a token until two minutes before its ExpireTime, then fetches a new one', async () => {
    const { up } = pullers();
    await pullAndAck(up);
    expect(tokenCalls()).toHaveLength(1);

    clock += 30 * 60_000; // half its hour: the same token, not asked again
    mns.enqueue(UP, smsUp(7002));
    expect(await pullAndAck(up)).toEqual(['aliyun:up:7002']);
    expect(tokenCalls()).toHaveLength(1);

    clock += 28 * 60_000 + 1_000; // under 2 minutes left: replaced before it is used again
    mns.enqueue(UP, smsUp(7003));
    expect(await pullAndAck(up)).toEqual(['aliyun:up:7003']);
    expect(tokenCalls()).toHaveLength(2);
    expect(mns.refusals).toEqual([]);

    clock += 60 * 60_000; // long past the second token's expiry
    mns.enqueue(UP, smsUp(7004));
    expect(await pullAndAck(up)).toEqual(['aliyun:up:7004']);
    expect(tokenCalls()).toHaveLength(3);
    expect(mns.refusals).toEqual([]);
  });

  it('replaces a token MNS refuses (expired early) once, and the pull still succeeds', async () => {
    const { up } = pullers();
    await pullAndAck(up);
    expect(tokenCalls()).toHaveLength(1);

    dyba.expireAll(); // the service's clock is ahead of ours: our cache still thinks it good
    mns.enqueue(UP, smsUp(7101));
    expect(await pullAndAck(up)).toEqual(['aliyun:up:7101']);
    expect(mns.refusals).toEqual(['AccessDenied: the security token expired']);
    expect(tokenCalls()).toHaveLength(2);
    expect(mns.depth(UP)).toBe(0);
  });

  it('asks once more, not forever, when the new token is refused too', async () => {
    const { up } = pullers();
    dyba.lifetimeMs = 0; // every token is born expired
    mns.enqueue(UP, smsUp(7201));
    await expect(up.pull(16)).rejects.toMatchObject({ name: 'MNSAccessDeniedError' });
    expect(tokenCalls()).toHaveLength(2);
    expect(mns.refusals).toHaveLength(2);

    dyba.lifetimeMs = 3_600_000; // the next run recovers, and nothing was lost
    mns.makeAllVisible();
    expect(await pullAndAck(up)).toEqual(['aliyun:up:7201']);
  });

  it('keeps no failed token fetch: the API’s code fails the pull, the next pull asks again', async () => {
    const { up } = pullers();
    dyba.failNext('ServiceUnavailable', 503);
    await expect(up.pull(16)).rejects.toMatchObject({ name: 'MnsTokenError', code: 'ServiceUnavailable' });
    expect(mns.requests).toEqual([]); // MNS never called without a token

    mns.enqueue(UP, smsUp(7301));
    expect(await pullAndAck(up)).toEqual(['aliyun:up:7301']);
    expect(tokenCalls().map((r) => r.code)).toEqual(['ServiceUnavailable', 'OK']);
  });

  it('reads with the plain key unless told or hosted by Aliyun, and Aliyun’s queue refuses that key', async () => {
    // Another account id reads with the sender's plain key, which Aliyun's queues refuse (the
    // stand-in requires the security token); ALIYUN_MNS_TOKEN=true fetches tokens whatever the id.
    const plain = smsPullers(
      env({ ALIYUN_ACCOUNT_ID: '1234567890123456', ALIYUN_DYBASEAPI_ENDPOINT: '' }),
      {},
      { now },
    );
    const plainUp = plain.find((p) => p.source === 'aliyun:SmsUp');
    mns.enqueue(UP, smsUp(7401));
    await expect(plainUp?.pull(16)).rejects.toMatchObject({ name: 'MNSAccessDeniedError' });
    expect(tokenCalls()).toEqual([]);
    expect(mns.refusals).toEqual(['AccessDenied: not a temporary AccessKeyId issued for this queue']);

    const explicit = pullers({ ALIYUN_ACCOUNT_ID: '1234567890123456', ALIYUN_MNS_TOKEN: 'true' });
    expect(await pullAndAck(explicit.up)).toEqual(['aliyun:up:7401']);
    expect(tokenCalls()).toHaveLength(1);
  });

  it('the MNS stand-in wants the issued token itself: a temporary key without it is refused', async () => {
    await pullAndAck(pullers().up);
    const [token] = [...dyba.issued.values()].filter((t) => t.queue === UP && t.expiresAt > now()).slice(-1);
    if (!token) throw new Error('no token issued for the SmsUp queue');
    const { default: Client } = await import('@alicloud/mns/lib/client.js');
    const client = (securityToken?: string) =>
      new Client(ALIYUN_ACCOUNT, {
        endpoint: mns.endpoint,
        accessKeyId: token.accessKeyId,
        accessKeySecret: token.secret,
        ...(securityToken ? { securityToken } : {}),
      });
    mns.enqueue(UP, smsUp(7501));
    await expect(client().batchReceiveMessage(UP, 1, 0)).rejects.toMatchObject({
      name: 'MNSAccessDeniedError',
    });
    await expect(client('forged').batchReceiveMessage(UP, 1, 0)).rejects.toMatchObject({
      name: 'MNSAccessDeniedError',
    });
    await expect(client(token.securityToken).batchReceiveMessage(REPORT, 1, 0)).rejects.toMatchObject({
      name: 'MNSAccessDeniedError',
    });
    expect(mns.refusals).toEqual([
      'AccessDenied: the security-token header is missing',
      'AccessDenied: the security token does not match the AccessKeyId',
      `AccessDenied: the token is not for queue ${REPORT}`,
    ]);
    const ok = await client(token.securityToken).batchReceiveMessage(UP, 1, 0);
    expect(ok.body?.length).toBe(1);
  });
});
