import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { parseRules } from '#shared/domain/rules';
import { loadLocalSecrets } from '../../infra/local/secrets.ts';
import { localOptionsFromEnv } from '../../infra/local/server.ts';

const T = 'feedback-test';

describe('configuration', () => {
  it('applies docs/domain.md defaults', () => {
    const c = loadConfig({ TABLE_NAME: T });
    expect(c.rules.sms.signature).toBe('客户服务');
    expect(c.rules.sms.quietHours).toEqual({ start: '21:00', end: '08:00', spreadMinutes: 60 });
    expect(c.rules.survey.delayMinutes.repair).toBe(30);
    expect(c.rules.survey.delayMinutes.store_sale).toBe(4320);
    expect(c.rules.timeZone).toBe('Asia/Shanghai');
  });

  it('fails fast naming the variable that is wrong', () => {
    expect(() => loadConfig({})).toThrow(/TABLE_NAME/);
    expect(() => loadConfig({ TABLE_NAME: T, SMS_GATEWAY: 'pigeon' })).toThrow(/SMS_GATEWAY/);
    expect(() => loadConfig({ TABLE_NAME: T, RULES: '{"sms":{"signature":"ACME"}}' })).toThrow(/signature/);
    expect(() => loadConfig({ TABLE_NAME: T, RULES: 'not json' })).toThrow(/RULES/);
  });

  it('merges overrides over the defaults', () => {
    const c = loadConfig({ TABLE_NAME: T, RULES: '{"sms":{"signature":"江西移动"}}' });
    expect(c.rules.sms.signature).toBe('江西移动');
    expect(c.rules.sms.quietHours.start).toBe('21:00');
  });
});

