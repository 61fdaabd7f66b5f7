import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureProblem } from './aliyun-sms.ts';

/**
 * A local stand-in of Aliyun Dybaseapi (version 2017-05-25) on 127.0.0.1: `QueryTokenForMnsQueue`,
 * which lends temporary credentials for the SMS queues Aliyun hosts in its own account, called by
 * the official `@alicloud/openapi-core` client pointed at it (ALIYUN_DYBASEAPI_ENDPOINT=http://...).
 * Each request is checked as the service does: the ACS3-HMAC-SHA256 signature with the sender's
 * keys, the action (x-acs-action) and version (x-acs-version) headers, then the parameters
 * `MessageType` (SmsUp, SmsReport, ...) and `QueueName` (`Alicom-Queue-<account>-<MessageType>`).
 * The answer is the documented JSON `{ RequestId, Code: "OK", Message, MessageTokenDTO: {
 * AccessKeyId, AccessKeySecret, SecurityToken, CreateTime, ExpireTime } }`, times in Beijing time
 * (`yyyy-MM-dd HH:mm:ss`). The tokens it issued are what the MNS stand-in accepts
 * (`temporary` of startMnsStandin).
 */
export interface IssuedToken {
  accessKeyId: string;
  secret: string;
  securityToken: string;
  messageType: string;
  queue: string;
  /** Epoch ms (whole seconds, as ExpireTime says). */
  expiresAt: number;
}

export interface DybaseapiRequest {
  action: string;
  params: Record<string, string>;
  /** The answer's Code (OK or the error). */
  code: string;
}

export interface DybaseapiStandIn {
  /** `http://127.0.0.1:PORT`, for ALIYUN_DYBASEAPI_ENDPOINT. */
  endpoint: string;
  requests: DybaseapiRequest[];
  /** Every token issued so far, by its temporary AccessKeyId. */
  issued: Map<string, IssuedToken>;
  /** The tokens issued from now on live this long (default one hour). */
  lifetimeMs: number;
  /** Every token issued so far expires now (the service's clock ahead of ours). */
  expireAll(): void;
  /** The next QueryTokenForMnsQueue fails with this Code and HTTP status (default 500). */
  failNext(code: string, status?: number): void;
  /** The clock the tokens' times are read against. */
  now(): number;
  close(): Promise<void>;
}

const VERSION = '2017-05-25';
const MESSAGE_TYPES = new Set(['SmsUp', 'SmsReport', 'VoiceReport', 'SmsSubscribe', 'SignSmsReport']);

/** Epoch ms as Beijing wall-clock time `yyyy-MM-dd HH:mm:ss`. */
export function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export async function startDybaseapiStandin(opts: {
  /** The sender's keys: the only ones that may ask for a token. */
  accessKeyId: string;
  accessKeySecret: string;
  now?: () => number;
}): Promise<DybaseapiStandIn> {
  const now = opts.now ?? Date.now;
  const requests: DybaseapiRequest[] = [];
  const issued = new Map<string, IssuedToken>();
  const failures: Array<{ code: string; status: number }> = [];
  const state = { lifetimeMs: 3_600_000 };

  const answer = (
    method: string,
    url: URL,
    rawQuery: string,
    headers: Parameters<typeof signatureProblem>[3],
    body: Buffer,
    params: Record<string, string>,
  ): { status: number; body: Record<string, unknown> } => {
    const problem = signatureProblem(method, url.pathname, rawQuery, headers, body, opts);
    if (problem) return { status: 400, body: { Code: 'SignatureDoesNotMatch', Message: problem } };
    if (headers['x-acs-version'] !== VERSION) {
      return {
        status: 400,
        body: { Code: 'InvalidVersion', Message: 'Specified parameter Version is not valid.' },
      };
    }
    const action = String(headers['x-acs-action'] ?? '');
    if (action !== 'QueryTokenForMnsQueue') {
      return { status: 404, body: { Code: 'InvalidAction.NotFound', Message: `${action} not found` } };
    }
    const failure = failures.shift();
    if (failure)
      return { status: failure.status, body: { Code: failure.code, Message: `stand-in: ${failure.code}` } };
    const type = params.MessageType;
    if (!type)
      return { status: 400, body: { Code: 'MissingMessageType', Message: 'MessageType is mandatory' } };
    if (!MESSAGE_TYPES.has(type)) {
      return { status: 400, body: { Code: 'InvalidParameter', Message: `MessageType ${type} is not valid` } };
    }
    const queue = params.QueueName ?? '';
    if (!new RegExp(`^Alicom-Queue-\\d+-${type}$`).test(queue)) {
      return { status: 400, body: { Code: 'InvalidParameter', Message: `QueueName is not a ${type} queue` } };
    }
    const created = Math.floor(now() / 1000) * 1000;
    const token: IssuedToken = {
      accessKeyId: `STS.${randomBytes(10).toString('hex')}`,
      secret: randomBytes(16).toString('base64'),
      securityToken: randomBytes(48).toString('base64'),
      messageType: type,
      queue,
      expiresAt: created + state.lifetimeMs,
    };
    issued.set(token.accessKeyId, token);
    return {
      status: 200,
      body: {
        Code: 'OK',
        Message: 'OK',
        MessageTokenDTO: {
          AccessKeyId: token.accessKeyId,
          AccessKeySecret: token.secret,
          SecurityToken: token.securityToken,
          CreateTime: beijingTime(created),
          ExpireTime: beijingTime(token.expiresAt),
        },
      },
    };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const raw = req.url ?? '/';
      const url = new URL(raw, 'http://stand-in');
      const rawQuery = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
      const params: Record<string, string> = Object.fromEntries(url.searchParams);
      if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      }
      const a = answer(req.method ?? 'GET', url, rawQuery, req.headers, body, params);
      requests.push({ action: String(req.headers['x-acs-action'] ?? ''), params, code: String(a.body.Code) });
      res.writeHead(a.status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify({ RequestId: randomUUID().toUpperCase(), ...a.body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    issued,
    get lifetimeMs() {
      return state.lifetimeMs;
    },
    set lifetimeMs(v: number) {
      state.lifetimeMs = v;
    },
    expireAll() {
      for (const t of issued.values()) t.expiresAt = Math.min(t.expiresAt, now());
    },
    failNext(code, status = 500) {
      failures.push({ code, status });
    },
    now,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
