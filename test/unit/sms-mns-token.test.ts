import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { ALIYUN_SMS_MNS_ACCOUNT, mnsUsesToken } from '#shared/config/sms-pull';
import { providerTemplateIds } from '#shared/domain/sms/templates';
import { isMnsAuthError } from '#shared/gateways/sms-pull/aliyun-mns';
import { MnsTokenError, messageToken } from '#shared/gateways/sms-pull/aliyun-mns-token';

/** Issue 11: which MNS queues take a QueryTokenForMnsQueue token, and reading its answer. */
const T = 'feedback-test';
const codes = Object.fromEntries(providerTemplateIds.map((id) => [id, `SMS_${id}`]));
const mns = {
  TABLE_NAME: T,
  SMS_GATEWAY: 'aliyun',
  ALIYUN_ACCESS_KEY_ID: 'LTAI5tTestKeyId',
  ALIYUN_ACCESS_KEY_SECRET: 'aliyun-test-secret',
  RULES: JSON.stringify({ sms: { templateCodes: codes } }),
  ALIYUN_MNS_ENDPOINT: 'https://1943695596114318.mns.cn-hangzhou.aliyuncs.com',
  ALIYUN_ACCOUNT_ID: ALIYUN_SMS_MNS_ACCOUNT,
  ALIYUN_MNS_QUEUE_SMS_UP: 'Alicom-Queue-1234567890-SmsUp',
};
const OWN = '1234567890123456';

describe('ALIYUN_MNS_TOKEN: a token for the queues Aliyun hosts, plain keys for the operator’s own', () => {
  it('defaults by the account: Aliyun’s takes a token, any other the plain keys', () => {
    expect(mnsUsesToken(loadConfig(mns))).toBe(true);
    expect(mnsUsesToken(loadConfig({ ...mns, ALIYUN_ACCOUNT_ID: OWN }))).toBe(false);
    expect(loadConfig(mns).ALIYUN_DYBASEAPI_ENDPOINT).toBeUndefined();
  });

  it('an explicit true or false wins (Aliyun’s account cannot be read without a token)', () => {
    const own = { ...mns, ALIYUN_ACCOUNT_ID: OWN };
    expect(mnsUsesToken(loadConfig({ ...own, ALIYUN_MNS_TOKEN: 'true' }))).toBe(true);
    expect(mnsUsesToken(loadConfig({ ...own, ALIYUN_MNS_TOKEN: 'false' }))).toBe(false);
    expect(mnsUsesToken(loadConfig({ ...mns, ALIYUN_MNS_TOKEN: 'true' }))).toBe(true);
    expect(() => loadConfig({ ...mns, ALIYUN_MNS_TOKEN: 'false' })).toThrow(
      /ALIYUN_MNS_TOKEN: the queues of Aliyun's account 1943695596114318 are read only with temporary credentials/,
    );
  });

  it('names a bad value or a setting that has nothing to act on', () => {
    expect(() => loadConfig({ ...mns, ALIYUN_MNS_TOKEN: 'yes' })).toThrow(
      /ALIYUN_MNS_TOKEN: expected true or false/,
    );
    expect(() => loadConfig({ ...mns, ALIYUN_DYBASEAPI_ENDPOINT: 'http://dybaseapi.example.com' })).toThrow(
      /ALIYUN_DYBASEAPI_ENDPOINT: http:\/\/ only to loopback/,
    );
    expect(
      loadConfig({ ...mns, ALIYUN_DYBASEAPI_ENDPOINT: 'http://127.0.0.1:9002' }).ALIYUN_DYBASEAPI_ENDPOINT,
    ).toBe('http://127.0.0.1:9002');
    expect(() =>
      loadConfig({ ...mns, ALIYUN_ACCOUNT_ID: OWN, ALIYUN_DYBASEAPI_ENDPOINT: 'dybaseapi.aliyuncs.com' }),
    ).toThrow(/ALIYUN_DYBASEAPI_ENDPOINT: only used with temporary credentials/);
    const noQueues = {
      TABLE_NAME: T,
      SMS_GATEWAY: 'aliyun',
      ALIYUN_ACCESS_KEY_ID: 'k',
      ALIYUN_ACCESS_KEY_SECRET: 's',
      RULES: mns.RULES,
    };
    expect(() => loadConfig({ ...noQueues, ALIYUN_MNS_TOKEN: 'true' })).toThrow(
      /ALIYUN_MNS_TOKEN: only used to read the MNS queues/,
    );
    expect(() => loadConfig({ ...noQueues, ALIYUN_DYBASEAPI_ENDPOINT: 'dybaseapi.aliyuncs.com' })).toThrow(
      /ALIYUN_DYBASEAPI_ENDPOINT: only used to read the MNS queues/,
    );
  });
});

describe('QueryTokenForMnsQueue’s answer', () => {
  const dto = {
    AccessKeyId: 'STS.NTpHK8XXXX',
    AccessKeySecret: 'tmp-secret',
    SecurityToken: 'CAIS-token',
    CreateTime: '2026-12-01 10:00:00',
    ExpireTime: '2026-12-01 11:00:00',
  };

  it('reads MessageTokenDTO, ExpireTime in Beijing time', () => {
    expect(messageToken({ RequestId: 'r', Code: 'OK', Message: 'OK', MessageTokenDTO: dto })).toEqual({
      id: 'STS.NTpHK8XXXX',
      secret: 'tmp-secret',
      securityToken: 'CAIS-token',
      expiresAt: Date.parse('2026-12-01T03:00:00Z'),
    });
  });

  it('refuses an error Code or an incomplete token, naming the code only', () => {
    const refused = messageToken({ Code: 'isv.NO_PERMISSION', Message: 'denied' });
    expect(refused).toBeInstanceOf(MnsTokenError);
    expect(refused).toMatchObject({ code: 'isv.NO_PERMISSION' });
    for (const broken of [
      { ...dto, SecurityToken: '' },
      { ...dto, AccessKeySecret: undefined },
      { ...dto, ExpireTime: '2026-02-30 10:00:00' },
      { ...dto, ExpireTime: 1796090345 },
    ]) {
      expect(messageToken({ Code: 'OK', MessageTokenDTO: broken })).toMatchObject({
        code: 'unreadable_MessageTokenDTO',
      });
    }
    expect(messageToken(undefined)).toMatchObject({ code: 'no_code' });
  });
});

describe('which MNS errors mean the credentials were refused', () => {
  const mnsError = (code: string, status: number) => {
    const err = new Error(`GET http://x/queues/q/messages failed with ${status}. requestid: r, message: m`);
    err.name = `MNS${code}Error`;
    return err;
  };

  it('403 credential errors, not an empty queue or an outage', () => {
    expect(isMnsAuthError(mnsError('AccessDenied', 403))).toBe(true);
    expect(isMnsAuthError(mnsError('InvalidAccessKeyId', 403))).toBe(true);
    expect(isMnsAuthError(mnsError('SignatureDoesNotMatch', 403))).toBe(true);
    expect(isMnsAuthError(mnsError('SecurityTokenExpired', 400))).toBe(true);
    expect(isMnsAuthError(mnsError('MessageNotExist', 404))).toBe(false);
    expect(isMnsAuthError(mnsError('ServiceUnavailable', 503))).toBe(false);
    expect(isMnsAuthError(new Error('socket hang up'))).toBe(false);
  });
});