/** Issue 9, defect 8: every bad value stops the start naming its exact path. */
describe('strict configuration (issue 9.8)', () => {
  const rulesError = (rules: unknown) => () =>
    loadConfig({ TABLE_NAME: T, RULES: typeof rules === 'string' ? rules : JSON.stringify(rules) });

  it('rejects an unknown time zone naming RULES.timeZone', () => {
    expect(rulesError({ timeZone: 'Mars/Base' })).toThrow(/^Invalid configuration: RULES\.timeZone: /);
    expect(parseRules('{"timeZone":"UTC"}').timeZone).toBe('UTC');
  });

  it('rejects unknown keys at any depth, naming their path', () => {
    expect(rulesError({ survy: { kinds: [] } })).toThrow(/RULES\.survy: unknown key/);
    expect(rulesError({ survey: { expiryHour: 1 } })).toThrow(/RULES\.survey\.expiryHour: unknown key/);
    expect(rulesError({ sms: { quietHours: { start: '22:00', ends: '07:00' } } })).toThrow(
      /RULES\.sms\.quietHours\.ends: unknown key/,
    );
    expect(rulesError({ satisfaction: { points: { 4: 10 } } })).toThrow(/RULES\.satisfaction\.points\.4/);
    expect(rulesError({ sources: { oss: { replyURL: 'https://wo.example.com/r' } } })).toThrow(
      /RULES\.sources\.oss\.replyURL: unknown key/,
    );
    expect(rulesError({ timeLimits: { otherKindHours: { instal: 24 } } })).toThrow(
      /RULES\.timeLimits\.otherKindHours\.instal/,
    );
    expect(rulesError({ tickets: { maxCompletionAgeDay: 3 } })).toThrow(
      /RULES\.tickets\.maxCompletionAgeDay: unknown key/,
    );
  });

  it('deep-merges a partial survey.delayMinutes and a partial quietHours over the defaults', () => {
    const r = parseRules('{"survey":{"delayMinutes":{"repair":10}},"sms":{"quietHours":{"start":"22:00"}}}');
    expect(r.survey.delayMinutes).toEqual({
      repair: 10,
      install: 30,
      move: 30,
      removal: 30,
      activation: 30,
      inspection: 30,
      store_sale: 4320,
      new_business: 4320,
      store_service: 30,
    });
    expect(r.sms.quietHours).toEqual({ start: '22:00', end: '08:00', spreadMinutes: 60 });
    expect(parseRules('{"sms":{"quietHours":{"end":"07:30"}}}').sms.quietHours).toEqual({
      start: '21:00',
      end: '07:30',
      spreadMinutes: 60,
    });
    expect(rulesError({ survey: { delayMinutes: { repiar: 10 } } })).toThrow(
      /RULES\.survey\.delayMinutes\.repiar: unknown key/,
    );
    expect(rulesError({ survey: { delayMinutes: { repair: -1 } } })).toThrow(
      /RULES\.survey\.delayMinutes\.repair: /,
    );
  });

  it('allows only https reply URLs, or http to loopback, and never link-local or metadata addresses', () => {
    const replyUrl = (url: string) => () =>
      parseRules(JSON.stringify({ sources: { oss: { replyUrl: url } } }));
    for (const bad of [
      'file:///etc/passwd',
      'ftp://wo.example.com/reply',
      'http://wo.example.com/reply',
      'http://10.0.0.5/reply',
      'https://169.254.169.254/latest/meta-data/',
      'http://169.254.169.254/latest/meta-data/',
      'https://0xa9fea9fe/',
      'https://[::ffff:169.254.169.254]/',
      'https://[fe80::1]/reply',
      'https://[fd00:ec2::254]/',
      'https://100.100.100.200/latest/meta-data/',
      'https://0.0.0.0/reply',
      'https://user:password@wo.example.com/reply',
      'not a url',
    ]) {
      expect(replyUrl(bad), bad).toThrow(/^Invalid configuration: RULES\.sources\.oss\.replyUrl: /);
    }
    for (const good of [
      'https://wo.example.com/reply',
      'https://10.0.0.5:8443/reply',
      'http://127.0.0.1:8080/hook',
      'http://localhost:8080/hook',
      'http://[::1]:8080/hook',
    ]) {
      expect(parseRules(JSON.stringify({ sources: { oss: { replyUrl: good } } })).sources.oss?.replyUrl).toBe(
        good,
      );
    }
  });

  it('rejects staff phones that are not mainland China mobiles, naming the entry', () => {
    expect(rulesError({ survey: { staffPhones: ['13800138000', '+86 139 0013 9000', '12345'] } })).toThrow(
      'Invalid configuration: RULES.survey.staffPhones.2: not a mainland China mobile number',
    );
    expect(parseRules('{"survey":{"staffPhones":["13800138000"]}}').survey.staffPhones).toEqual([
      '13800138000',
    ]);
  });

  it('checks every other variable', () => {
    const env = (extra: Record<string, string>) => () => loadConfig({ TABLE_NAME: T, ...extra });
    expect(env({ DUE_SHARDS: '0' })).toThrow(/DUE_SHARDS/);
    expect(env({ DUE_SHARDS: '65' })).toThrow(/DUE_SHARDS/);
    expect(env({ DUE_SHARDS: 'four' })).toThrow(/DUE_SHARDS/);
    expect(env({ DUE_WORKERS: '0' })).toThrow(/^Invalid configuration: DUE_WORKERS: /);
    expect(env({ DUE_WORKERS: '65' })).toThrow(/DUE_WORKERS/);
    expect(env({ DUE_QUEUE_URL: 'http://sqs.example.com/q' })).toThrow(/DUE_QUEUE_URL/);
    expect(env({ DUE_FOLLOW_SECONDS: '31' })).toThrow(/DUE_FOLLOW_SECONDS/);
    expect(env({ DYNAMODB_ENDPOINT: 'localhost:8000' })).toThrow(
      /^Invalid configuration: DYNAMODB_ENDPOINT: /,
    );
    expect(env({ AWS_REGION: 'Mars' })).toThrow(/^Invalid configuration: AWS_REGION: /);
    expect(env({ ALERTS_TOPIC_ARN: 'alerts' })).toThrow(/^Invalid configuration: ALERTS_TOPIC_ARN: /);
    expect(env({ PUBLIC_BASE_URL: 'ftp://feedback.example.com' })).toThrow(/PUBLIC_BASE_URL/);
    expect(env({ WORK_ORDER_QUEUE_URL: 'javascript:alert(1)' })).toThrow(/WORK_ORDER_QUEUE_URL/);
    expect(() => loadConfig({ TABLE_NAME: 'a table' })).toThrow(/^Invalid configuration: TABLE_NAME: /);
    // Every problem at once, each with its own name.
    expect(env({ AWS_REGION: 'Mars', RULES: '{"timeZone":"Mars/Base"}' })).toThrow(
      /AWS_REGION: .*; RULES\.timeZone: /,
    );
    const ok = loadConfig({
      TABLE_NAME: T,
      AWS_REGION: 'cn-northwest-1',
      DUE_SHARDS: '8',
      DUE_WORKERS: '16',
      DUE_QUEUE_URL: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/due-work.fifo',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      ALERTS_TOPIC_ARN: 'arn:aws-cn:sns:cn-north-1:123456789012:alerts',
      PUBLIC_BASE_URL: 'https://feedback.example.com',
      WORK_ORDER_QUEUE_URL: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/replies',
    });
    expect(ok.DUE_SHARDS).toBe(8);
    expect(ok.DUE_WORKERS).toBe(16);
    expect(loadConfig({ TABLE_NAME: T }).DUE_WORKERS).toBe(4);
  });

  it('refuses durations past 30 days, source ids that no webhook can carry, and a web survey with nowhere to link', () => {
    const env = (extra: Record<string, string>) => () => loadConfig({ TABLE_NAME: T, ...extra });
    expect(rulesError({ survey: { expiryHours: 259_200_000 } })).toThrow(
      /RULES\.survey\.expiryHours: at most 720 hours/,
    );
    expect(rulesError({ survey: { delayMinutes: { repair: 1e9 } } })).toThrow(
      /RULES\.survey\.delayMinutes\.repair: at most 43200 minutes/,
    );
    expect(rulesError({ survey: { fatigueHours: 1e308 } })).toThrow(/RULES\.survey\.fatigueHours/);
    expect(rulesError({ sources: { 'OSS 1': { webSurvey: false } } })).toThrow(
      /RULES\.sources\.OSS 1: .*source id/,
    );
    expect(env({ REPLY_SECRETS: '{}', RULES: '{"sources":{"ossA":{"webSurvey":true}}}' })).toThrow(
      /RULES\.sources\.ossA\.webSurvey: needs PUBLIC_BASE_URL/,
    );
    expect(
      loadConfig({
        TABLE_NAME: T,
        PUBLIC_BASE_URL: 'https://fb.cn',
        RULES: '{"sources":{"ossA":{"webSurvey":true}}}',
      }).rules.sources.ossA?.webSurvey,
    ).toBe(true);
    // the link's path is appended to it: no query or fragment; https only (http to loopback)
    expect(env({ PUBLIC_BASE_URL: 'https://fb.cn/?x=1' })).toThrow(/PUBLIC_BASE_URL: no query or fragment/);
    expect(env({ PUBLIC_BASE_URL: 'http://fb.example.com' })).toThrow(
      /PUBLIC_BASE_URL: http:\/\/ only to loopback/,
    );
    expect(env({ PUBLIC_BASE_URL: 'https://user:pw@fb.cn' })).toThrow(/PUBLIC_BASE_URL: credentials/);
    expect(loadConfig({ TABLE_NAME: T, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).PUBLIC_BASE_URL).toBe(
      'http://127.0.0.1:3000',
    );
  });
});

describe('secrets (issue 9.8)', () => {
  it('stops the configuration (Lambda init) when WEBHOOK_SECRET is not a Standard Webhooks secret', () => {
    expect(() => loadConfig({ TABLE_NAME: T, WEBHOOK_SECRET: 'not a secret!' })).toThrow(
      /^Invalid configuration: WEBHOOK_SECRET: /,
    );
  });

  it('checks each comma-separated secret: whsec_ prefix, base64, 24 to 64 bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-secrets-'));
    const good = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    for (const bad of [
      'not a secret!',
      Buffer.alloc(32, 7).toString('base64'),
      'whsec_not base64!',
      `whsec_${Buffer.alloc(8, 7).toString('base64')}`,
      `whsec_${Buffer.alloc(65, 7).toString('base64')}`,
    ]) {
      expect(() => loadLocalSecrets({ WEBHOOK_SECRET: `${good},${bad}` }, dir), bad).toThrow(
        /^Invalid configuration: WEBHOOK_SECRET\.1: /,
      );
    }
    expect(loadLocalSecrets({ WEBHOOK_SECRET: good }, dir).webhookSecrets).toEqual([good]);
  });

  it('stops the configuration when REPLY_SECRETS is bad', () => {
    expect(() => loadConfig({ TABLE_NAME: T, REPLY_SECRETS: '{"oss":"not a secret!"}' })).toThrow(
      /^Invalid configuration: REPLY_SECRETS\.oss: /,
    );
  });
});

