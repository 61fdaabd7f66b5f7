import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import {
  awsRegion,
  blankAsUnset,
  ConfigError,
  httpUrl,
  issueLines,
  tableName as tableNameSchema,
} from '#shared/config/check';
import { type FunctionName, functionNames, routes } from '#shared/http/routes';
import { isClockPinned, now, pinClock } from '#shared/runtime/clock';
import { createTable } from '#shared/store/create-table';
import { type LocalDynamo, startDynamoDbLocal } from '#shared/store/dynamodb-local';
import { type FunctionSpec, functionSpecs } from '../functions.ts';
import {
  arn,
  authorizerClaims,
  buildHttpEvent,
  buildLambdaContext,
  buildScheduledEvent,
  buildSnsEvent,
  httpResponseFromResult,
  withJwtClaims,
} from './events.ts';
import { matchRoute } from './router.ts';
import { dataDir as defaultDataDir, loadLocalSecrets, privateDir } from './secrets.ts';
import { mintToken, verifyToken } from './token.ts';

/**
 * The whole system on one machine: DynamoDB Local, the HTTP API of shared/http/routes.ts served on
 * node:http (events built as API Gateway builds them, JWT authorizer included), the two-way SMS
 * topic, the schedule, and a few local-only endpoints under /local (outbox, inbound SMS, clock,
 * tick). `npm start` runs it; tests start it in-process with `startLocalSystem`.
 */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalSystemOptions {
  /** HTTP port; 0 = any free port. Default 3000. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Keep DynamoDB Local's data in memory instead of under `<dataDir>/dynamodb`. */
  inMemory?: boolean;
  /** Where secrets (and DynamoDB's files unless in memory) live. Default `${DATA_DIR:-.data}`. */
  dataDir?: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamoEndpoint?: string;
  /** Port of the DynamoDB Local started; default a free one. */
  dynamoPort?: number;
  /** Default `feedback-local`. */
  tableName?: string;
  /** Period of the scheduler timer in seconds; 0 disables it. Default 60. */
  tickSeconds?: number;
  /** Default `$AWS_REGION` or cn-north-1. */
  region?: string;
  /** Request and status lines; default console.log. Never given personal data. */
  log?: (line: string) => void;
  /** Test seam: handlers to use instead of functions/<fn>/handler.ts. */
  handlers?: Partial<Record<FunctionName, LambdaHandler>>;
}

export interface LocalSystem {
  url: string;
  webhookSecret: string;
  /** Our signing secret of the replies to the work order, or a note that REPLY_SECRETS sets them. */
  replySecret: string;
  adminToken: string;
  dynamoEndpoint: string;
  tableName: string;
  /** The DynamoDB data directory, or `in memory`, or `external (<endpoint>)`. */
  dataLocation: string;
  dataDir: string;
  tickSeconds: number;
  /** Runs the scheduler once (serialized with the timer); resolves to its result. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

/** API Gateway's payload limit. The webhook's own 64 KiB limit is its handler's job. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's integration timeout for HTTP APIs. */
const GATEWAY_TIMEOUT_MS = 30_000;
const INBOUND_REQUIRED = [
  'originationNumber',
  'destinationNumber',
  'messageBody',
  'inboundMessageId',
] as const;
const INBOUND_OPTIONAL = ['messageKeyword', 'previousPublishedMessageId'] as const;

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string | string[]> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  res.end(buf);
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_REQUEST_BYTES) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(b);
  }
  return size > MAX_REQUEST_BYTES ? 'too-large' : Buffer.concat(chunks);
}

/** `+8613800138000`, `8613800138000` or `13800138000` -> `+8613800138000`. */
export function normalizePhone(input: string): string {
  // A `+` in a query string decodes to a space.
  const v = input.replace(/^ (?=\d)/, '+').replace(/[\s-]/g, '');
  if (/^1\d{10}$/.test(v)) return `+86${v}`;
  if (/^86\d{11}$/.test(v)) return `+${v}`;
  if (/^\+\d{6,15}$/.test(v)) return v;
  throw new HttpProblem(400, 'phone must be +86… (E.164) or an 11-digit national number', { field: 'phone' });
}

function jsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    throw new HttpProblem(400, 'body is not valid JSON', { field: 'body' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'body must be a JSON object', { field: 'body' });
  }
  return parsed as Record<string, unknown>;
}

