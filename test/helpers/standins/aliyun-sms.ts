import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Aliyun SMS's OpenAPI (dysmsapi, version 2017-05-25) on 127.0.0.1, for the
 * official SDK pointed at it (ALIYUN_SMS_ENDPOINT=http://127.0.0.1:PORT). Every request is
 * checked as the service does: the action (x-acs-action) and version (x-acs-version) headers, the
 * ACS3-HMAC-SHA256 signature (Authorization: canonical request of method, path, sorted
 * RFC 3986-encoded query, the signed headers host/content-type/x-acs-*, and the payload hash
 * x-acs-content-sha256) with the known test keys, then the action's parameters. Answers are the
 * documented JSON: `{ Code: "OK", Message, BizId, RequestId }`, or the error's Code.
 *
 * Routing is by action name (`actions` below): other actions (e.g. QuerySendDetails) are added
 * as entries of that table.
 */

export const ALIYUN_TEST_KEYS = {
  accessKeyId: 'LTAI5tStandInTestKey',
  accessKeySecret: 'stand-in-test-secret',
};
const VERSION = '2017-05-25';

export interface AliyunRequest {
  action: string;
  /** The RPC parameters (the query string; form fields of the body too). */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The answer's Code (OK or the error). */
  code: string;
  /** The answer's body (BizId of an accepted SendSms). */
  answer: Record<string, unknown>;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface AliyunSmsStandIn {
  /** `127.0.0.1:PORT`, for ALIYUN_SMS_ENDPOINT (with http://). */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  requests: AliyunRequest[];
  /** The next request of `action` (SendSms by default) fails with this documented Code (HTTP 200 as the API answers business errors). */
  failNext(code: string, options?: { action?: string; status?: number }): void;
  close(): Promise<void>;
}

/** RFC 3986 encoding as ACS3 canonicalisation wants it. */
function acsEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Why the request's ACS3-HMAC-SHA256 signature is wrong, or undefined when it verifies with `keys`
 * (also used by the Dybaseapi stand-in, aliyun-dybaseapi.ts).
 */
export function signatureProblem(
  method: string,
  path: string,
  rawQuery: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  keys: { accessKeyId: string; accessKeySecret: string } = ALIYUN_TEST_KEYS,
): string | undefined {
  const auth = String(headers.authorization ?? '');
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'Authorization is not ACS3-HMAC-SHA256';
  const [, keyId, signed, signature] = m as unknown as [string, string, string, string];
  if (keyId !== keys.accessKeyId) return 'unknown AccessKeyId';
  const payloadHash = sha256Hex(body);
  if (headers['x-acs-content-sha256'] !== payloadHash)
    return 'x-acs-content-sha256 is not the hash of the body';
  const signedHeaders = signed.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.some((h) => h.startsWith('x-acs-'))) {
    return 'host and the x-acs-* headers must be signed';
  }
  const query = new URLSearchParams(rawQuery);
  const canonicalQuery = [...query.keys()]
    .filter((k, i, all) => all.indexOf(k) === i)
    .sort()
    .map((k) => `${acsEncode(k)}=${acsEncode(query.get(k) ?? '')}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${String(headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = [method, path, canonicalQuery, canonicalHeaders, signed, payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const expected = createHmac('sha256', keys.accessKeySecret).update(stringToSign).digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    ? undefined
    : 'signature does not match';
}

const requestId = () => randomUUID().toUpperCase();

/** SendSms: the documented parameters, then OK with a BizId. */
function sendSms(params: Record<string, string>): Answer {
  const missing = ['PhoneNumbers', 'SignName', 'TemplateCode'].find((p) => !params[p]);
  if (missing)
    return { status: 400, body: { Code: `Missing${missing}`, Message: `${missing} is mandatory` } };
  if (!(params.PhoneNumbers ?? '').split(',').every((n) => /^1\d{10}$/.test(n))) {
    return { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' } };
  }
  if (params.TemplateParam !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(params.TemplateParam);
    } catch {
      json = undefined;
    }
    const ok =
      typeof json === 'object' && json !== null && Object.values(json).every((v) => typeof v === 'string');
    if (!ok)
      return {
        status: 200,
        body: { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法，只接受字符串值' },
      };
  }
  return {
    status: 200,
    body: { Code: 'OK', Message: 'OK', BizId: `${Date.now()}${Math.floor(Math.random() * 1e6)}^0` },
  };
}

/** The actions this stand-in answers, by name. */
const actions: Record<string, (params: Record<string, string>) => Answer> = {
  SendSms: sendSms,
};

export async function start(): Promise<AliyunSmsStandIn> {
  const requests: AliyunRequest[] = [];
  const failures: Array<{ action: string; code: string; status: number }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const rawQuery = (req.url ?? '').includes('?')
        ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1)
        : '';
      const action = String(req.headers['x-acs-action'] ?? '');
      const params: Record<string, string> = Object.fromEntries(url.searchParams);
      if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      }
      const answer = ((): Answer => {
        const problem = signatureProblem(req.method ?? 'GET', url.pathname, rawQuery, req.headers, body);
        if (problem) return { status: 400, body: { Code: 'SignatureDoesNotMatch', Message: problem } };
        if (req.headers['x-acs-version'] !== VERSION) {
          return {
            status: 400,
            body: { Code: 'InvalidVersion', Message: `Specified parameter Version is not valid.` },
          };
        }
        const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
        if (!handler)
          return { status: 404, body: { Code: 'InvalidAction.NotFound', Message: `${action} not found` } };
        const i = failures.findIndex((f) => f.action === action);
        if (i >= 0) {
          const [f] = failures.splice(i, 1);
          if (f) return { status: f.status, body: { Code: f.code, Message: `stand-in: ${f.code}` } };
        }
        return handler(params);
      })();
      requests.push({
        action,
        params,
        headers: req.headers,
        code: String(answer.body.Code),
        answer: answer.body,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify({ RequestId: requestId(), ...answer.body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failNext(code, options = {}) {
      failures.push({ action: options.action ?? 'SendSms', code, status: options.status ?? 200 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
