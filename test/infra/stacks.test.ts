// Over 350 lines on purpose: one synth checked concern by concern (security, policies, routes, schedule, nag findings).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyQueueMaxReceives } from '#shared/domain/backoff';
import { type FunctionName, functionNames, routes } from '#shared/http/routes';
import { table as tableDef } from '#shared/store/table';
import { constructId, publicRouteReasons } from '../../infra/api-stack.ts';
import { ESM_REQUIRE_SHIM, REPO_ROOT } from '../../infra/build/esbuild-options.ts';
import { functionSpecs } from '../../infra/functions.ts';
import {
  addNagChecks,
  defineStacks,
  publicBaseUrlFromContext,
  rulesFromContext,
} from '../../infra/stacks.ts';

/**
 * What matters in the synthesized templates: routes and their auth, runtime settings, each
 * function's environment and least-privilege IAM, the table's shape, DLQs and TLS-only topics,
 * and cdk-nag's AwsSolutions checks. Both stacks are synthesized once, as infra/app.ts does (nag
 * checks included: an unacknowledged finding fails that synth), with the real esbuild bundling of
 * functions/<name>/handler.ts (INFRA_TEST_BUNDLING=0 skips bundling, for iterating on infra while a
 * handler does not build).
 */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, navigated freely
type Json = Record<string, any>;

const bundling = process.env.INFRA_TEST_BUNDLING !== '0';
const RULES = { survey: { expiryHours: 48 } };

let outdir: string;
let app: App;
let data: Template;
let dataJson: Json;
let api: Template;
let apiJson: Json;

