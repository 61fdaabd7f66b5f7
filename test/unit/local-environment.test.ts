import { describe, expect, it } from 'vitest';
import { providerTemplateIds } from '#shared/domain/sms/templates';
import { localConfig } from '../../infra/local/environment.ts';
import type { LocalSecrets } from '../../infra/local/secrets.ts';

/**
 * `npm start`'s configuration (infra/local/environment.ts): SMS go to the local outbox unless the
 * environment names a provider, whose variables are then checked as on AWS; SNS_ENDPOINT points
 * the `sns` gateway (and the alerts) at another SNS API, http:// only to loopback.
 */
const secrets: LocalSecrets = {
  webhookSecret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
  webhookSecrets: [`whsec_${Buffer.alloc(32, 1).toString('base64')}`],
  jwtSecret: 'jwt-secret-for-the-test-0123456789',
  replySecret: `whsec_${Buffer.alloc(32, 2).toString('base64')}`,
  smsCallbackToken: 'cb_test-token-0123456789abcdefghijklmnop',
  file: '/dev/null',
};
const local = (env: NodeJS.ProcessEnv) =>
  localConfig({
    env,
    tableName: 'feedback-local',
    dynamoEndpoint: 'http://127.0.0.1:8000',
    region: 'cn-north-1',
    secrets,
    publicUrl: 'http://127.0.0.1:3000',
  }).config;
const codes = Object.fromEntries(providerTemplateIds.map((id, i) => [id, `SMS_${100 + i}`]));
const aliyun = {
  SMS_GATEWAY: 'aliyun',
  ALIYUN_SMS_ENDPOINT: 'http://127.0.0.1:4010',
  ALIYUN_ACCESS_KEY_ID: 'LTAI-test',
  ALIYUN_ACCESS_KEY_SECRET: 'secret',
  RULES: JSON.stringify({ sms: { templateCodes: codes } }),
};

describe('npm start: the SMS gateway from the environment', () => {
  it('is the local outbox unless SMS_GATEWAY says otherwise (blank = unset)', () => {
    expect(local({}).SMS_GATEWAY).toBe('outbox');
    expect(local({ SMS_GATEWAY: '  ' }).SMS_GATEWAY).toBe('outbox');
    expect(local({ SMS_GATEWAY: 'outbox' }).smsProvider).toBeUndefined();
  });

  it('sends through aliyun or tencent with their variables, checked as on AWS', () => {
    const a = local(aliyun);
    expect(a.SMS_GATEWAY).toBe('aliyun');
    expect(a.smsProvider).toMatchObject({
      provider: 'aliyun',
      endpoint: { host: '127.0.0.1:4010', protocol: 'http' },
      credentials: { kind: 'given' },
    });
    const t = local({
      SMS_GATEWAY: 'tencent',
      TENCENT_SMS_ENDPOINT: 'http://localhost:4020',
      TENCENT_SMS_SDK_APP_ID: '1400006666',
      TENCENT_SECRET_ID: 'AKID-test',
      TENCENT_SECRET_KEY: 'key',
      RULES: JSON.stringify({ sms: { templateCodes: codes } }),
    });
    expect(t.smsProvider).toMatchObject({
      provider: 'tencent',
      sdkAppId: '1400006666',
      region: 'ap-guangzhou',
    });
  });

  it('stops the start naming what a provider lacks or what is wrong', () => {
    expect(() => local({ ...aliyun, ALIYUN_ACCESS_KEY_SECRET: '' })).toThrow(/ALIYUN_ACCESS_KEY_SECRET/);
    expect(() => local({ ...aliyun, RULES: '{}' })).toThrow(/RULES\.sms\.templateCodes\.survey/);
    expect(() => local({ ...aliyun, ALIYUN_SMS_ENDPOINT: 'http://sms.example.cn' })).toThrow(
      /ALIYUN_SMS_ENDPOINT: http:\/\/ only to loopback/,
    );
    expect(() => local({ SMS_GATEWAY: 'tencent' })).toThrow(/TENCENT_SMS_SDK_APP_ID/);
    expect(() => local({ SMS_GATEWAY: 'carrier-pigeon' })).toThrow(/SMS_GATEWAY/);
  });

  it('points sns at SNS_ENDPOINT: host[:port] or a URL, http:// only to loopback', () => {
    expect(local({ SMS_GATEWAY: 'sns', SNS_ENDPOINT: 'http://127.0.0.1:4030/' }).SNS_ENDPOINT).toBe(
      'http://127.0.0.1:4030',
    );
    expect(local({ SMS_GATEWAY: 'sns', SNS_ENDPOINT: 'sns.cn-north-1.amazonaws.com.cn' }).SNS_ENDPOINT).toBe(
      'https://sns.cn-north-1.amazonaws.com.cn',
    );
    expect(local({ SMS_GATEWAY: 'sns' }).SNS_ENDPOINT).toBeUndefined();
    expect(() => local({ SMS_GATEWAY: 'sns', SNS_ENDPOINT: 'http://10.0.0.5:4030' })).toThrow(
      /SNS_ENDPOINT: http:\/\/ only to loopback/,
    );
    expect(() => local({ SMS_GATEWAY: 'sns', SNS_ENDPOINT: 'https://sns.example/path' })).toThrow(
      /SNS_ENDPOINT/,
    );
  });
});