/** Validates the two-way SMS payload End User Messaging publishes to SNS. */
export function validateInboundSms(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of INBOUND_REQUIRED) {
    const v = body[field];
    if (typeof v !== 'string' || !v.trim()) {
      throw new HttpProblem(400, `${field} is required (a non-empty string)`, { field });
    }
    out[field] = v;
  }
  for (const field of INBOUND_OPTIONAL) {
    const v = body[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new HttpProblem(400, `${field} must be a string`, { field });
    out[field] = v;
  }
  return out;
}

function errorLine(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((r) => {
    timer = setTimeout(() => r(TIMED_OUT), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');

export async function startLocalSystem(opts: LocalSystemOptions = {}): Promise<LocalSystem> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dir = resolve(opts.dataDir ?? defaultDataDir());
  const tableName = opts.tableName ?? 'feedback-local';
  const region = opts.region ?? process.env.AWS_REGION ?? 'cn-north-1';
  const tickSeconds = opts.tickSeconds ?? 60;
  const secrets = loadLocalSecrets(process.env, dir);

  // 1. DynamoDB and the table, before any module that reads the configuration is loaded.
  let dynamo: LocalDynamo | undefined;
  let dataLocation: string;
  let dynamoEndpoint: string;
  if (opts.dynamoEndpoint) {
    dynamoEndpoint = opts.dynamoEndpoint;
    dataLocation = `external (${dynamoEndpoint})`;
  } else {
    const dbPath = opts.inMemory ? undefined : join(dir, 'dynamodb');
    if (dbPath) privateDir(dbPath);
    dynamo = await startDynamoDbLocal({
      ...(opts.dynamoPort ? { port: opts.dynamoPort } : {}),
      ...(dbPath ? { path: dbPath } : {}),
    });
    dynamoEndpoint = dynamo.endpoint;
    dataLocation = dbPath ?? 'in memory';
  }
  try {
    const client = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await createTable(client, tableName);
    } finally {
      client.destroy();
    }

    // 2. The environment the functions read at import time.
    process.env.TABLE_NAME = tableName;
    process.env.DYNAMODB_ENDPOINT = dynamoEndpoint;
    process.env.SMS_GATEWAY = 'outbox';
    process.env.WEBHOOK_SECRET = secrets.webhookSecret;
    // Replies to the work order are signed with one local secret unless REPLY_SECRETS gives them.
    const replySecretsFromEnv = Boolean(process.env.REPLY_SECRETS?.trim());
    if (!replySecretsFromEnv) process.env.REPLY_SECRETS = JSON.stringify({ '*': secrets.replySecret });
    process.env.AWS_REGION = region;
    // Links in SMS (web survey) lead to this server unless PUBLIC_BASE_URL says otherwise.
    // With port 0 the address is not known yet: such a link needs PUBLIC_BASE_URL (or a port).
    const listenPort = opts.port ?? 3000;
    if (!process.env.PUBLIC_BASE_URL?.trim() && listenPort !== 0) {
      process.env.PUBLIC_BASE_URL = `http://${urlHost(opts.host ?? '127.0.0.1')}:${listenPort}`;
    }
    process.env.POWERTOOLS_SERVICE_NAME ??= 'telecom-feedback';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
    process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
    process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'telecom-feedback-local';

    // 3. Only now the modules that read it; a bad value stops the start here, before listening.
    const { config } = await import('#shared/config/config');
    await import('#shared/gateways/webhook-secrets');
    await import('#shared/gateways/work-order-reply-secrets');
    if (config.TABLE_NAME !== tableName || config.DYNAMODB_ENDPOINT !== dynamoEndpoint) {
      throw new Error(
        `the configuration was loaded before startLocalSystem set the environment ` +
          `(table ${config.TABLE_NAME}, wanted ${tableName}): start the local system before importing ` +
          'function modules, or pass the tableName and dynamoEndpoint already in the environment',
      );
    }
    const gateway = await import('#shared/gateways/sms');
    const alerts = await import('#shared/gateways/alerts');
    return await serve({
      opts,
      log,
      dir,
      tableName,
      region,
      tickSeconds,
      webhookSecret: secrets.webhookSecret,
      replySecret: replySecretsFromEnv ? '(per source, from REPLY_SECRETS)' : secrets.replySecret,
      jwtSecret: secrets.jwtSecret,
      dynamo,
      dynamoEndpoint,
      dataLocation,
      listOutbox: gateway.listOutbox,
      listAlerts: alerts.listAlerts,
    });
  } catch (err) {
    await dynamo?.stop();
    throw err;
  }
}

interface ServeInput {
  opts: LocalSystemOptions;
  log: (line: string) => void;
  dir: string;
  tableName: string;
  region: string;
  tickSeconds: number;
  webhookSecret: string;
  replySecret: string;
  jwtSecret: string;
  dynamo: LocalDynamo | undefined;
  dynamoEndpoint: string;
  dataLocation: string;
  listOutbox: (phone?: string) => Promise<unknown[]>;
  /** Supervisors' alerts published locally, oldest first (phones masked). */
  listAlerts: () => Promise<unknown[]>;
}

async function serve(input: ServeInput): Promise<LocalSystem> {
  const { opts, log, region } = input;
  const handlerCache = new Map<FunctionName, Promise<LambdaHandler>>();

  function loadHandler(fn: FunctionName): Promise<LambdaHandler> {
    const override = opts.handlers?.[fn];
    if (override) return Promise.resolve(override);
    let p = handlerCache.get(fn);
    if (!p) {
      const file = join(repoRoot, 'functions', fn, 'handler.ts');
      p = import(pathToFileURL(file).href).then((m: { handler?: unknown }) => {
        if (typeof m.handler !== 'function') throw new Error(`functions/${fn}/handler.ts exports no handler`);
        return m.handler as LambdaHandler;
      });
      // A module that is not there yet may land later: try again on the next call.
      p.catch(() => handlerCache.delete(fn));
      handlerCache.set(fn, p);
    }
    return p;
  }

  async function invoke(fn: FunctionName, event: unknown): Promise<unknown> {
    const handler = await loadHandler(fn);
    // Timeout and memory as the CDK stack gives them (infra/functions.ts); Lambda ends a run
    // that outlives its timeout with an error, and so does the local system.
    const spec: FunctionSpec | undefined = functionSpecs[fn];
    const timeoutMs = (spec?.timeoutSeconds ?? 10) * 1000;
    const context = buildLambdaContext(fn, region, timeoutMs, spec?.memorySize ?? 512);
    const result = await withTimeout(handler(event, context), timeoutMs);
    if (result === TIMED_OUT)
      throw new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
    return result;
  }

  // Load what is there now so that configuration errors show at start; missing ones load lazily.
  for (const fn of functionNames) {
    try {
      await loadHandler(fn);
    } catch (err) {
      log(`warning: functions/${fn}/handler.ts not loaded (${firstLine(err)}); will retry on first use`);
    }
  }

  // The schedule: one tick at a time, whether from the timer or POST /local/tick.
  const ruleArn = arn('events', region, 'rule/feedback-local-scheduler');
  let tickChain: Promise<unknown> = Promise.resolve();
  function tick(): Promise<unknown> {
    const run = tickChain.then(() => invoke('scheduler', buildScheduledEvent(ruleArn, now())));
    tickChain = run.catch(() => undefined);
    return run;
  }
  let timerTickBusy = false;
  const timer =
    input.tickSeconds > 0
      ? setInterval(() => {
          if (timerTickBusy) return;
          timerTickBusy = true;
          const started = Date.now();
          tick()
            .then(
              () => log(`tick ${now().toISOString()} done in ${Date.now() - started}ms`),
              (err: unknown) => log(`tick failed: ${errorLine(err)}`),
            )
            .finally(() => {
              timerTickBusy = false;
            });
        }, input.tickSeconds * 1000)
      : undefined;
  timer?.unref();

  const topicArn = arn('sns', region, 'InboundSms');

  async function local(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    if (path === '/local/sms/outbox' && method === 'GET') {
      const phone = query.get('phone');
      const entries = await input.listOutbox(phone ? normalizePhone(phone) : undefined);
      return sendJson(res, 200, entries);
    }
    if (path === '/local/alerts' && method === 'GET') {
      return sendJson(res, 200, await input.listAlerts());
    }
    if (path === '/local/sms/inbound' && method === 'POST') {
      const payload = validateInboundSms(jsonObject(body));
      const event = buildSnsEvent(JSON.stringify(payload), topicArn, now());
      try {
        await invoke('sms-inbound', event);
      } catch (err) {
        log(`sms-inbound failed: ${errorLine(err)}`);
        return sendJson(res, 500, { ok: false, message: firstLine(err) });
      }
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/local/work-order-replies' && method === 'GET') {
      const status = query.get('status') ?? undefined;
      const replies = await import('#shared/app/work-order-replies/list');
      const { replyStatuses } = await import('#shared/store/work-order-reply');
      if (status !== undefined && !(replyStatuses as readonly string[]).includes(status)) {
        throw new HttpProblem(400, `status must be one of ${replyStatuses.join(', ')}`, { field: 'status' });
      }
      return sendJson(res, 200, await replies.listWorkOrderReplies(status as (typeof replyStatuses)[number]));
    }
    if (path === '/local/clock' && method === 'GET') {
      return sendJson(res, 200, { now: now().toISOString(), pinned: isClockPinned() });
    }
    if (path === '/local/clock' && method === 'POST') {
      const b = jsonObject(body);
      if (!('now' in b))
        throw new HttpProblem(400, 'now is required (ISO-8601 time, or null)', { field: 'now' });
      if (b.now === null) {
        pinClock(undefined);
      } else {
        const at =
          typeof b.now === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(b.now) ? new Date(b.now) : undefined;
        if (!at || Number.isNaN(at.getTime())) {
          throw new HttpProblem(400, 'now must be an ISO-8601 time like 2026-11-03T09:30:00+08:00, or null', {
            field: 'now',
          });
        }
        pinClock(at);
      }
      log(`clock ${isClockPinned() ? `pinned at ${now().toISOString()}` : 'back to real time'}`);
      return sendJson(res, 200, { now: now().toISOString(), pinned: isClockPinned() });
    }
    if (path === '/local/tick' && method === 'POST') {
      try {
        const result = await tick();
        return sendJson(res, 200, result ?? null);
      } catch (err) {
        log(`tick failed: ${errorLine(err)}`);
        return sendJson(res, 500, { message: firstLine(err) });
      }
    }
    if ((path === '/local' || path === '/local/') && method === 'GET') {
      return sendJson(res, 200, {
        endpoints: [
          'GET /local/sms/outbox?phone=',
          'POST /local/sms/inbound',
          'GET /local/alerts',
          'GET /local/work-order-replies?status=pending|queued|delivered|dead',
          'GET /local/clock',
          'POST /local/clock',
          'POST /local/tick',
        ],
        routes: routes.map((r) => `${r.method} ${r.path}${r.auth ? ' (bearer token)' : ''}`),
      });
    }
    return sendJson(res, 404, { message: 'Not Found' });
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
    const match = matchRoute(routes, req.method ?? 'GET', path);
    if (!match) return sendJson(res, 404, { message: 'Not Found' });
    let event = buildHttpEvent(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${req.httpVersion}`,
      },
      { routeKey: match.routeKey, pathParameters: match.pathParameters },
      now(),
    );
    if (match.route.auth) {
      // API Gateway's JWT authorizer: the token alone or prefixed with `Bearer`.
      const token = (event.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
      let claims: Record<string, string>;
      try {
        if (!token) throw new Error('no token');
        claims = authorizerClaims(await verifyToken(token, input.jwtSecret));
      } catch {
        return sendJson(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      }
      event = withJwtClaims(event, claims);
    }
    let result: unknown;
    try {
      result = await withTimeout(invoke(match.route.fn, event), GATEWAY_TIMEOUT_MS);
    } catch (err) {
      log(`${match.route.fn} failed: ${errorLine(err)}`);
      return sendJson(res, 500, { message: 'Internal Server Error' });
    }
    if (result === TIMED_OUT) {
      log(`${match.route.fn} did not answer within ${GATEWAY_TIMEOUT_MS / 1000}s`);
      return sendJson(res, 503, { message: 'Service Unavailable' });
    }
    const out = httpResponseFromResult(result);
    send(res, out.statusCode, out.body, out.headers);
  }

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('finish', () => {
      // Method, path and status only: no query strings, bodies or phone numbers.
      log(`${req.method} ${path} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    (async () => {
      const body = await readBody(req);
      if (body === 'too-large') {
        return sendJson(res, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
      }
      if (path === '/local' || path.startsWith('/local/')) return await local(req, res, path, body);
      return await api(req, res, path, body);
    })().catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpProblem)
        return sendJson(res, err.status, { message: err.message, ...err.extra });
      log(`local server error: ${errorLine(err)}`);
      sendJson(res, 500, { message: firstLine(err) });
    });
  });

  // Keep-alive: an idle connection must be closed by the client, never by the server while a
  // request is already on its way. Node's default (5 s, advertised as `Keep-Alive: timeout=5`)
  // leaves fetch (undici, which drops idle sockets 2 s before the advertised time) a 2 s margin
  // that a busy machine's event-loop lag eats: the client reuses a socket the server is closing
  // (`fetch failed` / `other side closed`). 65 s moves that edge past any pause between requests;
  // headersTimeout must outlast it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const port = opts.port ?? 3000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${addr.port}`;
  const adminToken = await mintToken({ role: 'admin', secret: input.jwtSecret });

  let stopping: Promise<void> | undefined;
  return {
    url,
    webhookSecret: input.webhookSecret,
    replySecret: input.replySecret,
    adminToken,
    dynamoEndpoint: input.dynamoEndpoint,
    tableName: input.tableName,
    dataLocation: input.dataLocation,
    dataDir: input.dir,
    tickSeconds: input.tickSeconds,
    tick,
    stop: () => {
      stopping ??= (async () => {
        if (timer) clearInterval(timer);
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeIdleConnections();
        });
        await tickChain;
        await input.dynamo?.stop();
      })();
      return stopping;
    },
  };
}