beforeAll(() => {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8'));
  outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      rules: RULES,
      ...(bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  defineStacks(app);
  addNagChecks(app);
  const assembly = app.synth();
  dataJson = assembly.getStackByName('FeedbackData').template;
  data = Template.fromJSON(dataJson);
  apiJson = assembly.getStackByName('FeedbackApi').template;
  api = Template.fromJSON(apiJson);
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

// --- helpers over the FeedbackApi template ---------------------------------------------------

function resources(type: string): [string, Json][] {
  return Object.entries(apiJson.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
}

/** Logical id and resource of a function, found by its description (`...: functions/<name>`). */
function lambda(name: FunctionName): [string, Json] {
  const found = resources('AWS::Lambda::Function').filter(([, r]) =>
    String(r.Properties.Description).endsWith(`functions/${name}`),
  );
  expect(found, `one Lambda function for ${name}`).toHaveLength(1);
  return found[0] as [string, Json];
}

function env(name: FunctionName): Record<string, unknown> {
  return lambda(name)[1].Properties.Environment.Variables;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** All IAM statements attached to the function's role (its identity policies). */
function statements(name: FunctionName): Statement[] {
  const roleId = lambda(name)[1].Properties.Role['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

function actions(name: FunctionName): string[] {
  return statements(name).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

// --- FeedbackApi ---------------------------------------------------------------------------

/** The functions that verify Standard Webhooks signatures of the upstream work-order systems. */
const WEBHOOK_RECEIVERS = new Set<string>(['ticket-completed', 'ticket-reopened']);

describe('FeedbackApi: functions', () => {
  it('declares every function of shared/http/routes.ts and builds each once', () => {
    expect(Object.keys(functionSpecs).sort()).toEqual([...functionNames].sort());
    expect(resources('AWS::Lambda::Function')).toHaveLength(functionNames.length);
  });

  it.each(functionNames)('%s: Node.js 22 on arm64, X-Ray active, ESM bundle, own log group', (name) => {
    const props = lambda(name)[1].Properties;
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    expect(props.Handler).toBe('index.handler');
    expect(props.MemorySize).toBe(functionSpecs[name].memorySize ?? 512);
    expect(props.Timeout).toBe(functionSpecs[name].timeoutSeconds ?? 10);
    expect(props.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
    const logGroup = apiJson.Resources[props.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(180);
  });

  it('scheduler may run for a minute', () => {
    expect(lambda('scheduler')[1].Properties.Timeout).toBe(60);
  });

  it.each(functionNames)('%s: environment', (name) => {
    const vars = env(name);
    expect(vars.TABLE_NAME).toBeDefined();
    expect(vars.SMS_GATEWAY).toBe('sns');
    expect(vars.POWERTOOLS_SERVICE_NAME).toBe('telecom-feedback');
    expect(vars.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(vars.RULES).toBe(JSON.stringify(RULES));
    if (WEBHOOK_RECEIVERS.has(name)) expect(vars.WEBHOOK_SECRET_ARN).toBeDefined();
    else expect(vars).not.toHaveProperty('WEBHOOK_SECRET_ARN');
  });

  it('only the webhook receivers can read the webhook secret, and only that secret', () => {
    for (const name of functionNames) {
      const secretStatements = statements(name).filter(
        (s) =>
          [s.Action].flat().some((a) => a.startsWith('secretsmanager:')) &&
          !JSON.stringify(s.Resource).includes('ReplySigningSecrets') &&
          !JSON.stringify(s.Resource).includes('SmsCallbackToken'),
      );
      if (!WEBHOOK_RECEIVERS.has(name)) {
        expect(secretStatements, name).toEqual([]);
        continue;
      }
      expect(secretStatements).toHaveLength(1);
      expect([secretStatements[0]?.Action].flat()).toContain('secretsmanager:GetSecretValue');
      expect(secretStatements[0]?.Resource).not.toBe('*');
      expect(JSON.stringify(secretStatements[0]?.Resource)).toContain('WebhookSigningSecret');
      expect(JSON.stringify(secretStatements[0]?.Resource)).toBe(
        JSON.stringify(env(name).WEBHOOK_SECRET_ARN),
      );
    }
  });

  it('alert senders get ALERTS_TOPIC_ARN and may publish to SupervisorAlerts only, no other topic', () => {
    const senders = functionNames.filter((n) => functionSpecs[n].sendsAlerts);
    expect(senders).toEqual(expect.arrayContaining(['sms-inbound', 'scheduler', 'survey-page', 'callbacks']));
    for (const name of functionNames) {
      const topicArn = env(name).ALERTS_TOPIC_ARN;
      const topicStatements = statements(name).filter(
        (s) => [s.Action].flat().includes('sns:Publish') && s.Resource !== '*',
      );
      if (!functionSpecs[name].sendsAlerts) {
        expect(topicArn, name).toBeUndefined();
        expect(topicStatements, name).toEqual([]);
        continue;
      }
      expect(JSON.stringify(topicArn), name).toMatch(/SupervisorAlerts/);
      expect(topicStatements, name).toHaveLength(1);
      expect([topicStatements[0]?.Action].flat(), name).toEqual(['sns:Publish']);
      expect(topicStatements[0]?.Resource, name).toEqual(topicArn);
      expect(JSON.stringify(topicStatements[0]?.Resource), name).not.toMatch(/InboundSms/);
    }
  });

  it.each(['sms-inbound', 'scheduler'] as const)(
    '%s: async invocations retry twice, then go to a DLQ',
    (name) => {
      const [id, fn] = lambda(name);
      expect(fn.Properties.DeadLetterConfig.TargetArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      const dlq = apiJson.Resources[fn.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]];
      expect(dlq.Type).toBe('AWS::SQS::Queue');
      api.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id },
        MaximumRetryAttempts: 2,
      });
    },
  );

  it.each(['ticket-completed', 'reports'] as const)('%s (synchronous) has no async DLQ', (name) => {
    expect(lambda(name)[1].Properties.DeadLetterConfig).toBeUndefined();
  });

  it('sms-inbound is subscribed to InboundSms with a DLQ for undeliverable messages', () => {
    const [id] = lambda('sms-inbound');
    api.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [id, 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SubscriptionDlq'), 'Arn'] },
      },
    });
    const sub = resources('AWS::SNS::Subscription').find(
      ([, r]) => r.Properties.Endpoint['Fn::GetAtt'][0] === id,
    );
    expect(JSON.stringify(sub?.[1].Properties.TopicArn)).toContain('InboundSms');
  });

  it('sms-inbox handles inserted inbox items from the table stream (keys only), synchronously', () => {
    const [id, fn] = lambda('sms-inbox');
    const mappings = resources('AWS::Lambda::EventSourceMapping').filter(
      ([, r]) => r.Properties.FunctionName?.Ref === id,
    );
    expect(mappings).toHaveLength(1);
    const props = (mappings[0] as [string, Json])[1].Properties;
    expect(JSON.stringify(props.EventSourceArn)).toMatch(/StreamArn/);
    expect(props.StartingPosition).toBe('LATEST');
    expect(props.MaximumRetryAttempts).toBe(2);
    expect(props.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'SMSIN#' }] } } } },
    ]);
    expect(fn.Properties.DeadLetterConfig).toBeUndefined();
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
    });
  });

  it('only sms-callbacks reads the SMS callback token, and only that secret', () => {
    for (const name of functionNames) {
      const reads = statements(name).filter((s) => JSON.stringify(s.Resource).includes('SmsCallbackToken'));
      if (name !== 'sms-callbacks') {
        expect(reads, name).toEqual([]);
        expect(env(name), name).not.toHaveProperty('SMS_CALLBACK_TOKEN_SECRET_ARN');
        continue;
      }
      expect(reads).toHaveLength(1);
      expect(JSON.stringify(reads[0]?.Resource)).toBe(
        JSON.stringify(env(name).SMS_CALLBACK_TOKEN_SECRET_ARN),
      );
    }
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
      Description: Match.stringLikeRegexp('SMS providers callback'),
    });
  });

  it('scheduler runs every minute with retries and a DLQ', () => {
    const [id] = lambda('scheduler');
    api.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScheduleDlq'), 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
  });

  it('dead-letter queues keep messages 14 days, encrypted, TLS only', () => {
    const queues = resources('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(4);
    for (const [, q] of queues) {
      expect(q.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    }
  });

  it.runIf(bundling)('bundles each handler as ESM with the require shim and a source map', () => {
    for (const name of functionNames) {
      const key: string = lambda(name)[1].Properties.Code.S3Key;
      const assetDir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_SHIM), name).toBe(true);
      expect(existsSync(join(assetDir, 'index.mjs.map')), name).toBe(true);
      // the map trimmed to our sources (afterBundling: infra/build/trim-sourcemap.ts)
      const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(
        map.sources.filter((s) => s.includes('node_modules/')),
        name,
      ).toEqual([]);
      // Beside them, only the files the function reads at run time (commandHooks.afterBundling):
      // the dashboard's ECharts, named by its version; exceljs where workbooks are written; the SMS
      // providers' SDKs where SMS are sent or pulled.
      const beside = readdirSync(assetDir).filter((f) => f !== 'index.mjs' && f !== 'index.mjs.map');
      const expected: Partial<Record<string, unknown[]>> = {
        dashboard: [expect.stringMatching(/^echarts\.[0-9a-f]{16}\.js\.br$/)],
        reports: ['exceljs.mjs'],
        callbacks: ['exceljs.mjs'],
        'sms-inbound': ['provider-sdks.mjs'],
        scheduler: ['provider-sdks.mjs'],
        'survey-page': ['provider-sdks.mjs'],
        'sms-inbox': ['provider-sdks.mjs'],
      };
      expect(beside, name).toEqual(expected[name] ?? []);
    }
  });
});

