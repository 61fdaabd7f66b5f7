import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Tencent Cloud SMS's API 3.0 (sms, version 2021-01-11) on 127.0.0.1, for
 * the official SDK pointed at it (TENCENT_SMS_ENDPOINT=http://127.0.0.1:PORT). Every request is
 * checked as the service does: the X-TC-Action and X-TC-Version headers, the TC3-HMAC-SHA256
 * signature (canonical request of method, path, query, the signed headers content-type and host,
 * and the payload's SHA-256; string to sign over X-TC-Timestamp and the credential scope
 * date/service/tc3_request; key derived from "TC3" + SecretKey) with the known test keys, then
 * the action's parameters. Answers are the documented `{ Response: { ..., RequestId } }`, with
 * `Response.Error { Code, Message }` for a request-level error.
 *
 * The `host` header is signed as the host name without the port (the API's hosts have none; the
 * SDK signs its URL's host name) and the credential scope's service is the host's first label
 * (`sms` for sms.tencentcloudapi.com; the SDK derives it the same way from its endpoint).
 *
 * Routing is by action name (`actions` below): other actions (e.g. PullSmsSendStatus) are added
 * as entries of that table.
 */

export const TENCENT_TEST_KEYS = {
  secretId: 'AKIDStandInTestSecretId',
  secretKey: 'stand-in-test-secret-key',
};
export const TENCENT_TEST_APP_ID = '1400006666';
const VERSION = '2021-01-11';

export interface TencentRequest {
  action: string;
  params: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** The answer: `Ok`, a per-number Code, or the request's Error.Code. */
  code: string;
  /** The answer's Response (SendStatusSet with each number's SerialNo), without RequestId. */
  answer: Record<string, unknown>;
}

export interface TencentSmsStandIn {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** `http://127.0.0.1:PORT`, for TENCENT_SMS_ENDPOINT. */
  endpoint: string;
  requests: TencentRequest[];
  /**
   * The next request of `action` (SendSms by default) fails with this documented Code: in the
   * number's SendStatusSet entry (`status`, as the API reports a number it refuses or limits), or
   * as the request's Response.Error (`error`).
   */
  failNext(code: string, options?: { action?: string; as?: 'status' | 'error' }): void;
  close(): Promise<void>;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Why the request's TC3-HMAC-SHA256 signature is wrong, or undefined when it verifies. */
function signatureProblem(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: Buffer,
): string | undefined {
  const auth = String(headers.authorization ?? '');
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'Authorization is not TC3-HMAC-SHA256';
  const [, secretId, date, service, signed, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (secretId !== TENCENT_TEST_KEYS.secretId) return 'unknown SecretId';
  const timestamp = Number(headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) {
    return 'X-TC-Timestamp is more than five minutes off';
  }
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return 'credential date is not the timestamp date';
  const hostname = String(headers.host ?? '').replace(/:\d+$/, '');
  if (service !== hostname.split('.')[0]) return 'credential service is not the host';
  const signedHeaders = signed.split(';');
  if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) {
    return 'content-type and host must be signed';
  }
  const canonicalHeaders = signedHeaders
    .map((h) => `${h}:${(h === 'host' ? hostname : String(headers[h] ?? '')).trim().toLowerCase()}\n`)
    .join('');
  const canonicalRequest = [
    method,
    url.pathname,
    url.search.slice(1),
    canonicalHeaders,
    signed,
    sha256Hex(body),
  ].join('\n');
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(timestamp),
    `${date}/${service}/tc3_request`,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const key = hmac(hmac(hmac(`TC3${TENCENT_TEST_KEYS.secretKey}`, date), service), 'tc3_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    ? undefined
    : 'signature does not match';
}

type Answer =
  | { error: { Code: string; Message: string } }
  | { response: Record<string, unknown>; code: string };

const invalid = (Code: string, Message: string): Answer => ({ error: { Code, Message } });

/** SendSms: the documented parameters, then one SendStatus per number. */
function sendSms(p: Record<string, unknown>, failWith: string | undefined): Answer {
  const phones = p.PhoneNumberSet;
  if (!Array.isArray(phones) || phones.length === 0) return invalid('MissingParameter', 'PhoneNumberSet');
  if (p.SmsSdkAppId !== TENCENT_TEST_APP_ID) {
    return invalid('InvalidParameterValue.SdkAppIdNotExist', 'SdkAppId not exist');
  }
  if (typeof p.TemplateId !== 'string' || !/^\d+$/.test(p.TemplateId)) {
    return invalid('InvalidParameterValue.TemplateParameterFormatError', 'TemplateId');
  }
  if (typeof p.SignName !== 'string' || p.SignName === '') {
    return invalid('FailedOperation.SignatureIncorrectOrUnapproved', 'SignName');
  }
  const params = p.TemplateParamSet ?? [];
  if (!Array.isArray(params) || !params.every((v) => typeof v === 'string')) {
    return invalid('InvalidParameterValue.TemplateParameterFormatError', 'TemplateParamSet');
  }
  const set = phones.map((phone: unknown) => {
    const valid = typeof phone === 'string' && /^\+861\d{10}$/.test(phone);
    const code = !valid ? 'InvalidParameterValue.IncorrectPhoneNumber' : (failWith ?? 'Ok');
    return {
      SerialNo: code === 'Ok' ? `2645:${Date.now()}${Math.floor(Math.random() * 1e9)}` : '',
      PhoneNumber: String(phone),
      Fee: code === 'Ok' ? 1 : 0,
      SessionContext: typeof p.SessionContext === 'string' ? p.SessionContext : '',
      Code: code,
      Message: code === 'Ok' ? 'send success' : `stand-in: ${code}`,
      IsoCode: 'CN',
    };
  });
  return { response: { SendStatusSet: set }, code: set[0]?.Code ?? 'Ok' };
}

/** The actions this stand-in answers, by name. */
const actions: Record<string, (params: Record<string, unknown>, failWith: string | undefined) => Answer> = {
  SendSms: sendSms,
};

export async function start(): Promise<TencentSmsStandIn> {
  const requests: TencentRequest[] = [];
  const failures: Array<{ action: string; code: string; as: 'status' | 'error' }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const action = String(req.headers['x-tc-action'] ?? '');
      let params: Record<string, unknown> = {};
      const answer = ((): Answer => {
        const problem = signatureProblem(req.method ?? 'GET', url, req.headers, body);
        if (problem) return invalid('AuthFailure.SignatureFailure', problem);
        if (req.headers['x-tc-version'] !== VERSION) return invalid('NoSuchVersion', 'version');
        try {
          params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          return invalid('FailedOperation.JsonParseFail', 'body is not JSON');
        }
        const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
        if (!handler) return invalid('InvalidAction', `${action} not found`);
        const i = failures.findIndex((f) => f.action === action);
        const failure = i >= 0 ? failures.splice(i, 1)[0] : undefined;
        if (failure?.as === 'error') return invalid(failure.code, `stand-in: ${failure.code}`);
        return handler(params, failure?.code);
      })();
      const RequestId = randomUUID();
      requests.push({
        action,
        params,
        headers: req.headers,
        code: 'error' in answer ? answer.error.Code : answer.code,
        answer: 'error' in answer ? { Error: answer.error } : answer.response,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          Response:
            'error' in answer ? { Error: answer.error, RequestId } : { ...answer.response, RequestId },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failNext(code, options = {}) {
      failures.push({ action: options.action ?? 'SendSms', code, as: options.as ?? 'status' });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
