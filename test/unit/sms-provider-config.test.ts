import { describe, expect, it } from 'vitest';
import { buildDeps } from '#shared/app/deps';
import { ConfigError } from '#shared/config/check';
import { loadConfig, requireSmsCallbackToken, smsCallbackTokenProblems } from '#shared/config/config';
import { parseProviderEndpoint } from '#shared/config/sms-provider';
import { providerTemplateIds } from '#shared/domain/sms/templates';
import { makeHandler as makeCallbacksHandler } from '../../functions/sms-callbacks/handler.ts';

const T = 'feedback-test';
const ARN = 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:sms-provider-AbCdEf';
const codes = (prefix: string) =>
  Object.fromEntries(providerTemplateIds.map((id, i) => [id, `${prefix}${100 + i}`]));
const aliyunRules = { sms: { templateCodes: codes('SMS_465') } };
const tencentRules = { sms: { templateCodes: codes('2100') } };

/** The problems loadConfig reports for this environment (empty when it loads). */
function problems(env: Record<string, string>, rules?: unknown): string[] {
  try {
    loadConfig({ TABLE_NAME: T, ...env, ...(rules ? { RULES: JSON.stringify(rules) } : {}) });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('parseProviderEndpoint', () => {
  it.each([
    ['dysmsapi.aliyuncs.com', { host: 'dysmsapi.aliyuncs.com', protocol: 'https' }],
    ['sms.tencentcloudapi.com:443', { host: 'sms.tencentcloudapi.com', protocol: 'https' }],
    ['sms.internal.example.cn:8443', { host: 'sms.internal.example.cn:8443', protocol: 'https' }],
    ['https://dysmsapi.aliyuncs.com', { host: 'dysmsapi.aliyuncs.com', protocol: 'https' }],
    ['https://dysmsapi.aliyuncs.com/', { host: 'dysmsapi.aliyuncs.com', protocol: 'https' }],
    ['http://127.0.0.1:9400', { host: '127.0.0.1:9400', protocol: 'http' }],
    ['http://localhost:9400', { host: 'localhost:9400', protocol: 'http' }],
    ['http://[::1]:9400', { host: '[::1]:9400', protocol: 'http' }],
    ['127.0.0.1:9400', { host: '127.0.0.1:9400', protocol: 'https' }],
  ])('%s -> %j', (value, expected) => {
    expect(parseProviderEndpoint(value)).toEqual(expected);
  });

  it.each([
    ['http://dysmsapi.aliyuncs.com', /http:\/\/ only to loopback/],
    ['http://10.0.0.5:80', /http:\/\/ only to loopback/],
    ['ftp://dysmsapi.aliyuncs.com', /expected host/],
    ['https://user:pw@dysmsapi.aliyuncs.com', /credentials/],
    ['https://dysmsapi.aliyuncs.com/v1', /no path/],
    ['dysmsapi.aliyuncs.com?x=1', /no path, query/],
    ['', /./],
    ['bad host name', /./],
  ])('%j is refused (%s)', (value, problem) => {
    const parsed = parseProviderEndpoint(value);
    expect(parsed).toHaveProperty('problem');
    expect((parsed as { problem: string }).problem).toMatch(problem);
  });
});

describe('SMS_GATEWAY=aliyun at start', () => {
  const keys = { ALIYUN_ACCESS_KEY_ID: 'LTAI-id', ALIYUN_ACCESS_KEY_SECRET: 'secret' };

  it('loads with keys and a code for every template, keeping the keys out of Config', () => {
    const config = loadConfig({
      TABLE_NAME: T,
      SMS_GATEWAY: 'aliyun',
      ...keys,
      RULES: JSON.stringify(aliyunRules),
    });
    expect(config.smsProvider).toEqual({
      provider: 'aliyun',
      endpoint: { host: 'dysmsapi.aliyuncs.com', protocol: 'https' },
      credentials: { kind: 'given', value: { accessKeyId: 'LTAI-id', accessKeySecret: 'secret' } },
    });
    expect(JSON.stringify(Object.entries(config).filter(([k]) => k !== 'smsProvider'))).not.toContain(
      'secret',
    );
  });

  it('loads with the Secrets Manager secret instead of keys', () => {
    const config = loadConfig({
      TABLE_NAME: T,
      SMS_GATEWAY: 'aliyun',
      SMS_PROVIDER_SECRET_ARN: ARN,
      RULES: JSON.stringify(aliyunRules),
    });
    expect(config.smsProvider?.credentials).toEqual({ kind: 'secretsManager', arn: ARN });
  });

  it('names the missing credentials', () => {
    expect(problems({ SMS_GATEWAY: 'aliyun' }, aliyunRules)).toEqual([
      'ALIYUN_ACCESS_KEY_ID: SMS_GATEWAY=aliyun needs ALIYUN_ACCESS_KEY_ID and ALIYUN_ACCESS_KEY_SECRET, or SMS_PROVIDER_SECRET_ARN',
    ]);
    expect(problems({ SMS_GATEWAY: 'aliyun', ALIYUN_ACCESS_KEY_ID: 'LTAI-id' }, aliyunRules)).toEqual([
      expect.stringMatching(/^ALIYUN_ACCESS_KEY_SECRET: /),
    ]);
  });

  it('names each template without a code', () => {
    const { survey: _s, thanks: _t, ...rest } = aliyunRules.sms.templateCodes;
    expect(problems({ SMS_GATEWAY: 'aliyun', ...keys }, { sms: { templateCodes: rest } })).toEqual([
      'RULES.sms.templateCodes.survey: SMS_GATEWAY=aliyun needs the aliyun code of template survey',
      'RULES.sms.templateCodes.thanks: SMS_GATEWAY=aliyun needs the aliyun code of template thanks',
    ]);
  });

  it('refuses a code for a template that is not sent by code', () => {
    const rules = { sms: { templateCodes: { ...aliyunRules.sms.templateCodes, nonsense: 'SMS_1' } } };
    expect(problems({ SMS_GATEWAY: 'aliyun', ...keys }, rules)).toEqual([
      expect.stringMatching(/^RULES\.sms\.templateCodes\.nonsense: /),
    ]);
  });

  it('refuses the web survey (a link cannot be a template variable)', () => {
    const rules = { ...aliyunRules, sources: { ossA: { webSurvey: true } } };
    expect(
      problems({ SMS_GATEWAY: 'aliyun', ...keys, PUBLIC_BASE_URL: 'https://fb.example.cn' }, rules),
    ).toEqual([
      expect.stringMatching(/^RULES\.sources\.ossA\.webSurvey: not available with SMS_GATEWAY=aliyun/),
    ]);
  });

  it('names a bad endpoint', () => {
    expect(
      problems(
        { SMS_GATEWAY: 'aliyun', ...keys, ALIYUN_SMS_ENDPOINT: 'http://dysmsapi.aliyuncs.com' },
        aliyunRules,
      ),
    ).toEqual([expect.stringMatching(/^ALIYUN_SMS_ENDPOINT: http:\/\/ only to loopback/)]);
  });
});

describe('SMS_GATEWAY=tencent at start', () => {
  const keys = {
    TENCENT_SECRET_ID: 'AKID-id',
    TENCENT_SECRET_KEY: 'key',
    TENCENT_SMS_SDK_APP_ID: '1400006666',
  };

  it('loads with keys, the app id and a code for every template; region ap-guangzhou by default', () => {
    const config = loadConfig({
      TABLE_NAME: T,
      SMS_GATEWAY: 'tencent',
      ...keys,
      RULES: JSON.stringify(tencentRules),
    });
    expect(config.smsProvider).toEqual({
      provider: 'tencent',
      endpoint: { host: 'sms.tencentcloudapi.com', protocol: 'https' },
      region: 'ap-guangzhou',
      sdkAppId: '1400006666',
      credentials: { kind: 'given', value: { secretId: 'AKID-id', secretKey: 'key' } },
    });
  });

  it('names the missing app id and credentials', () => {
    expect(problems({ SMS_GATEWAY: 'tencent' }, tencentRules)).toEqual([
      expect.stringMatching(/^TENCENT_SMS_SDK_APP_ID: /),
      'TENCENT_SECRET_ID: SMS_GATEWAY=tencent needs TENCENT_SECRET_ID and TENCENT_SECRET_KEY, or SMS_PROVIDER_SECRET_ARN',
    ]);
    expect(
      problems(
        { SMS_GATEWAY: 'tencent', TENCENT_SMS_SDK_APP_ID: '1400006666', SMS_PROVIDER_SECRET_ARN: ARN },
        tencentRules,
      ),
    ).toEqual([]);
  });

  it('names a malformed app id or region', () => {
    expect(
      problems({ SMS_GATEWAY: 'tencent', ...keys, TENCENT_SMS_SDK_APP_ID: 'app' }, tencentRules),
    ).toEqual([expect.stringMatching(/^TENCENT_SMS_SDK_APP_ID: /)]);
    expect(
      problems({ SMS_GATEWAY: 'tencent', ...keys, TENCENT_SMS_REGION: 'Guangzhou' }, tencentRules),
    ).toEqual([expect.stringMatching(/^TENCENT_SMS_REGION: /)]);
  });

  it('names each template without a code: the plain notices without a hotline, their hotline variants with one', () => {
    const need = (ids: readonly string[]) =>
      ids.map(
        (id) => `RULES.sms.templateCodes.${id}: SMS_GATEWAY=tencent needs the tencent code of template ${id}`,
      );
    const plain = providerTemplateIds.filter((id) => !id.endsWith('_hotline'));
    expect(problems({ SMS_GATEWAY: 'tencent', ...keys })).toEqual(need(plain));
    expect(plain).toContain('no_open_survey');
    const withHotline = providerTemplateIds.filter(
      (id) => !providerTemplateIds.includes(`${id}_hotline` as never),
    );
    expect(withHotline).toContain('no_open_survey_hotline');
    expect(withHotline).not.toContain('no_open_survey');
    expect(problems({ SMS_GATEWAY: 'tencent', ...keys }, { sms: { hotline: '10086' } })).toEqual(
      need(withHotline),
    );
  });
});

describe('sns and outbox', () => {
  it('need none of it', () => {
    expect(problems({ SMS_GATEWAY: 'sns' })).toEqual([]);
    expect(loadConfig({ TABLE_NAME: T, SMS_GATEWAY: 'outbox' }).smsProvider).toBeUndefined();
  });
});

describe('RULES sms.optOutHint', () => {
  it('defaults to 回T退订 and accepts Aliyun’s 拒收请回复R', () => {
    expect(loadConfig({ TABLE_NAME: T }).rules.sms.optOutHint).toBe('回T退订');
    expect(problems({}, { sms: { optOutHint: '拒收请回复R' } })).toEqual([]);
  });

  it.each([['回复退订'], ['拒收请回复R谢谢'], ['回T退订 https'], ['x']])('refuses %j', (hint) => {
    const found = problems({}, { sms: { optOutHint: hint } });
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p).toMatch(/^RULES\.sms\.optOutHint: /);
  });
});

describe('SMS_CALLBACK_TOKEN, required where it is read (the sms-callbacks function)', () => {
  const TOKEN = 'abcDEF0123456789_-abcdefghijklmnop';
  const TOKEN_ARN = 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:sms-callback-AbCdEf';
  const aliyun = {
    TABLE_NAME: T,
    SMS_GATEWAY: 'aliyun',
    ALIYUN_ACCESS_KEY_ID: 'LTAI-id',
    ALIYUN_ACCESS_KEY_SECRET: 'secret',
    RULES: JSON.stringify(aliyunRules),
  };
  const tencent = {
    TABLE_NAME: T,
    SMS_GATEWAY: 'tencent',
    TENCENT_SMS_SDK_APP_ID: '1400006666',
    TENCENT_SECRET_ID: 'AKID-id',
    TENCENT_SECRET_KEY: 'secret',
    RULES: JSON.stringify(tencentRules),
  };

  it.each([
    ['aliyun', aliyun],
    ['tencent', tencent],
  ])('%s without SMS_CALLBACK_TOKEN or its ARN: the callbacks composition root fails naming it', (_, env) => {
    // Every other function starts (the stack gives the token's ARN to sms-callbacks alone) ...
    const config = loadConfig(env);
    expect(smsCallbackTokenProblems(config)).toEqual([expect.stringMatching(/^SMS_CALLBACK_TOKEN: /)]);
    // ... but the callbacks' handler is not built.
    expect(() => makeCallbacksHandler(buildDeps(config))).toThrow(ConfigError);
    expect(() => makeCallbacksHandler(buildDeps(config))).toThrow(/SMS_CALLBACK_TOKEN: required/);
    expect(() => requireSmsCallbackToken(config)).toThrow(/SMS_CALLBACK_TOKEN/);
  });

  it('with the token or its ARN, or with SMS_GATEWAY sns / outbox, it is built', () => {
    for (const env of [
      { ...aliyun, SMS_CALLBACK_TOKEN: TOKEN },
      { ...tencent, SMS_CALLBACK_TOKEN_SECRET_ARN: TOKEN_ARN },
      { TABLE_NAME: T, SMS_GATEWAY: 'outbox' },
      { TABLE_NAME: T, SMS_GATEWAY: 'sns' },
    ]) {
      const config = loadConfig(env);
      expect(smsCallbackTokenProblems(config), env.SMS_GATEWAY).toEqual([]);
      expect(typeof makeCallbacksHandler(buildDeps(config))).toBe('function');
    }
  });
});
