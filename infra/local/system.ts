import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { makeHandler as makeScheduler } from '#functions/scheduler/handler';
import { buildDeps, type Deps } from '#shared/app/deps';
import { inProcessWorkers } from '#shared/app/scheduler/in-process-workers';
import { type PinnableClock, pinnableClock } from '#shared/runtime/clock';
import { backfillLists } from '../ops/backfill-lists.ts';
import { apiGateway } from './api-gateway.ts';
import { startDatabase } from './dynamo.ts';
import { localConfig } from './environment.ts';
import { errorLine, firstLine, HttpProblem, readBody, sendJson } from './http-io.ts';
import { type LambdaHandler, startLambdaRuntime } from './lambda-runtime.ts';
import { localEndpoints } from './local-endpoints.ts';
import { localSignin } from './local-signin.ts';
import { type LocalSystemOptions, urlHost } from './options.ts';
import { startScheduler } from './scheduler.ts';
import { dataDir as defaultDataDir, loadLocalSecrets } from './secrets.ts';
import { mintToken } from './token.ts';

/**
 * The whole system on one machine: DynamoDB Local, the HTTP API of shared/http/routes.ts served on
 * node:http (events built as API Gateway builds them, JWT authorizer included), the two-way SMS
 * topic, the schedule, and a few local-only endpoints under /local (outbox, inbound SMS, clock,
 * tick, and the development sign-in of the pages: local-signin.ts). `npm start` runs it (infra/local/server.ts); tests start it in-process.
 */
export interface LocalSystem {
  url: string;
  webhookSecret: string;
  /** Our signing secret of the replies to the work order, or a note that REPLY_SECRETS sets them. */
  replySecret: string;
  /** The path token of the SMS providers' callback URLs (/v1/sms/{provider}/{token}/...). */
  smsCallbackToken: string;
  adminToken: string;
  dynamoEndpoint: string;
  tableName: string;
  /** The DynamoDB data directory, or `in memory`, or `external (<endpoint>)`. */
  dataLocation: string;
  dataDir: string;
  tickSeconds: number;
  /** What the functions run on (in-process callers may run use cases on the same). */
  deps: Deps;
  /** The domain clock (POST /local/clock pins it). */
  clock: PinnableClock;
  /** Runs the scheduler once (serialized with the timer); resolves to its result. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startLocalSystem(opts: LocalSystemOptions = {}): Promise<LocalSystem> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dir = resolve(opts.dataDir ?? defaultDataDir());
  const tableName = opts.tableName ?? 'feedback-local';
  const env = opts.env ?? process.env;
  const region = opts.region ?? env.AWS_REGION ?? 'cn-north-1';
  const tickSeconds = opts.tickSeconds ?? 60;
  const port = opts.port ?? 3000;
  const host = opts.host ?? '127.0.0.1';
  const secrets = loadLocalSecrets(env, dir);

  // 1. DynamoDB and the table.
  const db = await startDatabase({
    dir,
    tableName,
    region,
    ...(opts.inMemory ? { inMemory: true } : {}),
    ...(opts.dynamoEndpoint ? { dynamoEndpoint: opts.dynamoEndpoint } : {}),
    ...(opts.dynamoPort ? { dynamoPort: opts.dynamoPort } : {}),
  });
  try {
    // 2. The functions' configuration (checked) and dependencies, with a clock that can be pinned.
    const { config, replySecretsFromEnv } = localConfig({
      env,
      tableName,
      dynamoEndpoint: db.dynamoEndpoint,
      region,
      secrets,
      publicUrl: port !== 0 ? `http://${urlHost(host)}:${port}` : undefined,
    });
    const clock = pinnableClock();
    const deps = buildDeps(config, { clock });
    if (db.addedIndexes.length) {
      // a table an older version made: its cases and texts join the admins' lists (gsi4)
      const r = await backfillLists();
      log(`added ${db.addedIndexes.join(', ')}; ${r.cases} cases and ${r.texts} texts backfilled`);
    }

    // 3. The functions, the schedule and the two faces of the server.
    // The scheduler runs the due workers in this process (no due workers' queue locally).
    // Built here, not by the runtime, so a bad setting it reads stops the start, naming it.
    const ownScheduler: Partial<Record<'scheduler', LambdaHandler>> = opts.handlers?.scheduler
      ? {}
      : { scheduler: makeScheduler(deps, undefined, inProcessWorkers(deps)) as LambdaHandler };
    const runtime = await startLambdaRuntime({
      region,
      deps,
      log,
      handlers: { ...ownScheduler, ...opts.handlers },
    });
    const scheduler = startScheduler({ runtime, region, tickSeconds, clock, log });
    const local = localEndpoints({ runtime, scheduler, region, clock, log });
    const api = apiGateway({
      runtime,
      jwtSecret: secrets.jwtSecret,
      clock,
      log,
      // The SMS providers' pushes are handled right after the callback has answered (on AWS: the
      // table's stream triggers functions/sms-inbox); here a scheduler run takes the due inbox item.
      afterResponse: {
        'sms-callbacks': () => {
          scheduler.tick().catch((err: unknown) => log(`sms inbox run failed: ${errorLine(err)}`));
        },
      },
    });
    const signin = localSignin({ jwtSecret: secrets.jwtSecret, log });

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
        if (signin.handles(path)) return await signin.handle(req, res, path, body);
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

    try {
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolveListen();
        });
      });
    } catch (err) {
      await scheduler.stop();
      throw err;
    }
    const addr = server.address() as AddressInfo;
    let stopping: Promise<void> | undefined;
    return {
      url: `http://${urlHost(host)}:${addr.port}`,
      webhookSecret: secrets.webhookSecret,
      replySecret: replySecretsFromEnv ? '(per source, from REPLY_SECRETS)' : secrets.replySecret,
      smsCallbackToken: secrets.smsCallbackToken,
      adminToken: await mintToken({ role: 'admin', secret: secrets.jwtSecret }),
      dynamoEndpoint: db.dynamoEndpoint,
      tableName,
      dataLocation: db.dataLocation,
      dataDir: dir,
      tickSeconds,
      deps,
      clock,
      tick: scheduler.tick,
      stop: () => {
        stopping ??= (async () => {
          const ticksDone = scheduler.stop();
          await new Promise<void>((r) => {
            server.close(() => r());
            server.closeIdleConnections();
          });
          await ticksDone;
          await db.dynamo?.stop();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await db.dynamo?.stop();
    throw err;
  }
}
