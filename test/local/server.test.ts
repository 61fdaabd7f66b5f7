// Over 350 lines on purpose: the local system end to end: each local endpoint and the emulated API Gateway and runtime.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context, ScheduledEvent, SNSEvent } from 'aws-lambda';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  authorizerClaims,
  buildHttpEvent,
  httpResponseFromResult,
  parseQuery,
} from '../../infra/local/events.ts';
import { normalizePhone } from '../../infra/local/requests.ts';
import { matchRoute } from '../../infra/local/router.ts';
import { loadLocalSecrets } from '../../infra/local/secrets.ts';
import { type LocalSystem, startLocalSystem } from '../../infra/local/server.ts';
import { mintToken, parseTokenArgs, verifyToken } from '../../infra/local/token.ts';

const repoRoot = join(import.meta.dirname, '../..');
const endpoint = inject('dynamoEndpoint');
const dataDir = mkdtempSync(join(tmpdir(), 'local-system-'));
const logs: string[] = [];

/** Handlers standing in for the real ones, recording what the local system hands them. */
const seen = {
  reports: [] as { event: APIGatewayProxyEventV2; context: Context }[],
  inbound: [] as SNSEvent[],
  ticks: [] as ScheduledEvent[],
};
let inboundFails = false;
let tickRunning = 0;
let tickMaxParallel = 0;

let sys: LocalSystem;

beforeAll(async () => {
  sys = await startLocalSystem({
    port: 0,
    dataDir,
    dynamoEndpoint: endpoint,
    tableName: process.env.TABLE_NAME,
    tickSeconds: 0,
    log: (line) => logs.push(line),
    handlers: {
      reports: async (event, context) => {
        seen.reports.push({ event: event as APIGatewayProxyEventV2, context });
        return { statusCode: 200, headers: { 'x-seen': 'yes' }, body: JSON.stringify({ ok: true }) };
      },
      'sms-inbound': async (event) => {
        seen.inbound.push(event as SNSEvent);
        if (inboundFails) throw new Error('boom in handler');
      },
      scheduler: async (event) => {
        tickRunning++;
        tickMaxParallel = Math.max(tickMaxParallel, tickRunning);
        await new Promise((r) => setTimeout(r, 30));
        tickRunning--;
        seen.ticks.push(event as ScheduledEvent);
        return { processed: seen.ticks.length };
      },
    },
  });
});