describe('local server options (issue 9.8)', () => {
  it('names PORT, not PUBLIC_BASE_URL, for a port out of range', () => {
    expect(() => localOptionsFromEnv({ PORT: '99999' }, [])).toThrow(/^Invalid configuration: PORT: /);
  });

  it('checks every option of npm start by its own name', () => {
    expect(() => localOptionsFromEnv({ PORT: '-1' }, [])).toThrow(/PORT/);
    expect(() => localOptionsFromEnv({ DYNAMODB_PORT: '70000' }, [])).toThrow(/DYNAMODB_PORT/);
    expect(() => localOptionsFromEnv({ TICK_SECONDS: '9999999999' }, [])).toThrow(/TICK_SECONDS/);
    expect(() => localOptionsFromEnv({ HOST: 'not a host!' }, [])).toThrow(/HOST/);
    expect(() => localOptionsFromEnv({ TABLE_NAME: 'a table' }, [])).toThrow(/TABLE_NAME/);
    expect(() => localOptionsFromEnv({ DYNAMODB_ENDPOINT: 'localhost:8000' }, [])).toThrow(
      /DYNAMODB_ENDPOINT/,
    );
    expect(() => localOptionsFromEnv({ AWS_REGION: 'Mars' }, [])).toThrow(/AWS_REGION/);
    expect(() => localOptionsFromEnv({}, ['--in-memroy'])).toThrow(/in-memroy/);
    expect(localOptionsFromEnv({ PORT: '0', HOST: '::1', TICK_SECONDS: '5' }, ['--in-memory'])).toMatchObject(
      {
        port: 0,
        host: '::1',
        tickSeconds: 5,
        inMemory: true,
      },
    );
  });
});