/** The host part of a URL to `host`: a wildcard address becomes loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

const wholeNumber = (max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `expected ${what}`)
    .transform(Number)
    .pipe(z.number().max(max, `expected ${what}`));

/** `npm start`'s own options (the variables the functions read are checked by shared/config/config.ts). */
const localEnvSchema = z.object({
  PORT: wholeNumber(65535, 'a port 0-65535 (0: any free port)').optional(),
  DYNAMODB_PORT: wholeNumber(65535, 'a port 0-65535 (0: any free port)').optional(),
  // setInterval's limit is 2^31-1 ms; a day is plenty.
  TICK_SECONDS: wholeNumber(86_400, 'whole seconds 0-86400 (0: timer off)').optional(),
  HOST: z
    .string()
    .refine(
      (h) =>
        isIP(h) !== 0 ||
        /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
          h,
        ),
      'expected an IP address or a host name to listen on',
    )
    .optional(),
  TABLE_NAME: tableNameSchema.optional(),
  DYNAMODB_ENDPOINT: httpUrl.optional(),
  AWS_REGION: awsRegion.optional(),
});

/**
 * The options of `npm start` from its arguments and environment, each checked under its own name
 * (`PORT=99999` -> `Invalid configuration: PORT: ...`). Throws before anything is started.
 */