afterAll(async () => {
  await sys?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${sys.url}${path}`, { headers });
const postJson = (path: string, body: unknown) =>
  fetch(`${sys.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('tokens', () => {
  it('mints HS256 tokens whose claims verify with the same secret only', async () => {
    const token = await mintToken({
      role: 'manager',
      teams: ['T1', 'T2'],
      regions: ['南昌'],
      secret: 'k1',
      ttl: '2h',
    });
    expect(token).toMatch(JWT);
    const claims = await verifyToken(token, 'k1');
    expect(claims).toMatchObject({
      sub: 'local-manager',
      role: 'manager',
      token_use: 'id',
      teams: '["T1","T2"]',
      regions: '["南昌"]',
      iss: 'telecom-feedback-local',
      aud: 'telecom-feedback',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(7200);
    await expect(verifyToken(token, 'k2')).rejects.toThrow();
  });

  it('checks the flags', () => {
    expect(parseTokenArgs(['--role', 'engineer', '--engineer', 'E1', '--sub', 'zhang'])).toEqual({
      role: 'engineer',
      engineerId: 'E1',
      sub: 'zhang',
    });
    expect(() => parseTokenArgs([])).toThrow(/--role/);
    expect(() => parseTokenArgs(['--role', 'boss'])).toThrow(/--role/);
    expect(() => parseTokenArgs(['--role', 'engineer'])).toThrow(/--engineer/);
    expect(() => parseTokenArgs(['--role', 'admin', '--ttl', 'soon'])).toThrow(/--ttl/);
    expect(() => parseTokenArgs(['--role', 'admin', '--what'])).toThrow();
  });

  it('keeps the secrets in a 0600 file under DATA_DIR, WEBHOOK_SECRET overriding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const a = loadLocalSecrets({}, dir);
    const b = loadLocalSecrets({}, dir);
    expect(a.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.webhookSecret.slice(6), 'base64')).toHaveLength(32);
    expect(b).toEqual(a);
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    const [fresh, old] = [`whsec_${'bmV3'.repeat(8)}`, `whsec_${'b2xk'.repeat(8)}`];
    const rotated = loadLocalSecrets({ WEBHOOK_SECRET: `${fresh}, ${old}` }, dir);
    expect(rotated.webhookSecrets).toEqual([fresh, old]);
    expect(rotated.jwtSecret).toBe(a.jwtSecret);
  });

  it('`npm run --silent token` prints one line: the JWT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-cli-'));
    const ok = await run('npm', ['run', '--silent', 'token', '--', '--role', 'admin'], { DATA_DIR: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = await verifyToken(ok.stdout.trim(), loadLocalSecrets({}, dir).jwtSecret);
    expect(claims.role).toBe('admin');
    const bad = await run('npm', ['run', '--silent', 'token', '--', '--role', 'engineer'], { DATA_DIR: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/--engineer/);
  });
});

describe('JWT authorizer', () => {
  const path = '/v1/reports/engineers?period=2026-11';

  it('answers 401 without calling the function when the token is missing or bad', async () => {
    const before = seen.reports.length;
    const secret = loadLocalSecrets(process.env, dataDir).jwtSecret;
    const key = new TextEncoder().encode(secret);
    const expired = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('telecom-feedback-local')
      .setAudience('telecom-feedback')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    const wrongAudience = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('telecom-feedback-local')
      .setAudience('someone-else')
      .setExpirationTime('1h')
      .sign(key);
    const otherKey = await mintToken({ role: 'admin', secret: 'not-the-local-secret' });
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer' },
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${wrongAudience}` },
      { authorization: `Bearer ${otherKey}` },
    ]) {
      const res = await get(path, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(seen.reports.length).toBe(before);
  });

  it('passes the claims on as API Gateway does, all values strings', async () => {
    const token = await mintToken({
      role: 'engineer',
      engineerId: 'E042',
      teams: ['T1'],
      regions: ['南昌', '九江'],
      secret: loadLocalSecrets(process.env, dataDir).jwtSecret,
    });
    const res = await get(path, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen')).toBe('yes');
    const { event, context } = seen.reports.at(-1) ?? expect.unreachable();
    const ctx = event.requestContext as typeof event.requestContext & {
      authorizer: { jwt: { claims: Record<string, unknown>; scopes: unknown } };
    };
    expect(ctx.authorizer.jwt.scopes).toBeNull();
    const claims = ctx.authorizer.jwt.claims;
    expect(claims).toMatchObject({
      sub: 'local-engineer',
      role: 'engineer',
      engineerId: 'E042',
      token_use: 'id',
      teams: '["T1"]',
      regions: '["南昌","九江"]',
      iss: 'telecom-feedback-local',
      aud: 'telecom-feedback',
    });
    for (const v of Object.values(claims)) expect(typeof v).toBe('string');
    expect(event.routeKey).toBe('GET /v1/reports/engineers');
    expect(event.queryStringParameters).toEqual({ period: '2026-11' });
    expect(context.functionName).toBe('reports');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(5_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(10_000);
  });

  it('accepts the admin token printed at start', async () => {
    const res = await get(path, { authorization: `Bearer ${sys.adminToken}` });
    expect(res.status).toBe(200);
  });

  it('uses WEBHOOK_SECRET from the environment when set', () => {
    expect(sys.webhookSecret).toBe(process.env.WEBHOOK_SECRET);
  });
});

describe('routing', () => {
  it('answers 404 for unknown routes and methods', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing'],
      ['DELETE', '/v1/reports/engineers'],
      ['GET', '/v1/tickets/completed'],
      ['GET', '/local/nothing'],
    ] as const) {
      const res = await fetch(`${sys.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('refuses bodies over 10 MB with 413', async () => {
    const res = await fetch(`${sys.url}/v1/tickets/completed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(res.status).toBe(413);
  });

  it('matches {param} segments', () => {
    const rs = [
      { method: 'GET', path: '/v1/surveys/{surveyId}', fn: 'reports', auth: false },
      { method: 'GET', path: '/v1/surveys/latest', fn: 'reports', auth: false },
    ] as const;
    expect(matchRoute(rs, 'get', '/v1/surveys/a%20b')).toMatchObject({
      routeKey: 'GET /v1/surveys/{surveyId}',
      pathParameters: { surveyId: 'a b' },
    });
    expect(matchRoute(rs, 'GET', '/v1/surveys/latest')?.routeKey).toBe('GET /v1/surveys/latest');
    expect(matchRoute(rs, 'GET', '/v1/surveys/x/y')).toBeUndefined();
    expect(matchRoute(rs, 'POST', '/v1/surveys/x')).toBeUndefined();
  });
});

describe('API Gateway v2.0 event builder', () => {
  const at = new Date('2026-11-03T01:30:05.123Z');

  it('lower-cases and joins headers, splits cookies, parses the query, keeps JSON as text', () => {
    const event = buildHttpEvent(
      {
        method: 'post',
        url: '/v1/surveys/s-1?a=1&a=2&b=%E4%BD%A0%E5%A5%BD&c=x+y&flag',
        rawHeaders: [
          'Host',
          'localhost:3000',
          'Content-Type',
          'application/json; charset=utf-8',
          'X-Custom',
          'one',
          'x-custom',
          'two',
          'Cookie',
          'sid=abc; theme=dark',
          'User-Agent',
          'curl/8',
        ],
        body: Buffer.from('{"x":"中文"}'),
        sourceIp: '10.0.0.7',
        protocol: 'HTTP/1.1',
      },
      { routeKey: 'POST /v1/surveys/{id}', pathParameters: { id: 's-1' } },
      at,
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/surveys/{id}',
      rawPath: '/v1/surveys/s-1',
      rawQueryString: 'a=1&a=2&b=%E4%BD%A0%E5%A5%BD&c=x+y&flag',
      cookies: ['sid=abc', 'theme=dark'],
      queryStringParameters: { a: '1,2', b: '你好', c: 'x y', flag: '' },
      pathParameters: { id: 's-1' },
      body: '{"x":"中文"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'POST',
          path: '/v1/surveys/s-1',
          protocol: 'HTTP/1.1',
          sourceIp: '10.0.0.7',
          userAgent: 'curl/8',
        },
        routeKey: 'POST /v1/surveys/{id}',
        stage: '$default',
        time: '03/Nov/2026:01:30:05 +0000',
        timeEpoch: at.getTime(),
      },
    });
    expect(event.headers).toMatchObject({
      host: 'localhost:3000',
      'content-type': 'application/json; charset=utf-8',
      'x-custom': 'one,two',
      'user-agent': 'curl/8',
      'x-forwarded-for': '10.0.0.7',
    });
    expect(event.headers.cookie).toBeUndefined();
    for (const k of Object.keys(event.headers)) expect(k).toBe(k.toLowerCase());
    expect(typeof event.requestContext.requestId).toBe('string');
    expect(typeof event.requestContext.apiId).toBe('string');
  });

  it('base64-encodes binary bodies and leaves out what is absent', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const binary = buildHttpEvent(
      {
        method: 'POST',
        url: '/x',
        rawHeaders: ['Content-Type', 'application/octet-stream'],
        body: bytes,
        sourceIp: '127.0.0.1',
        protocol: 'HTTP/1.1',
      },
      { routeKey: 'POST /x' },
      at,
    );
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body ?? '', 'base64')).toEqual(bytes);
    const form = buildHttpEvent(
      {
        method: 'POST',
        url: '/x',
        rawHeaders: ['content-type', 'application/x-www-form-urlencoded'],
        body: Buffer.from('a=1'),
        sourceIp: '127.0.0.1',
        protocol: 'HTTP/1.1',
      },
      { routeKey: 'POST /x' },
      at,
    );
    expect(form).toMatchObject({ body: 'a=1', isBase64Encoded: false });
    const empty = buildHttpEvent(
      {
        method: 'GET',
        url: '/x',
        rawHeaders: [],
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
        protocol: 'HTTP/1.1',
      },
      { routeKey: 'GET /x', pathParameters: {} },
      at,
    );
    expect(empty.body).toBeUndefined();
    expect(empty.rawQueryString).toBe('');
    expect(empty.queryStringParameters).toBeUndefined();
    expect(empty.pathParameters).toBeUndefined();
    expect(empty.cookies).toBeUndefined();
  });

  it('turns claims and results the way API Gateway does', () => {
    expect(authorizerClaims({ sub: 'a', exp: 1700000000, groups: ['x', 'y'], no: undefined })).toEqual({
      sub: 'a',
      exp: '1700000000',
      groups: '[x y]',
    });
    expect(parseQuery('')).toBeUndefined();
    const structured = httpResponseFromResult({
      statusCode: 201,
      headers: { 'X-A': 'b' },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(structured.statusCode).toBe(201);
    expect(structured.headers).toMatchObject({ 'x-a': 'b', 'set-cookie': ['a=1', 'b=2'] });
    expect(structured.body.toString()).toBe('hi');
    const inferred = httpResponseFromResult({ hello: 'world' });
    expect(inferred.statusCode).toBe(200);
    expect(JSON.parse(inferred.body.toString())).toEqual({ hello: 'world' });
  });
});

describe('local clock', () => {
  it('pins, reads and unpins the domain clock', async () => {
    const pin = await postJson('/local/clock', { now: '2026-11-03T09:30:00+08:00' });
    expect(await pin.json()).toEqual({ now: '2026-11-03T01:30:00.000Z', pinned: true });
    expect(await (await get('/local/clock')).json()).toEqual({
      now: '2026-11-03T01:30:00.000Z',
      pinned: true,
    });
    expect(sys.clock.now().toISOString()).toBe('2026-11-03T01:30:00.000Z');

    const bad = await postJson('/local/clock', { now: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toBe('now');

    const unpin = await postJson('/local/clock', { now: null });
    const body = (await unpin.json()) as { now: string; pinned: boolean };
    expect(body.pinned).toBe(false);
    expect(Math.abs(Date.parse(body.now) - Date.now())).toBeLessThan(5_000);
  });
});

describe('local SMS', () => {
  const national = `139${String(Date.now()).slice(-8)}`;
  const e164 = `+86${national}`;

  it('lists the outbox by phone, in national or E.164 form', async () => {
    const sendSms = (to: string, body: string) =>
      sys.deps.sms.send({ to, body, templateId: 'thanks', params: {}, smsId: '' });
    await sendSms(e164, '【客户服务】您好，请回复1-3评价本次服务。');
    await sendSms(e164, '第二条');
    await sendSms('+8613000000000', 'someone else');
    for (const q of [national, encodeURIComponent(e164), e164 /* a raw + decodes to a space */]) {
      const res = await get(`/local/sms/outbox?phone=${q}`);
      expect(res.status).toBe(200);
      const list = (await res.json()) as {
        messageId: string;
        to: string;
        body: string;
        segments: number;
        sentAt: string;
      }[];
      expect(list.map((m) => m.body)).toEqual(['【客户服务】您好，请回复1-3评价本次服务。', '第二条']);
      expect(list[0]).toMatchObject({ to: e164, segments: 1 });
      expect(typeof list[0]?.messageId).toBe('string');
      expect(Date.parse(list[0]?.sentAt ?? '')).not.toBeNaN();
    }
    const all = (await (await get('/local/sms/outbox')).json()) as unknown[];
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect((await get('/local/sms/outbox?phone=12345')).status).toBe(400);
    expect(normalizePhone('8613800138000')).toBe('+8613800138000');
  });

  it('validates inbound SMS, naming the missing field', async () => {
    const valid = {
      originationNumber: e164,
      destinationNumber: '+8610690000',
      messageKeyword: 'KEYWORD_000000000000',
      messageBody: '1',
      inboundMessageId: 'in-1',
      previousPublishedMessageId: 'pub-1',
    };
    for (const field of [
      'originationNumber',
      'destinationNumber',
      'messageBody',
      'inboundMessageId',
    ] as const) {
      const { [field]: _, ...rest } = valid;
      const res = await postJson('/local/sms/inbound', rest);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { message: string; field: string };
      expect(body.field).toBe(field);
      expect(body.message).toContain(field);
    }
    expect((await postJson('/local/sms/inbound', 'not json')).status).toBe(400);
    expect((await postJson('/local/sms/inbound', { ...valid, messageBody: 7 })).status).toBe(400);
  });

  it('delivers inbound SMS as an SNS notification and waits for the handler', async () => {
    const payload = {
      originationNumber: e164,
      destinationNumber: '+8610690000',
      messageKeyword: 'KEYWORD_000000000000',
      messageBody: '1',
      inboundMessageId: 'in-2',
      previousPublishedMessageId: 'pub-2',
    };
    const res = await postJson('/local/sms/inbound', payload);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    const record = seen.inbound.at(-1)?.Records[0] ?? expect.unreachable();
    expect(record).toMatchObject({ EventSource: 'aws:sns', EventVersion: '1.0' });
    expect(record.EventSubscriptionArn.startsWith(`${record.Sns.TopicArn}:`)).toBe(true);
    expect(record.Sns).toMatchObject({ Type: 'Notification', Subject: null, MessageAttributes: {} });
    expect(record.Sns.TopicArn).toMatch(/^arn:aws(-cn)?:sns:cn-north-1:000000000000:InboundSms$/);
    expect(JSON.parse(record.Sns.Message)).toEqual(payload);
    for (const k of [
      'MessageId',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertUrl',
      'UnsubscribeUrl',
    ] as const) {
      expect(typeof record.Sns[k]).toBe('string');
    }

    inboundFails = true;
    try {
      const failed = await postJson('/local/sms/inbound', { ...payload, inboundMessageId: 'in-3' });
      expect(failed.status).toBe(500);
      expect((await failed.json()).message).toContain('boom in handler');
    } finally {
      inboundFails = false;
    }
  });

  it('logs no phone numbers or message bodies', () => {
    const all = logs.join('\n');
    expect(all).not.toContain(national);
    expect(all).not.toContain('请回复');
  });
});

describe('scheduler tick', () => {
  it('invokes the scheduler with a scheduled event at the domain clock, one tick at a time', async () => {
    await postJson('/local/clock', { now: '2026-11-03T09:30:00.456+08:00' });
    try {
      const [a, b, c] = await Promise.all([
        fetch(`${sys.url}/local/tick`, { method: 'POST' }),
        fetch(`${sys.url}/local/tick`, { method: 'POST' }),
        sys.tick(),
      ]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      const results = [await a.json(), await b.json(), c];
      expect(new Set(results.map((r) => (r as { processed: number }).processed)).size).toBe(3);
      expect(tickMaxParallel).toBe(1);
      const event = seen.ticks.at(-1) ?? expect.unreachable();
      expect(event).toMatchObject({
        version: '0',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        region: 'cn-north-1',
        time: '2026-11-03T01:30:00Z',
        detail: {},
      });
      expect(event.resources[0]).toMatch(/^arn:aws(-cn)?:events:cn-north-1:000000000000:rule\//);
    } finally {
      await postJson('/local/clock', { now: null });
    }
  });
});

describe('with the real functions', () => {
  let real: LocalSystem;
  beforeAll(async () => {
    real = await startLocalSystem({
      port: 0,
      dataDir,
      dynamoEndpoint: endpoint,
      tableName: process.env.TABLE_NAME,
      tickSeconds: 0,
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    await real?.stop();
  });

  it('serves the engineer report to the admin token', async () => {
    const res = await fetch(`${real.url}/v1/reports/engineers?period=2026-11`, {
      headers: { authorization: `Bearer ${real.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
  });

  it('runs the real scheduler on POST /local/tick', async () => {
    const res = await fetch(`${real.url}/local/tick`, { method: 'POST' });
    expect(res.status).toBe(200);
  });
});

describe('npm start', () => {
  it('starts, prints the URL, serves /local/clock and stops on SIGTERM', async () => {
    const child = spawn('npx', ['tsx', 'infra/local/server.ts', '--in-memory'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: '0',
        DYNAMODB_ENDPOINT: endpoint,
        TABLE_NAME: `cli-${Date.now()}`,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'local-cli-')),
        TICK_SECONDS: '0',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await waitForOutput(child, /Scheduler\s/, 90_000);
      const url = /API\s+(http:\/\/\S+)/.exec(out)?.[1] ?? expect.unreachable(out);
      expect(out).toMatch(/Webhook secret\s+whsec_/);
      expect(out).toMatch(/Admin token\s+[\w-]+\.[\w-]+\.[\w-]+/);
      expect(out).toMatch(/Data\s+external/);
      expect(out).toContain(`DynamoDB        ${endpoint}`);
      const clock = (await (await fetch(`${url}/local/clock`)).json()) as { pinned: boolean };
      expect(clock.pinned).toBe(false);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 120_000);
});

async function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  let out = '';
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}:\n${out}`));
    });
  });
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Keep `readFileSync` honest: the secrets file is plain JSON with both secrets.
it('stores both secrets as JSON', () => {
  const stored = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as Record<
    string,
    string
  >;
  expect(Object.keys(stored).sort()).toEqual(['jwtSecret', 'webhookSecret']);
});