// --- Least privilege: every function's policy, statement by statement ---------------------------

/**
 * A policy resource by name: `*`, `own-logs`/`own-dlq` (the function's own log group and async
 * DLQ), or a FeedbackData resource by its logical id without the hash (`Table`,
 * `Table/index/gsi1`, `SupervisorAlerts`, `WebhookSigningSecret`, ...). Anything else throws.
 */
function resourceName(fn: FunctionName, resource: unknown): string {
  if (resource === '*') return '*';
  const r = resource as Json;
  if (r['Fn::GetAtt']) {
    const [id] = r['Fn::GetAtt'] as [string, string];
    const props = lambda(fn)[1].Properties;
    if (id === props.LoggingConfig.LogGroup.Ref) return 'own-logs';
    if (id === props.DeadLetterConfig?.TargetArn['Fn::GetAtt'][0]) return 'own-dlq';
  }
  if (r['Fn::GetStackOutput']) {
    const output: string = r['Fn::GetStackOutput'].OutputName;
    const ids = Object.keys(dataJson.Resources).filter((id) => output.includes(id));
    if (ids.length === 1) return (ids[0] as string).slice(0, -8);
  }
  if (r['Fn::Join']?.[0] === '' && r['Fn::Join'][1].length === 2 && typeof r['Fn::Join'][1][1] === 'string') {
    return `${resourceName(fn, r['Fn::Join'][1][0])}${r['Fn::Join'][1][1]}`;
  }
  throw new Error(`${fn}: unexpected policy resource ${JSON.stringify(resource)}`);
}

/** The function's permissions as sorted `action resource` lines (Allow only; Deny would throw). */
function permissions(name: FunctionName): string[] {
  return statements(name)
    .flatMap((s) => {
      expect(s.Effect, name).toBe('Allow');
      expect(s.Condition, name).toBeUndefined();
      return [s.Action]
        .flat()
        .flatMap((a) => [s.Resource].flat().map((r) => `${a} ${resourceName(name, r)}`));
    })
    .sort();
}

const on = (actions: readonly string[], ...resources: string[]) =>
  actions.flatMap((a) => resources.map((r) => `${a} ${r}`));
const TABLE = ['Table', ...tableDef.indexes.map((ix) => `Table/index/${ix.indexName}`)];
// Written out here on purpose (not imported from the construct): this is the expectation.
const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];
const P = {
  /** Every function: its own log group, X-Ray (which has no resource-level permissions). */
  base: [
    ...on(['logs:CreateLogStream', 'logs:PutLogEvents'], 'own-logs'),
    ...on(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*'),
  ],
  read: on(READ, ...TABLE),
  readWrite: on([...READ, ...WRITE], ...TABLE),
  /** SMS to phone numbers: the one documented sns:Publish on "*". */
  sms: ['sns:Publish *'],
  alerts: ['sns:Publish SupervisorAlerts'],
  webhookSecret: on(
    ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    'WebhookSigningSecret',
  ),
  replySecrets: on(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], 'ReplySigningSecrets'),
  smsCallbackToken: on(
    ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    'SmsCallbackToken',
  ),
  /** A DynamoDB Streams trigger: reads the table's stream (ListStreams has no resource-level permission). */
  tableStream: [
    'dynamodb:ListStreams *',
    ...on(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], 'Table'),
  ],
  /** Asynchronous invocations that fail land in the function's own DLQ. */
  asyncDlq: ['sqs:SendMessage own-dlq'],
  sendReplies: ['sqs:SendMessage WorkOrderReplies'],
  sendDueWork: ['sqs:SendMessage DueWork'],
  consumeDueWork: on(
    [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ],
    'DueWork',
  ),
  consumeReplies: on(
    [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ],
    'WorkOrderReplies',
  ),
};

/** What each function may do, and nothing more. A new function must get a line here. */
const expectedPermissions: Record<FunctionName, string[]> = {
  'ticket-completed': [...P.base, ...P.readWrite, ...P.webhookSecret],
  'ticket-reopened': [...P.base, ...P.readWrite, ...P.webhookSecret],
  'sms-inbound': [...P.base, ...P.readWrite, ...P.sms, ...P.alerts, ...P.asyncDlq],
  scheduler: [
    ...P.base,
    ...P.readWrite,
    ...P.sms,
    ...P.alerts,
    ...P.asyncDlq,
    ...P.sendReplies,
    ...P.sendDueWork,
  ],
  reports: [...P.base, ...P.read],
  callbacks: [...P.base, ...P.readWrite, ...P.alerts],
  'survey-page': [...P.base, ...P.readWrite, ...P.sms, ...P.alerts],
  dashboard: [...P.base],
  openapi: [...P.base],
  'work-order-reply': [...P.base, ...P.readWrite, ...P.replySecrets, ...P.consumeReplies],
  customers: [...P.base, ...P.readWrite],
  'sms-callbacks': [...P.base, ...P.readWrite, ...P.smsCallbackToken],
  'sms-inbox': [...P.base, ...P.readWrite, ...P.sms, ...P.alerts, ...P.tableStream],
  'due-worker': [...P.base, ...P.readWrite, ...P.sms, ...P.alerts, ...P.sendReplies, ...P.consumeDueWork],
};

