import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functionNames, routes } from '#shared/http/routes';
import { REPO_ROOT } from '../../infra/build/esbuild-options.ts';
import { deployContext } from '../../infra/context.ts';
import { functionSpecs } from '../../infra/functions.ts';
import { addNagChecks, defineStacks } from '../../infra/stacks.ts';

/**
 * The stack for AWS China (issue 11): `-c region=cn-northwest-1 -c oidcIssuer=... -c oidcAudience=...
 * -c smsGateway=aliyun` synthesizes for the aws-cn partition, with no Cognito, no SNS SMS and the
 * provider's secret in Secrets Manager, cdk-nag clean (the nag checks run in the synth, as
 * infra/app.ts adds them: an unacknowledged finding fails it). Bundling is skipped here: the
 * functions' code is the same as in test/infra/stacks.test.ts, which bundles it.
 */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, navigated freely
type Json = Record<string, any>;

const ISSUER = 'https://idp.example.cn';
const cdkContext = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context as Json;
let outdir: string;

interface Synth {
  app: App;
  data: Json;
  api: Json;
}

function synth(context: Record<string, unknown>, name: string): Synth {
  const app = new App({
    outdir: join(outdir, name),
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context },
  });
  defineStacks(app);
  addNagChecks(app);
  const assembly = app.synth();
  return {
    app,
    data: assembly.getStackByName('FeedbackData').template,
    api: assembly.getStackByName('FeedbackApi').template,
  };
}

const resources = (t: Json, type: string): [string, Json][] =>
  Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

function lambda(s: Synth, name: FunctionName): [string, Json] {
  const found = resources(s.api, 'AWS::Lambda::Function').filter(([, r]) =>
    String(r.Properties.Description).endsWith(`functions/${name}`),
  );
  expect(found, name).toHaveLength(1);
  return found[0] as [string, Json];
}
const env = (s: Synth, name: FunctionName): Record<string, unknown> =>
  lambda(s, name)[1].Properties.Environment.Variables;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
