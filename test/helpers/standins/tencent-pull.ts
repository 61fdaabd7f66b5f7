import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Tencent Cloud SMS's pull APIs (API 3.0, version 2021-01-11) on 127.0.0.1, for
 * the official `tencentcloud-sdk-nodejs-sms` client: `PullSmsReplyStatus` and `PullSmsSendStatus`
 * (`POST /` with a JSON body, the action in `X-TC-Action`, signed with TC3-HMAC-SHA256). Checks
 * the signature, the version, the action and the parameters (`Limit` 1-100, the `SmsSdkAppId`),
 * and answers as documented (`{"Response": {"PullSmsReplyStatusSet": [...], "RequestId": ...}}`, an
 * error as `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`). Like Tencent, it hands each
 * record out once: what one pull returned is gone from the next.
 */
export interface TencentReplyRecord {
  ExtendCode?: string;
  CountryCode: string;
  PhoneNumber: string;
  SignName?: string;
  ReplyContent: string;
  ReplyTime: number;
  SubscriberNumber: string;
}

export interface TencentStatusRecord {
  UserReceiveTime: number;
  CountryCode: string;
  SubscriberNumber: string;
  PhoneNumber: string;
  SerialNo: string;
  ReportStatus: 'SUCCESS' | 'FAIL';
  Description: string;
  SessionContext: string;
}

export interface TencentPullStandin {
  /** `127.0.0.1:port`; the SDK's httpProfile takes it with protocol `http://`. */
  host: string;
  /** `http://127.0.0.1:port`, as TENCENT_SMS_ENDPOINT takes it. */
  url: string;
  addReply(r: TencentReplyRecord): void;
  addStatus(r: TencentStatusRecord): void;
  /** Records not handed out yet. */
  pending(): { replies: number; statuses: number };
  /** Every request: the action and its parameters. */
  requests: Array<{ action: string; params: Record<string, unknown> }>;
  /** While set, every request answers InternalError. */
  failing: boolean;
  close(): Promise<void>;
}

const ACTIONS = ['PullSmsReplyStatus', 'PullSmsSendStatus'] as const;

export async function startTencentPullStandin(opts: {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
}): Promise<TencentPullStandin> {
  const replies: TencentReplyRecord[] = [];
  const statuses: TencentStatusRecord[] = [];
  const requests: TencentPullStandin['requests'] = [];
  const state = { failing: false };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const h = (name: string) => String(req.headers[name] ?? '');
    if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
      return fail(res, 'UnsupportedOperation', 'POST / only');
    }
    const problem = signatureProblem(req, body);
    if (problem) return fail(res, problem.code, problem.message);
    if (h('x-tc-version') !== '2021-01-11')
      return fail(res, 'InvalidParameter', 'X-TC-Version must be 2021-01-11');
    const action = h('x-tc-action');
    if (!(ACTIONS as readonly string[]).includes(action)) {
      return fail(res, 'InvalidAction', `The action ${action} is not supported here`);
    }
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return fail(res, 'InvalidParameter', 'the body is not JSON');
    }
    requests.push({ action, params });
    if (state.failing) return fail(res, 'InternalError', 'Internal error.');
    const unknown = Object.keys(params).filter((k) => k !== 'Limit' && k !== 'SmsSdkAppId');
    if (unknown.length > 0) return fail(res, 'UnknownParameter', `unknown parameter ${unknown.join(', ')}`);
    const limit = params.Limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
      return fail(res, 'InvalidParameterValue', 'Limit must be an integer of 1-100');
    }
    if (params.SmsSdkAppId !== opts.sdkAppId) {
      return fail(res, 'FailedOperation.InvalidSdkAppId', 'SmsSdkAppId is not this account’s');
    }
    if (action === 'PullSmsReplyStatus') {
      return ok(res, { PullSmsReplyStatusSet: replies.splice(0, limit) });
    }
    return ok(res, { PullSmsSendStatusSet: statuses.splice(0, limit) });
  }

  /** TC3-HMAC-SHA256 as the SDK computes it (content-type and host signed, service from the scope). */
  function signatureProblem(req: IncomingMessage, body: string) {
    const auth = String(req.headers.authorization ?? '');
    const m =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return { code: 'AuthFailure.SignatureFailure', message: 'Authorization is not TC3-HMAC-SHA256' };
    const [, id, date, service, signed, signature] = m as unknown as string[];
    if (id !== opts.secretId) return { code: 'AuthFailure.SecretIdNotFound', message: 'unknown SecretId' };
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isInteger(timestamp) || new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) {
      return {
        code: 'AuthFailure.SignatureFailure',
        message: 'X-TC-Timestamp does not match the scope date',
      };
    }
    if (signed !== 'content-type;host') {
      return { code: 'AuthFailure.SignatureFailure', message: 'expected SignedHeaders=content-type;host' };
    }
    const hostname = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const canonical = [
      'POST',
      '/',
      '',
      `content-type:${req.headers['content-type'] ?? ''}\nhost:${hostname}\n`,
      signed,
      sha256hex(body),
    ].join('\n');
    const scope = `${date}/${service}/tc3_request`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256hex(canonical)}`;
    const kDate = hmac(`TC3${opts.secretKey}`, date ?? '');
    const kService = hmac(kDate, service ?? '');
    const kSigning = hmac(kService, 'tc3_request');
    const expected = createHmac('sha256', kSigning).update(toSign).digest('hex');
    if (expected !== signature) {
      return {
        code: 'AuthFailure.SignatureFailure',
        message: 'The provided credentials could not be validated.',
      };
    }
    return undefined;
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    addReply: (r) => replies.push(r),
    addStatus: (r) => statuses.push(r),
    pending: () => ({ replies: replies.length, statuses: statuses.length }),
    requests,
    get failing() {
      return state.failing;
    },
    set failing(v: boolean) {
      state.failing = v;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function ok(res: ServerResponse, data: Record<string, unknown>) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ Response: { ...data, RequestId: randomUUID() } }));
}

function fail(res: ServerResponse, code: string, message: string) {
  // API 3.0 answers errors with HTTP 200 and Response.Error.
  ok(res, { Error: { Code: code, Message: message } });
}

function sha256hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