describe('FeedbackApi: each function may do only what it needs, on only its resources', () => {
  it.each(functionNames)('%s: exactly its expected permissions', (name) => {
    expect(permissions(name)).toEqual([...expectedPermissions[name]].sort());
  });

  it('the table of expectations agrees with infra/functions.ts', () => {
    for (const name of functionNames) {
      const spec = functionSpecs[name];
      const has = (lines: string[]) => lines.every((l) => expectedPermissions[name].includes(l));
      expect(has(P.readWrite), name).toBe(spec.access === 'readWrite');
      expect(has(P.read), name).toBe(spec.access !== 'none');
      expect(has(P.sms), name).toBe(Boolean(spec.sendsSms));
      expect(has(P.alerts), name).toBe(Boolean(spec.sendsAlerts));
      expect(has(P.webhookSecret), name).toBe(Boolean(spec.webhookSecret));
      expect(has(P.replySecrets), name).toBe(Boolean(spec.replySecrets));
      expect(has(P.smsCallbackToken), name).toBe(Boolean(spec.smsCallbackToken));
    }
  });

  it('no action is a wildcard; "*" only for X-Ray and the SMS publish', () => {
    for (const name of functionNames) {
      for (const a of actions(name)) expect(a, name).not.toContain('*');
      const onStar = permissions(name).filter((p) => p.endsWith(' *'));
      const allowed = ['xray:PutTraceSegments *', 'xray:PutTelemetryRecords *'];
      if (functionSpecs[name].sendsSms) allowed.push('sns:Publish *');
      if (functionSpecs[name].triggers?.some((t) => t.kind === 'stream'))
        allowed.push('dynamodb:ListStreams *');
      expect(onStar.sort(), name).toEqual(allowed.sort());
    }
  });

  it('each function has a role of its own: Lambda may assume it, no managed or inline policies', () => {
    const roleIds = functionNames.map((n) => lambda(n)[1].Properties.Role['Fn::GetAtt'][0] as string);
    expect(new Set(roleIds).size).toBe(functionNames.length);
    for (const id of roleIds) {
      const role = apiJson.Resources[id];
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      expect(role.Properties.Policies, id).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
    // Every role and policy of the stack belongs to a function.
    expect(resources('AWS::IAM::Role')).toHaveLength(functionNames.length);
    expect(resources('AWS::IAM::Policy')).toHaveLength(functionNames.length);
    expect(resources('AWS::IAM::ManagedPolicy')).toEqual([]);
  });
});

describe('FeedbackApi: HTTP API', () => {
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('route %s', (_, route) => {
    const found = resources('AWS::ApiGatewayV2::Route').filter(
      ([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`,
    );
    expect(found).toHaveLength(1);
    const props = (found[0] as [string, Json])[1].Properties;
    if (route.auth) {
      expect(props.AuthorizationType).toBe('JWT');
      expect(props.AuthorizerId).toEqual({ Ref: expect.stringMatching(/ManagerJwt/) });
    } else {
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
    }
    // The route's integration invokes the function shared/http/routes.ts names.
    const integrationId = props.Target['Fn::Join'][1][1].Ref;
    const integration = apiJson.Resources[integrationId];
    expect(integration.Properties.IntegrationType).toBe('AWS_PROXY');
    expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [lambda(route.fn)[0], 'Arn'] });
  });

  it('has exactly the routes of shared/http/routes.ts', () => {
    expect(resources('AWS::ApiGatewayV2::Route')).toHaveLength(routes.length);
  });

  it('no route but the webhooks, the web survey link and static content is reachable without a token', () => {
    const byAuth = (type: string) =>
      resources('AWS::ApiGatewayV2::Route')
        .filter(([, r]) => r.Properties.AuthorizationType === type)
        .map(([, r]) => r.Properties.RouteKey as string)
        .sort();
    // The webhooks authenticate by signature, the survey link by its token; the dashboard and
    // workbench pages, their assets and the OpenAPI document are static and carry no data (their data calls need a token).
    // The inbound SMS topic is not a route: SNS invokes sms-inbound directly. The SMS providers'
    // callbacks carry the secret token in their path.
    expect(byAuth('NONE')).toEqual(
      [
        'POST /v1/sms/aliyun/{token}/replies',
        'POST /v1/sms/aliyun/{token}/receipts',
        'POST /v1/sms/tencent/{token}/replies',
        'POST /v1/sms/tencent/{token}/receipts',
        'POST /v1/tickets/completed',
        'POST /v1/tickets/reopened',
        'POST /v1/tickets/dispatched',
        'GET /s/{token}',
        'POST /s/{token}',
        'GET /dashboard',
        'GET /dashboard/assets/{file}',
        'GET /workbench',
        'GET /openapi.json',
      ].sort(),
    );
    expect(Object.keys(publicRouteReasons).sort()).toEqual(byAuth('NONE'));
    // Every other route: the JWT authorizer.
    const jwt = resources('AWS::ApiGatewayV2::Route').filter(
      ([, r]) => r.Properties.AuthorizationType !== 'NONE',
    );
    expect(jwt.length).toBe(routes.length - Object.keys(publicRouteReasons).length);
    for (const [, r] of jwt) {
      expect(r.Properties.AuthorizationType, r.Properties.RouteKey).toBe('JWT');
      expect(r.Properties.AuthorizerId, r.Properties.RouteKey).toEqual({
        Ref: expect.stringMatching(/ManagerJwt/),
      });
    }
    // No catch-all route that would reach a function without going through the list.
    expect(byAuth('NONE').concat(jwt.map(([, r]) => r.Properties.RouteKey))).not.toContain('$default');
  });

  it('JWT authorizer trusts the Cognito user pool, audience = the app client and the pages’ client', () => {
    const [[, authorizer]] = resources('AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);
    const { Issuer, Audience } = authorizer.Properties.JwtConfiguration;
    expect(JSON.stringify(Issuer)).toMatch(/https:\/\/.*ProviderURL/);
    expect(Audience).toHaveLength(2);
    expect(JSON.stringify(Audience[0])).toContain('ManagersClient');
    expect(JSON.stringify(Audience[1])).toContain('PagesClient');
  });

  it('pages sign in through the hosted UI: code grant + PKCE client, callback = the dashboard URL', () => {
    const domains = resources('AWS::Cognito::UserPoolDomain');
    expect(domains).toHaveLength(1);
    const clients = resources('AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const props = (clients[0] as [string, Json])[1].Properties;
    expect(props.GenerateSecret).toBe(false);
    expect(props.AllowedOAuthFlows).toEqual(['code']);
    expect(props.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(props.AllowedOAuthScopes).toContain('openid');
    expect(props.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(JSON.stringify(props.CallbackURLs)).toMatch(/HttpApi.*\/dashboard/);
    expect(props.LogoutURLs).toEqual(props.CallbackURLs);
    expect(props.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:role', 'custom:teams', 'custom:regions', 'custom:engineerId']),
    );
    expect((props.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
    // Only the function that serves the pages is told where to sign in.
    const dashboard = env('dashboard');
    for (const k of ['SIGNIN_AUTHORIZE_URL', 'SIGNIN_TOKEN_URL', 'SIGNIN_LOGOUT_URL', 'SIGNIN_CLIENT_ID']) {
      expect(dashboard[k], k).toBeDefined();
    }
    expect(JSON.stringify(dashboard.SIGNIN_TOKEN_URL)).toMatch(/amazoncognito\.com\/oauth2\/token/);
    expect(dashboard.SIGNIN_LOCAL).toBeUndefined();
    expect(env('reports').SIGNIN_CLIENT_ID).toBeUndefined();
  });

  it('default stage: auto-deploy, throttled, JSON access logs', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
    api.hasOutput('ApiUrl', {});
  });
});

describe('replies to the work order: queue, consumer, least privilege', () => {
  /** The WorkOrderReplies queue (not its DLQ) as the FeedbackApi template refers to it. */
  const QUEUE = /WorkOrderReplies(?!Dlq)/;

  it('work-order-reply consumes the queue in batches, reporting batch item failures', () => {
    const [id] = lambda('work-order-reply');
    const mappings = resources('AWS::Lambda::EventSourceMapping').filter(
      ([, r]) => r.Properties.FunctionName?.Ref === id,
    );
    expect(mappings).toHaveLength(1);
    const props = (mappings[0] as [string, Json])[1].Properties;
    expect(props.FunctionName).toEqual({ Ref: id });
    expect(JSON.stringify(props.EventSourceArn)).toMatch(QUEUE);
    expect(props.BatchSize).toBe(10);
    expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('work-order-reply is not an async function: no async DLQ, no invoke config', () => {
    const [id, fn] = lambda('work-order-reply');
    expect(fn.Properties.DeadLetterConfig).toBeUndefined();
    const configs = resources('AWS::Lambda::EventInvokeConfig').filter(
      ([, r]) => r.Properties.FunctionName?.Ref === id,
    );
    expect(configs).toEqual([]);
    expect(fn.Properties.Timeout).toBe(30);
  });

  it('only the due work (scheduler, due-worker) may send to the queue, with sqs:SendMessage on it alone', () => {
    for (const name of functionNames) {
      // (Functions invoked asynchronously may also send to their own async DLQ.)
      const sends = statements(name).filter(
        (s) => [s.Action].flat().includes('sqs:SendMessage') && QUEUE.test(JSON.stringify(s.Resource)),
      );
      if (name !== 'scheduler' && name !== 'due-worker') {
        expect(sends, name).toEqual([]);
        continue;
      }
      expect(sends, name).toHaveLength(1);
      expect([sends[0]?.Action].flat()).toEqual(['sqs:SendMessage']);
      // CDK merges it with the scheduler's other sends (its own async DLQ, the due workers' queue):
      // one statement may name only those besides this queue.
      const ownDlq = JSON.stringify(lambda(name)[1].Properties.DeadLetterConfig?.TargetArn);
      const targets = [sends[0]?.Resource].flat();
      expect(
        targets.filter((r) => JSON.stringify(r) !== ownDlq && !/DueWork/.test(JSON.stringify(r))),
      ).toHaveLength(1);
      for (const r of targets) {
        expect(JSON.stringify(r)).not.toMatch(/WorkOrderRepliesDlq/);
        expect(r).not.toBe('*');
      }
    }
  });

  it('only work-order-reply may receive, delete or hide messages, on the queue alone', () => {
    for (const name of functionNames) {
      const sqsStatements = statements(name).filter(
        (s) =>
          [s.Action].flat().some((a) => a.startsWith('sqs:') && a !== 'sqs:SendMessage') &&
          !/DueWork/.test(JSON.stringify(s.Resource)),
      );
      if (name !== 'work-order-reply') {
        expect(sqsStatements, name).toEqual([]);
        continue;
      }
      const acts = sqsStatements.flatMap((s) => [s.Action].flat());
      expect(acts).toEqual(
        expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
      );
      expect(acts).not.toContain('sqs:SendMessage');
      for (const s of sqsStatements) {
        expect(s.Resource).not.toBe('*');
        expect(JSON.stringify(s.Resource)).toMatch(QUEUE);
        expect(JSON.stringify(s.Resource)).not.toMatch(/Dlq/);
      }
    }
  });

  it('the queue URL goes to the scheduler and the consumer only', () => {
    for (const name of functionNames) {
      const url = env(name).WORK_ORDER_QUEUE_URL;
      if (name === 'scheduler' || name === 'work-order-reply' || name === 'due-worker')
        expect(JSON.stringify(url), name).toMatch(QUEUE);
      else expect(url, name).toBeUndefined();
    }
  });

  it('only work-order-reply reads the reply signing secrets, and only that secret', () => {
    for (const name of functionNames) {
      const reads = statements(name).filter((s) =>
        JSON.stringify(s.Resource).includes('ReplySigningSecrets'),
      );
      if (name !== 'work-order-reply') {
        expect(reads, name).toEqual([]);
        expect(env(name), name).not.toHaveProperty('REPLY_SECRETS_ARN');
        continue;
      }
      expect(reads).toHaveLength(1);
      expect([reads[0]?.Action].flat()).toContain('secretsmanager:GetSecretValue');
      expect(JSON.stringify(reads[0]?.Resource)).toBe(JSON.stringify(env(name).REPLY_SECRETS_ARN));
      const otherSecrets = statements(name).filter(
        (s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')) && s !== reads[0],
      );
      expect(otherSecrets).toEqual([]);
    }
  });

  it("FeedbackData: the queue redrives to its DLQ after the schedule's attempts; both encrypted, TLS only", () => {
    const queues = data.findResources('AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(([id]) => QUEUE.test(id)) as [string, Json];
    const [dlqId, dlq] = Object.entries(queues).find(([id]) => /WorkOrderRepliesDlq/.test(id)) as [
      string,
      Json,
    ];
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: replyQueueMaxReceives(),
    });
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 30);
    expect(queue.Properties.MessageRetentionPeriod).toBeGreaterThan(24 * 3600);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const [id, q] of [
      [queueId, queue],
      [dlqId, dlq],
    ] as const) {
      expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
      data.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
    data.hasOutput('WorkOrderRepliesDlqUrl', {});
  });

  it('FeedbackData: reply signing secrets are a generated JSON map, retained', () => {
    data.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{}', GenerateStringKey: '*' }),
      }),
    });
    data.hasOutput('ReplySecretsArn', {});
  });
});

// --- FeedbackData ----------------------------------------------------------------------------

describe('due workers: the scheduler fans out over a FIFO queue, one worker per slot group', () => {
  const DUE = /DueWork(?!Dlq)/;

  it('FeedbackData: DueWork is FIFO, outlives no tick by much, is seen again after the worker timeout, redrives to a FIFO DLQ', () => {
    const queues = data.findResources('AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(([id]) => DUE.test(id)) as [string, Json];
    const [dlqId, dlq] = Object.entries(queues).find(([id]) => /DueWorkDlq/.test(id)) as [string, Json];
    expect(queue.Properties.FifoQueue).toBe(true);
    // Deduplication by the scheduler's id (tick and group), not by content.
    expect(queue.Properties.ContentBasedDeduplication).toBeUndefined();
    expect(queue.Properties.VisibilityTimeout).toBe(90);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThan(
      functionSpecs['due-worker'].timeoutSeconds ?? 10,
    );
    expect(queue.Properties.MessageRetentionPeriod).toBe(600);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 3,
    });
    expect(dlq.Properties.FifoQueue).toBe(true);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const [id, q] of [
      [queueId, queue],
      [dlqId, dlq],
    ] as const) {
      expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
      data.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('due-worker consumes DueWork one message at a time, reporting failures, for at most a minute', () => {
    const [id, fn] = lambda('due-worker');
    const mappings = resources('AWS::Lambda::EventSourceMapping').filter(
      ([, r]) => r.Properties.FunctionName?.Ref === id,
    );
    expect(mappings).toHaveLength(1);
    const props = (mappings[0] as [string, Json])[1].Properties;
    expect(JSON.stringify(props.EventSourceArn)).toMatch(DUE);
    expect(JSON.stringify(props.EventSourceArn)).not.toMatch(/DueWorkDlq/);
    expect(props.BatchSize).toBe(1);
    expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(fn.Properties.Timeout).toBe(60);
    // Synchronous (an event source mapping): no async DLQ, no invoke config.
    expect(fn.Properties.DeadLetterConfig).toBeUndefined();
    expect(
      resources('AWS::Lambda::EventInvokeConfig').filter(([, r]) => r.Properties.FunctionName?.Ref === id),
    ).toEqual([]);
  });

  it('only the scheduler sends to DueWork; only due-worker receives from it; both get its URL, no one else', () => {
    for (const name of functionNames) {
      const onDue = statements(name).filter((s) => DUE.test(JSON.stringify(s.Resource)));
      const acts = onDue.flatMap((s) => [s.Action].flat());
      const url = env(name).DUE_QUEUE_URL;
      if (name === 'scheduler') {
        expect(acts).toEqual(['sqs:SendMessage']);
        expect(JSON.stringify(url)).toMatch(DUE);
      } else if (name === 'due-worker') {
        expect(acts).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
        expect(acts).not.toContain('sqs:SendMessage');
        expect(JSON.stringify(url)).toMatch(DUE);
      } else {
        expect(acts, name).toEqual([]);
        expect(url, name).toBeUndefined();
      }
    }
  });

  it('due-worker does every due step the scheduler did: same table, SMS, alert and reply-queue rights', () => {
    const spec = functionSpecs['due-worker'];
    const scheduler = functionSpecs.scheduler;
    expect(spec.access).toBe(scheduler.access);
    expect(spec.sendsSms).toBe(scheduler.sendsSms);
    expect(spec.sendsAlerts).toBe(scheduler.sendsAlerts);
    expect(spec.sendsToQueues).toEqual(['workOrderReplies']);
    expect(JSON.stringify(env('due-worker').WORK_ORDER_QUEUE_URL)).toMatch(/WorkOrderReplies/);
  });

  it('context dueWorkers sets DUE_WORKERS on the scheduler alone, and is checked', () => {
    const synth = (dueWorkers: unknown) => {
      const a = new App({
        context: { 'aws:cdk:bundling-stacks': [], ...(dueWorkers === undefined ? {} : { dueWorkers }) },
      });
      const { api: stack } = defineStacks(a);
      return Template.fromStack(stack).toJSON() as Json;
    };
    const vars = (t: Json, name: FunctionName) =>
      (
        Object.values(t.Resources as Record<string, Json>).find(
          (r) =>
            r.Type === 'AWS::Lambda::Function' &&
            String(r.Properties.Description).endsWith(`functions/${name}`),
        ) as Json
      ).Properties.Environment.Variables;
    const t = synth('16');
    expect(vars(t, 'scheduler').DUE_WORKERS).toBe('16');
    expect(vars(t, 'due-worker').DUE_WORKERS).toBeUndefined();
    expect(env('scheduler').DUE_WORKERS).toBeUndefined(); // unset: the configuration's default
    expect(() => synth('0')).toThrow(/dueWorkers: expected a whole number of due workers, 1-64/);
    expect(() => synth('65')).toThrow(/dueWorkers/);
  });
});

describe('FeedbackData', () => {
  it('table: keys, GSI, TTL from shared/store/table.ts; on demand, PITR, encrypted, retained', () => {
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: tableDef.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDef.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: tableDef.indexes.map((ix) => ({
          IndexName: ix.indexName,
          KeySchema: [
            { AttributeName: ix.partitionKey, KeyType: 'HASH' },
            { AttributeName: ix.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        TimeToLiveSpecification: { AttributeName: tableDef.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    expect(tableDef.partitionKey).toBe('pk');
    expect(tableDef.sortKey).toBe('sk');
  });

  it.each(['InboundSms', 'SupervisorAlerts'])('topic %s denies publishing without TLS', (topic) => {
    data.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp(`^${topic}`) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('End User Messaging may publish inbound SMS to InboundSms (this account only)', () => {
    data.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^InboundSms') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: Match.stringLikeRegexp('^sms-voice\\.amazonaws\\.com') },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('webhook signing secret is generated and retained', () => {
    data.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ GenerateSecretString: Match.objectLike({ ExcludePunctuation: true }) }),
    });
    data.hasOutput('WebhookSecretArn', {});
  });

  it('user pool: admin-created users with custom role/teams/regions/engineerId', () => {
    data.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith(
        ['role', 'teams', 'regions', 'engineerId'].map((name) =>
          Match.objectLike({ Name: name, AttributeDataType: 'String', Mutable: true }),
        ),
      ),
    });
    data.hasOutput('UserPoolId', {});
    data.hasOutput('UserPoolClientId', {});
  });

  it('app client reads the custom claims but users cannot write them', () => {
    const clients = data.findResources('AWS::Cognito::UserPoolClient');
    const clientList = Object.values(clients) as Json[];
    expect(clientList).toHaveLength(1);
    const props = (clientList[0] as Json).Properties;
    expect(props.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:role', 'custom:teams', 'custom:regions', 'custom:engineerId']),
    );
    // Without WriteAttributes, Cognito lets users write every attribute: it must be explicit.
    expect(Array.isArray(props.WriteAttributes)).toBe(true);
    for (const attr of ['custom:role', 'custom:teams', 'custom:regions', 'custom:engineerId']) {
      expect(props.WriteAttributes).not.toContain(attr);
    }
    expect((props.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
    expect(props.GenerateSecret).toBe(false);
  });

  it('user pool: no role groups (custom:role is the only source of the role); strong passwords, optional TOTP', () => {
    expect(data.findResources('AWS::Cognito::UserPoolGroup')).toEqual({});
    data.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });
});

describe('encryption in transit and at rest, logs kept', () => {
  const templates = () =>
    [
      ['FeedbackData', dataJson],
      ['FeedbackApi', apiJson],
    ] as const;

  it('every topic and every queue of both stacks refuses requests without TLS', () => {
    let checked = 0;
    for (const [stack, t] of templates()) {
      const all = Object.entries(t.Resources as Record<string, Json>);
      for (const [id, r] of all.filter(
        ([, x]) => x.Type === 'AWS::SNS::Topic' || x.Type === 'AWS::SQS::Queue',
      )) {
        const [policyType, listKey, action] =
          r.Type === 'AWS::SNS::Topic'
            ? ['AWS::SNS::TopicPolicy', 'Topics', 'sns:Publish']
            : ['AWS::SQS::QueuePolicy', 'Queues', 'sqs:*'];
        const denies = all.filter(
          ([, p]) =>
            p.Type === policyType &&
            (p.Properties[listKey] as Json[]).some((x) => x.Ref === id) &&
            (p.Properties.PolicyDocument.Statement as Json[]).some(
              (s) =>
                s.Effect === 'Deny' &&
                (s.Principal === '*' || s.Principal?.AWS === '*') &&
                [s.Action].flat().includes(action) &&
                s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
            ),
        );
        expect(denies, `${stack} ${id}`).toHaveLength(1);
        checked++;
      }
    }
    expect(checked).toBe(2 + 2 + 2 + 4); // topics, reply and due-work queues (data), DLQs (api)
  });

  it('every queue is encrypted (SQS-managed keys); the table too, with point-in-time recovery', () => {
    for (const [stack, t] of templates()) {
      for (const [id, r] of Object.entries(t.Resources as Record<string, Json>)) {
        if (r.Type === 'AWS::SQS::Queue')
          expect(r.Properties.SqsManagedSseEnabled, `${stack} ${id}`).toBe(true);
      }
    }
    const tables = Object.values(data.findResources('AWS::DynamoDB::Table')) as Json[];
    expect(tables).toHaveLength(1);
    expect(tables[0]?.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(tables[0]?.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
  });

  it('every log group (functions and API access logs) keeps 180 days and outlives the stack', () => {
    const groups = resources('AWS::Logs::LogGroup');
    expect(groups).toHaveLength(functionNames.length + 1);
    for (const [id, g] of groups) {
      expect(g.Properties.RetentionInDays, id).toBe(180);
      expect(g.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('API stage: every route throttled (stage default), access logs to the retained log group', () => {
    const stages = resources('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const props = (stages[0] as [string, Json])[1].Properties;
    expect(props.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(props.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
    // No route-level settings that could lift the throttle.
    expect(props.RouteSettings).toBeUndefined();
    const logGroupId = props.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(apiJson.Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    const format = JSON.parse(props.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });
});

// --- cdk-nag AwsSolutions ---------------------------------------------------------------------

interface Acknowledgment {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgment (`Validations.of(c).acknowledge(...)`) in the app, where it was made. */
function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('no error left unacknowledged (warnings listed)', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    const lines = (severity: string) =>
      report.violations
        .filter((v) => v.severity === severity)
        .flatMap((v) =>
          v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}: ${v.description}`),
        );
    const warnings = lines('warning');
    console.info(
      `cdk-nag AwsSolutions: ${warnings.length} unacknowledged warning(s)\n${warnings.join('\n')}`,
    );
    expect(lines('error')).toEqual([]);
  });

  it('each acknowledgment says why, and matches a real finding where it is made', () => {
    const acks = acknowledgments(app);
    console.info(
      `cdk-nag acknowledgments (${acks.length}):\n${acks.map((a) => `${a.id} @ ${a.path}\n    ${a.reason}`).join('\n')}`,
    );
    // The findings with no acknowledgment honoured: each acknowledgment must silence one of them.
    const raw = new AwsSolutionsChecks(undefined);
    (raw as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = raw
      .validateScope(app)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })),
      );
    for (const a of acks) {
      expect(a.reason.length, `${a.id} @ ${a.path}`).toBeGreaterThanOrEqual(80);
      expect(
        findings.some((f) => f.id === a.id && (f.path === a.path || f.path.startsWith(`${a.path}/`))),
        `${a.id} @ ${a.path} silences no finding`,
      ).toBe(true);
    }
    // Exactly these rules are acknowledged, and only where expected.
    const count = (id: string) => acks.filter((a) => a.id === id).length;
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-COG2',
        'AwsSolutions-COG8',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-L1',
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    expect(count('AwsSolutions-APIG4')).toBe(Object.keys(publicRouteReasons).length);
    expect(count('AwsSolutions-IAM5[Resource::*]')).toBe(functionNames.length);
    expect(count('AwsSolutions-L1')).toBe(functionNames.length);
    expect(count('AwsSolutions-SMG4')).toBe(3);
    expect(count('AwsSolutions-SQS3')).toBe(2);
    // The "*" acknowledgment names the SMS publish exactly on the functions that send SMS.
    for (const name of functionNames) {
      const [ack] = acks.filter(
        (a) => a.id === 'AwsSolutions-IAM5[Resource::*]' && a.path === `FeedbackApi/${constructId(name)}`,
      );
      expect(ack?.reason, name).toMatch(/xray:PutTraceSegments/);
      expect(/phone number/.test(ack?.reason ?? ''), name).toBe(Boolean(functionSpecs[name].sendsSms));
      expect(/ListStreams/.test(ack?.reason ?? ''), name).toBe(
        Boolean(functionSpecs[name].triggers?.some((t) => t.kind === 'stream')),
      );
    }
  });

  it('an unacknowledged finding fails the synth', () => {
    const bad = new App({ outdir: join(outdir, 'nag-bad') });
    new Queue(new Stack(bad, 'Bad'), 'PlainQueue');
    addNagChecks(bad);
    // The report names the rule (a queue without TLS enforcement) and how to acknowledge it.
    expect(() => bad.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('rules context', () => {
  it('passes RULES through as JSON, validated', () => {
    expect(rulesFromContext(undefined)).toBeUndefined();
    expect(rulesFromContext({ survey: { expiryHours: 48 } })).toBe('{"survey":{"expiryHours":48}}');
    expect(rulesFromContext('{"sms":{"signature":"江西移动"}}')).toBe('{"sms":{"signature":"江西移动"}}');
    expect(() => rulesFromContext({ sms: { signature: 'ACME' } })).toThrow(/signature/);
    expect(() => rulesFromContext('not json')).toThrow(/RULES/);
  });
});

describe('publicBaseUrl context', () => {
  const webSurvey = '{"sources":{"ossA":{"webSurvey":true}}}';
  it('is required when a source sends web-survey links, and must be an https base', () => {
    expect(publicBaseUrlFromContext(undefined, undefined)).toBeUndefined();
    expect(() => publicBaseUrlFromContext(undefined, webSurvey)).toThrow(
      /publicBaseUrl is required: sources ossA/,
    );
    expect(publicBaseUrlFromContext('https://feedback.example.cn', webSurvey)).toBe(
      'https://feedback.example.cn',
    );
    expect(() => publicBaseUrlFromContext('http://feedback.example.cn', webSurvey)).toThrow(
      /publicBaseUrl: http/,
    );
    expect(() => publicBaseUrlFromContext('https://feedback.example.cn/?a=1', undefined)).toThrow(/no query/);
  });
});