function statements(s: Synth, name: FunctionName): Statement[] {
  const roleId = lambda(s, name)[1].Properties.Role['Fn::GetAtt'][0];
  return resources(s.api, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (st: Statement) => [st.Action].flat();

/** Functions that call the provider's API: they, and only they, read its credentials. */
const PROVIDER_CALLERS = functionNames.filter((n) => functionSpecs[n].sendsSms || functionSpecs[n].pullsSms);
/** Functions behind the JWT authorizer: they get the claim names. */
const TOKEN_CHECKERS = new Set(routes.filter((r) => r.auth).map((r) => r.fn));

let cn: Synth;
let tencent: Synth;
const IMPORTED = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:feedback/tencent-sms-AbC123';

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cdk-cn-test-'));
  cn = synth(
    {
      region: 'cn-northwest-1',
      oidcIssuer: ISSUER,
      oidcAudience: 'feedback-web',
      smsGateway: 'aliyun',
      aliyunMnsEndpoint: 'https://1943695596114318.mns.cn-hangzhou.aliyuncs.com',
      aliyunAccountId: '1943695596114318',
      aliyunMnsQueueSmsUp: 'Alicom-Queue-1234567890-SmsUp',
      aliyunMnsQueueSmsReport: 'Alicom-Queue-1234567890-SmsReport',
    },
    'aliyun',
  );
  tencent = synth(
    {
      region: 'cn-north-1',
      oidcIssuer: `${ISSUER}/realms/ops`,
      oidcAudience: 'feedback-web, feedback-app',
      oidcRoleClaim: 'https://feedback.example.cn/role',
      oidcTeamsClaim: 'groups_json',
      smsGateway: 'tencent',
      tencentSmsSdkAppId: '1400006666',
      tencentSmsRegion: 'ap-beijing',
      smsProviderSecretArn: IMPORTED,
      oidcAuthorizeUrl: `${ISSUER}/realms/ops/protocol/openid-connect/auth`,
      oidcTokenUrl: `${ISSUER}/realms/ops/protocol/openid-connect/token`,
      oidcLogoutUrl: `${ISSUER}/realms/ops/protocol/openid-connect/logout`,
    },
    'tencent',
  );
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('cn-northwest-1, OIDC, aliyun', () => {
  it('both stacks are in cn-northwest-1, partition aws-cn: every ARN through it, none with arn:aws:', () => {
    for (const stack of cn.app.node.children.filter((c) => c instanceof Stack)) {
      expect(stack.region, stack.stackName).toBe('cn-northwest-1');
      expect(stack.partition, stack.stackName).toBe('aws-cn');
    }
    for (const t of [cn.data, cn.api]) {
      const text = JSON.stringify(t);
      expect(text).not.toMatch(/arn:aws:/);
      expect(text).not.toMatch(/amazonaws\.com\/|cognito/i);
    }
    // e.g. the table's index ARNs are built with the partition.
    expect(JSON.stringify(cn.api)).toMatch(/arn:aws-cn:/);
  });

  it('no Cognito at all: no user pool, no client, no outputs of them', () => {
    for (const t of [cn.data, cn.api]) {
      expect(
        Object.values(t.Resources as Json).filter((r: Json) => r.Type.startsWith('AWS::Cognito::')),
      ).toEqual([]);
    }
    expect(Object.keys(cn.data.Outputs ?? {})).not.toContain('UserPoolId');
  });

  it('the JWT authorizer trusts the given issuer and audience, on every route that needs a token', () => {
    const authorizers = resources(cn.api, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [id, authorizer] = authorizers[0] as [string, Json];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.JwtConfiguration).toEqual({ Issuer: ISSUER, Audience: ['feedback-web'] });
    const jwtRoutes = resources(cn.api, 'AWS::ApiGatewayV2::Route').filter(
      ([, r]) => r.Properties.AuthorizationType === 'JWT',
    );
    expect(jwtRoutes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(
      routes
        .filter((r) => r.auth)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    for (const [, r] of jwtRoutes) expect(r.Properties.AuthorizerId).toEqual({ Ref: id });
  });

  it('the functions behind it get the issuer and the claim names (defaults: the Cognito names), no others', () => {
    for (const name of functionNames) {
      const vars = env(cn, name);
      if (!TOKEN_CHECKERS.has(name)) {
        expect(
          Object.keys(vars).filter((k) => k.startsWith('AUTH_') || k === 'OIDC_ISSUER'),
          name,
        ).toEqual([]);
        continue;
      }
      expect(vars, name).toMatchObject({
        OIDC_ISSUER: ISSUER,
        AUTH_ROLE_CLAIM: 'custom:role',
        AUTH_TEAMS_CLAIM: 'custom:teams',
        AUTH_REGIONS_CLAIM: 'custom:regions',
        AUTH_ENGINEER_CLAIM: 'custom:engineerId',
      });
    }
    expect([...TOKEN_CHECKERS].sort()).toEqual(['callbacks', 'customers', 'reports']);
  });

  it('the pages sign in at the issuer when its endpoints are given (client: the first audience)', () => {
    expect(env(tencent, 'dashboard')).toMatchObject({
      SIGNIN_AUTHORIZE_URL: `${ISSUER}/realms/ops/protocol/openid-connect/auth`,
      SIGNIN_TOKEN_URL: `${ISSUER}/realms/ops/protocol/openid-connect/token`,
      SIGNIN_LOGOUT_URL: `${ISSUER}/realms/ops/protocol/openid-connect/logout`,
      SIGNIN_CLIENT_ID: 'feedback-web',
      SIGNIN_SCOPE: 'openid',
    });
    // Only the page-serving function; without the endpoints, pasted tokens only (no SIGNIN_*).
    expect(Object.keys(env(tencent, 'reports')).filter((k) => k.startsWith('SIGNIN_'))).toEqual([]);
    expect(Object.keys(env(cn, 'dashboard')).filter((k) => k.startsWith('SIGNIN_'))).toEqual([]);
  });

  it('no sns:Publish on "*" anywhere; SNS only to the SupervisorAlerts topic', () => {
    for (const name of functionNames) {
      for (const st of statements(cn, name).filter((x) => actionsOf(x).includes('sns:Publish'))) {
        expect(st.Resource, name).not.toBe('*');
        expect(JSON.stringify(st.Resource), name).toMatch(/SupervisorAlerts/);
      }
      // Nothing on "*" (no SMS publish, no X-Ray: not integrated with Lambda in China) but the
      // stream event source's dynamodb:ListStreams, which has no resource-level permission.
      expect(
        statements(cn, name)
          .filter((x) => JSON.stringify(x.Resource).includes('"*"') || x.Resource === '*')
          .flatMap((x) => actionsOf(x)),
        name,
      ).toEqual(
        functionSpecs[name].triggers?.some((t) => t.kind === 'stream') ? ['dynamodb:ListStreams'] : [],
      );
    }
    // End User Messaging (absent in China) is not allowed onto the inbound topic either.
    expect(JSON.stringify(resources(cn.data, 'AWS::SNS::TopicPolicy'))).not.toMatch(/sms-voice/);
  });

  it('every function: SMS_GATEWAY=aliyun; Node.js 22 on arm64 as everywhere, without X-Ray tracing', () => {
    for (const name of functionNames) {
      expect(env(cn, name).SMS_GATEWAY, name).toBe('aliyun');
      // the reconcile's queues (read by the scheduler, checked by every function's configuration)
      expect(env(cn, name), name).toMatchObject({
        ALIYUN_ACCOUNT_ID: '1943695596114318',
        ALIYUN_MNS_QUEUE_SMS_UP: 'Alicom-Queue-1234567890-SmsUp',
        ALIYUN_MNS_QUEUE_SMS_REPORT: 'Alicom-Queue-1234567890-SmsReport',
      });
      const props = lambda(cn, name)[1].Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      // Lambda's X-Ray integration is not available in the China regions.
      expect(props.TracingConfig, name).toBeUndefined();
    }
  });

  it('the provider credentials: a retained secret, empty until set, read by the senders only', () => {
    const [secretId, secret] = resources(cn.data, 'AWS::SecretsManager::Secret').find(([id]) =>
      /SmsProviderCredentials/.test(id),
    ) as [string, Json];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(JSON.parse(secret.Properties.SecretString)).toEqual({ accessKeyId: '', accessKeySecret: '' });
    expect(PROVIDER_CALLERS.sort()).toEqual([
      'due-worker',
      'scheduler',
      'sms-inbound',
      'sms-inbox',
      'survey-page',
    ]);
    for (const name of functionNames) {
      const arn = env(cn, name).SMS_PROVIDER_SECRET_ARN;
      const reads = statements(cn, name).filter((st) => JSON.stringify(st.Resource).includes(secretId));
      if (!PROVIDER_CALLERS.includes(name)) {
        expect(arn, name).toBeUndefined();
        expect(reads, name).toEqual([]);
        continue;
      }
      expect(JSON.stringify(arn), name).toContain(secretId);
      expect(reads, name).toHaveLength(1);
      expect(actionsOf(reads[0] as Statement), name).toContain('secretsmanager:GetSecretValue');
      expect(JSON.stringify((reads[0] as Statement).Resource)).toBe(JSON.stringify(arn));
    }
    expect(Object.keys(cn.data.Outputs)).toEqual(
      expect.arrayContaining(['SmsProviderSecretArn', 'SmsCallbackTokenArn']),
    );
  });

  it('the callback token: a generated, retained secret; no function reads it unless it checks callbacks', () => {
    const [tokenId, token] = resources(cn.data, 'AWS::SecretsManager::Secret').find(([id]) =>
      /^SmsCallbackToken/.test(id),
    ) as [string, Json];
    expect(token.DeletionPolicy).toBe('Retain');
    expect(token.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
    for (const name of functionNames) {
      const reads = statements(cn, name).filter((st) => JSON.stringify(st.Resource).includes(tokenId));
      expect(reads.length > 0, name).toBe(Boolean(functionSpecs[name].smsCallbackToken));
      expect(env(cn, name).SMS_CALLBACK_TOKEN_SECRET_ARN !== undefined, name).toBe(
        Boolean(functionSpecs[name].smsCallbackToken),
      );
    }
  });

  it('cdk-nag AwsSolutions: no unacknowledged error', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(cn.app);
    const errors = report.violations
      .filter((v) => v.severity === 'error')
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    expect(errors).toEqual([]);
  });
});

describe('cn-north-1, OIDC with its own claim names, tencent with an imported secret', () => {
  it('the authorizer takes every audience of the comma list; the claim names reach the functions', () => {
    const [[, authorizer]] = resources(tencent.api, 'AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    expect(authorizer.Properties.JwtConfiguration).toEqual({
      Issuer: `${ISSUER}/realms/ops`,
      Audience: ['feedback-web', 'feedback-app'],
    });
    expect(env(tencent, 'reports')).toMatchObject({
      OIDC_ISSUER: `${ISSUER}/realms/ops`,
      AUTH_ROLE_CLAIM: 'https://feedback.example.cn/role',
      AUTH_TEAMS_CLAIM: 'groups_json',
      AUTH_REGIONS_CLAIM: 'custom:regions',
    });
  });

  it("the provider's settings go to every function; the imported secret only to the senders", () => {
    for (const name of functionNames) {
      const vars = env(tencent, name);
      expect(vars, name).toMatchObject({
        SMS_GATEWAY: 'tencent',
        TENCENT_SMS_SDK_APP_ID: '1400006666',
        TENCENT_SMS_REGION: 'ap-beijing',
      });
      const reads = statements(tencent, name).filter((st) => JSON.stringify(st.Resource).includes(IMPORTED));
      if (!PROVIDER_CALLERS.includes(name)) {
        expect(vars.SMS_PROVIDER_SECRET_ARN, name).toBeUndefined();
        expect(reads, name).toEqual([]);
        continue;
      }
      expect(vars.SMS_PROVIDER_SECRET_ARN, name).toBe(IMPORTED);
      expect(reads.map((st) => st.Resource)).toEqual([IMPORTED]);
    }
    // Imported, not created: no provider secret in FeedbackData (the callback token is its own).
    expect(
      resources(tencent.data, 'AWS::SecretsManager::Secret')
        .filter(([id]) => /SmsProvider/.test(id))
        .map(([id]) => id),
    ).toEqual([]);
    expect(JSON.stringify(tencent.api)).not.toMatch(/arn:aws:/);
  });
});

describe('the CDK context is checked before anything is built, naming the key', () => {
  const read = (context: Record<string, unknown>) => (key: string) => context[key];
  const base = { oidcIssuer: ISSUER, oidcAudience: 'web' };

  it.each([
    [{ smsGateway: 'outbox' }, /smsGateway: expected sns, aliyun or tencent/],
    [{ smsGateway: 'pigeon' }, /smsGateway: /],
    [
      { region: 'cn-northwest-1', oidcIssuer: undefined, oidcAudience: undefined, smsGateway: 'aliyun' },
      /oidcIssuer: required in cn-northwest-1/,
    ],
    [{ region: 'cn-northwest-1' }, /smsGateway: sns cannot send SMS in cn-northwest-1/],
    [{ region: 'Ningxia' }, /region: expected an AWS region/],
    [{ oidcIssuer: 'http://idp.example.cn' }, /oidcIssuer: expected an https:\/\/ URL/],
    [{ oidcIssuer: 'https://idp.example.cn/?x=1' }, /oidcIssuer: no credentials, query or fragment/],
    [{ oidcAudience: undefined }, /oidcAudience: required with oidcIssuer/],
    [{ oidcAudience: 'web,,app' }, /oidcAudience: each audience/],
    [
      { oidcIssuer: undefined, oidcAudience: undefined, oidcRoleClaim: 'role' },
      /oidcRoleClaim: only with oidcIssuer/,
    ],
    [{ oidcTeamsClaim: 'my teams' }, /oidcTeamsClaim: expected a claim name/],
    [{ smsGateway: 'tencent' }, /tencentSmsSdkAppId: required with smsGateway=tencent/],
    [{ smsGateway: 'tencent', tencentSmsSdkAppId: 'app-1' }, /tencentSmsSdkAppId: expected the SDK AppID/],
    [
      { smsGateway: 'aliyun', tencentSmsRegion: 'ap-beijing' },
      /tencentSmsRegion: only with smsGateway=tencent/,
    ],
    [
      { smsGateway: 'aliyun', aliyunSmsEndpoint: 'http://dysmsapi.aliyuncs.com' },
      /aliyunSmsEndpoint: expected a host name/,
    ],
    [
      { smsGateway: 'aliyun', smsProviderSecretArn: 'my-secret' },
      /smsProviderSecretArn: expected the complete ARN/,
    ],
    [
      { region: 'cn-north-1', smsGateway: 'aliyun', smsProviderSecretArn: IMPORTED.replace('aws-cn', 'aws') },
      /smsProviderSecretArn: a secret of partition aws, but cn-north-1 is in aws-cn/,
    ],
    [{ smsProviderSecretArn: IMPORTED }, /smsProviderSecretArn: only with smsGateway=aliyun or tencent/],
    [
      { smsGateway: 'tencent', tencentSmsSdkAppId: '1400006666', aliyunAccountId: '1' },
      /aliyunAccountId: only with smsGateway=aliyun/,
    ],
    [
      { smsGateway: 'aliyun', aliyunMnsQueueSmsUp: 'bad name!' },
      /aliyunMnsQueueSmsUp: expected an MNS queue name/,
    ],
    [{ smsGateway: 'aliyun', aliyunMnsToken: 'yes' }, /aliyunMnsToken: expected true or false/],
    [{ rules: { sms: { signature: 'ACME' } } }, /rules: .*signature/],
    [{ publicBaseUrl: 'http://feedback.example.cn' }, /publicBaseUrl: http/],
    [{ oidcAuthorizeUrl: `${ISSUER}/auth` }, /oidcTokenUrl: required with oidcAuthorizeUrl/],
    [
      { oidcAuthorizeUrl: 'http://idp.example.cn/auth', oidcTokenUrl: `${ISSUER}/token` },
      /oidcAuthorizeUrl: expected an https/,
    ],
    [{ oidcClientId: 'web' }, /oidcClientId: only with oidcAuthorizeUrl/],
    [
      { oidcAuthorizeUrl: `${ISSUER}/auth`, oidcTokenUrl: `${ISSUER}/token`, oidcScope: 'profile' },
      /oidcScope: must include openid/,
    ],
    [
      { oidcIssuer: undefined, oidcAudience: undefined, oidcTokenUrl: `${ISSUER}/token` },
      /oidcTokenUrl: only with oidcIssuer/,
    ],
    [{ cognitoDomainPrefix: 'feedback' }, /cognitoDomainPrefix: only without oidcIssuer/],
    [
      { oidcIssuer: undefined, oidcAudience: undefined, cognitoDomainPrefix: 'my-aws-login' },
      /cognitoDomainPrefix: expected/,
    ],
  ])('%j', (context, problem) => {
    expect(() => deployContext(read({ ...base, ...context }))).toThrow(/^Invalid CDK context: /);
    expect(() => deployContext(read({ ...base, ...context }))).toThrow(problem);
  });

  it('lists every problem at once, and stops the synth itself', () => {
    expect(() =>
      deployContext(read({ smsGateway: 'outbox', region: 'cn-x', oidcIssuer: 'ftp://x' })),
    ).toThrow(/^Invalid CDK context: region: [^;]+; smsGateway: [^;]+; oidcIssuer: [^;]+$/);
    const app = new App({ outdir: join(outdir, 'bad'), context: { region: 'cn-northwest-1' } });
    expect(() => defineStacks(app)).toThrow(
      /Invalid CDK context: oidcIssuer: required in cn-northwest-1.*smsGateway: sns/,
    );
    expect(app.node.children).toEqual([]);
  });

  it('the region comes from the CLI (CDK_DEFAULT_REGION) when the context names none', () => {
    expect(() => deployContext(read({}), 'cn-north-1')).toThrow(/oidcIssuer: required in cn-north-1/);
    expect(deployContext(read({ ...base, smsGateway: 'aliyun' }), 'cn-north-1')).toMatchObject({
      region: 'cn-north-1',
      partition: 'aws-cn',
    });
    // The default: Cognito and SNS, in a global region or an unknown one.
    expect(deployContext(read({}))).toEqual({ sms: { gateway: 'sns', env: {} }, auth: { kind: 'cognito' } });
    expect(deployContext(read({}), 'ap-east-1')).toMatchObject({
      partition: 'aws',
      auth: { kind: 'cognito' },
    });
  });
});