export function localOptionsFromEnv(env: NodeJS.ProcessEnv, args: string[]): LocalSystemOptions {
  const { values } = parseArgs({
    args,
    options: { 'in-memory': { type: 'boolean', default: false } },
    strict: true,
  });
  const trimmed = Object.fromEntries(Object.entries(blankAsUnset(env)).map(([k, v]) => [k, v.trim()]));
  const parsed = localEnvSchema.safeParse(trimmed);
  if (!parsed.success) throw new ConfigError(issueLines(parsed.error.issues));
  const e = parsed.data;
  return {
    inMemory: values['in-memory'] === true,
    dataDir: defaultDataDir(env),
    tableName: e.TABLE_NAME ?? 'feedback-local',
    ...(e.DYNAMODB_ENDPOINT !== undefined ? { dynamoEndpoint: e.DYNAMODB_ENDPOINT } : {}),
    ...(e.HOST !== undefined ? { host: e.HOST } : {}),
    ...(e.PORT !== undefined ? { port: e.PORT } : {}),
    ...(e.DYNAMODB_PORT !== undefined ? { dynamoPort: e.DYNAMODB_PORT } : {}),
    ...(e.TICK_SECONDS !== undefined ? { tickSeconds: e.TICK_SECONDS } : {}),
  };
}

async function main(): Promise<void> {
  const options = localOptionsFromEnv(process.env, process.argv.slice(2));
  const sys = await startLocalSystem(options);
  const lines = [
    '',
    'telecom-feedback local system is running',
    `  API             ${sys.url}`,
    `  Webhook secret  ${sys.webhookSecret}`,
    `  Reply secret    ${sys.replySecret} (signs the replies to the work order)`,
    `  Admin token     ${sys.adminToken}`,
    '                  (others: npm run --silent token -- --role manager --teams T1)',
    `  Data            ${sys.dataLocation}`,
    `  DynamoDB        ${sys.dynamoEndpoint} (table ${sys.tableName})`,
    `  SMS outbox      curl '${sys.url}/local/sms/outbox?phone=13800138000'`,
    `  Scheduler       ${sys.tickSeconds > 0 ? `every ${sys.tickSeconds}s` : 'timer off'}; run it now: curl -X POST ${sys.url}/local/tick`,
    '',
  ];
  console.log(lines.join('\n'));

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`${signal}: stopping`);
    sys.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(errorLine(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
