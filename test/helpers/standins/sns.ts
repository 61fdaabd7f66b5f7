import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Amazon SNS's Query API (version 2010-03-31) on 127.0.0.1, for the official
 * `@aws-sdk/client-sns` pointed at it (SNS_ENDPOINT=http://127.0.0.1:PORT). Every request is
 * checked as the service does: `POST /` with a form body (`Action`, `Version`), signed with
 * AWS Signature Version 4 (Authorization `AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/sns/
 * aws4_request, SignedHeaders=..., Signature=...` over the canonical request of method, path,
 * query, the signed headers and the payload's SHA-256) with the known test keys. `Publish` takes
 * a `PhoneNumber` (E.164) or a `TopicArn` and a `Message`, with `MessageAttributes.entry.N.*`;
 * the answer is the documented XML `<PublishResponse><PublishResult><MessageId>`, an error the
 * documented `<ErrorResponse><Error><Type>Sender</Type><Code>...` with HTTP 400.
 */

export const SNS_TEST_KEYS = {
  accessKeyId: 'AKIASNSSTANDINTEST01',
  secretAccessKey: 'sns-stand-in-test-secret',
};
const VERSION = '2010-03-31';

export interface SnsPublish {
  /** The phone number, or undefined for a topic. */
  phoneNumber: string | undefined;
  topicArn: string | undefined;
  message: string;
  /** MessageAttributes by name: their string values. */
  attributes: Record<string, string>;
  messageId: string;
}

export interface SnsStandIn {
  /** `http://127.0.0.1:PORT`, for SNS_ENDPOINT. */
  endpoint: string;
  /** The region the requests must be signed for. */
  region: string;
  /** Every accepted Publish, in order. */
  published: SnsPublish[];
  /** Requests refused, with the reason (a wrong signature, action or parameter). */
  refused: string[];
  close(): Promise<void>;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4's canonical query wants it. */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Why the request's SigV4 signature is wrong, or undefined when it verifies. */
function signatureProblem(
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
  body: Buffer,
  region: string,
): string | undefined {
  const auth = String(headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'Authorization is not AWS4-HMAC-SHA256';
  const [, keyId, date, signedRegion, service, signed, signature] = m as unknown as string[] as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (keyId !== SNS_TEST_KEYS.accessKeyId) return 'unknown access key';
  if (service !== 'sns') return `signed for service ${service}, not sns`;
  if (signedRegion !== region) return `signed for region ${signedRegion}, not ${region}`;
  const amzDate = String(headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date)) return 'X-Amz-Date is not the credential date';
  const at = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!Number.isFinite(at) || Math.abs(Date.now() - at) > 5 * 60_000)
    return 'X-Amz-Date is more than five minutes off';
  const signedHeaders = signed.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return 'host and x-amz-date must be signed';
  }
  const canonicalHeaders = signedHeaders
    .map(
      (h) =>
        `${h}:${String(headers[h] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    method,
    url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signed,
    sha256Hex(body),
  ].join('\n');
  const scope = `${date}/${region}/sns/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${SNS_TEST_KEYS.secretAccessKey}`, date), region), 'sns'),
    'aws4_request',
  );
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    ? undefined
    : 'signature does not match';
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

function errorXml(code: string, message: string): string {
  return (
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/${VERSION}/"><Error><Type>Sender</Type>` +
    `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`, by name. */
function attributesOf(form: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    const name = form.get(`MessageAttributes.entry.${n}.Name`) ?? '';
    out[name] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
  }
  return out;
}

export async function startSnsStandIn(region = 'cn-north-1'): Promise<SnsStandIn> {
  const published: SnsPublish[] = [];
  const refused: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const answer = (status: number, xml: string, problem?: string) => {
        if (problem) refused.push(problem);
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(xml);
      };
      const problem = signatureProblem(req.method ?? 'GET', url, req.headers, body, region);
      if (problem) return answer(403, errorXml('SignatureDoesNotMatch', problem), problem);
      if (
        req.method !== 'POST' ||
        !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')
      ) {
        return answer(400, errorXml('InvalidRequest', 'expected a form POST'), 'not a form POST');
      }
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Version') !== VERSION)
        return answer(400, errorXml('InvalidParameterValue', 'Version'), 'Version');
      if (form.get('Action') !== 'Publish') {
        return answer(400, errorXml('InvalidAction', `${form.get('Action')} not supported`), 'Action');
      }
      const phoneNumber = form.get('PhoneNumber') ?? undefined;
      const topicArn = form.get('TopicArn') ?? undefined;
      const message = form.get('Message') ?? '';
      if (!message) return answer(400, errorXml('InvalidParameter', 'Message'), 'no Message');
      if ((phoneNumber === undefined) === (topicArn === undefined)) {
        return answer(
          400,
          errorXml('InvalidParameter', 'PhoneNumber or TopicArn'),
          'PhoneNumber or TopicArn',
        );
      }
      if (phoneNumber !== undefined && !/^\+[1-9]\d{6,14}$/.test(phoneNumber)) {
        return answer(400, errorXml('InvalidParameter', 'Invalid parameter: PhoneNumber'), 'PhoneNumber');
      }
      const messageId = randomUUID();
      published.push({ phoneNumber, topicArn, message, attributes: attributesOf(form), messageId });
      answer(
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/${VERSION}/"><PublishResult>` +
          `<MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata>` +
          `<RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    published,
    refused,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
