import { randomBytes, randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  ScheduledEvent,
  SNSEvent,
} from 'aws-lambda';

/**
 * Builders of the events AWS hands to the functions, so that the local server invokes each
 * handler with what it would get on AWS: API Gateway HTTP API payload v2.0, SNS notifications
 * (two-way SMS), EventBridge scheduled events, and the Lambda context.
 */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_API_ID = 'local';

export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : 'aws';
}

export function arn(service: string, region: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;
}

export interface HttpRequestInput {
  method: string;
  /** Path and query as received, e.g. `/v1/reports/engineers?period=2026-11`. */
  url: string;
  /** Alternating names and values as received (node's `req.rawHeaders`). */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** e.g. `HTTP/1.1`. */
  protocol: string;
}

export interface MatchedRoute {
  /** e.g. `POST /v1/tickets/completed`. */
  routeKey: string;
  pathParameters?: Record<string, string>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
export function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} +0000`;
}

/** Content types API Gateway passes on as text; every other body arrives base64-encoded. */
export function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    ct.startsWith('text/') ||
    ct === 'application/json' ||
    ct.endsWith('+json') ||
    ct === 'application/x-www-form-urlencoded' ||
    ct === 'application/xml' ||
    ct.endsWith('+xml') ||
    ct === 'application/javascript'
  );
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Query parameters as API Gateway decodes them: duplicates comma-joined, absent when there are none. */
export function parseQuery(raw: string): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return Object.keys(out).length ? out : undefined;
}

function randomRequestId(): string {
  // API Gateway's request ids look like `JKJaXmPLvHcESHA=`.
  return randomBytes(10).toString('base64');
}

/**
 * The API Gateway HTTP API (payload format 2.0) event for a request: header names lower-cased,
 * repeated headers comma-joined, cookies moved to `cookies`, the query decoded into
 * `queryStringParameters`, and the body as text for textual content types, else base64.
 */
export function buildHttpEvent(
  req: HttpRequestInput,
  route: MatchedRoute,
  at: Date = new Date(),
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const qIndex = req.url.indexOf('?');
  const rawPath = qIndex < 0 ? req.url : req.url.slice(0, qIndex);
  const rawQueryString = qIndex < 0 ? '' : req.url.slice(qIndex + 1);
  headers['x-forwarded-for'] ??= req.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(at.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const host = headers.host ?? 'localhost';
  const domainName = host.replace(/:\d+$/, '');
  const method = req.method.toUpperCase();
  const queryStringParameters = parseQuery(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: req.protocol,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomRequestId(),
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(at),
      timeEpoch: at.getTime(),
    },
    ...(route.pathParameters && Object.keys(route.pathParameters).length
      ? { pathParameters: route.pathParameters }
      : {}),
    isBase64Encoded: false,
  };
  if (req.body.length > 0) {
    if (isTextual(headers['content-type'])) {
      event.body = req.body.toString('utf8');
    } else {
      event.body = req.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

/** Claims as API Gateway's JWT authorizer passes them on: every value a string, arrays as `[a b]`. */
export function authorizerClaims(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v)
      ? `[${v.map(String).join(' ')}]`
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);
  }
  return out;
}

export function withJwtClaims(
  event: APIGatewayProxyEventV2,
  claims: Record<string, string>,
): APIGatewayProxyEventV2 {
  const requestContext = {
    ...event.requestContext,
    authorizer: { jwt: { claims, scopes: null } },
  } as APIGatewayProxyEventV2['requestContext'];
  return { ...event, requestContext };
}

/** The SNS notification Lambda gets for one message published to `topicArn`. */
export function buildSnsEvent(message: string, topicArn: string, at: Date = new Date()): SNSEvent {
  const region = topicArn.split(':')[3] ?? 'cn-north-1';
  const host = `sns.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  const subscriptionArn = `${topicArn}:${randomUUID()}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: null as unknown as string,
          Message: message,
          Timestamp: at.toISOString(),
          SignatureVersion: '1',
          Signature: randomBytes(64).toString('base64'),
          SigningCertUrl: `https://${host}/SimpleNotificationService-local.pem`,
          UnsubscribeUrl: `https://${host}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The EventBridge event a schedule rule delivers (`time` to the second, as EventBridge sends it). */
export function buildScheduledEvent(ruleArn: string, at: Date = new Date()): ScheduledEvent {
  const region = ruleArn.split(':')[3] ?? 'cn-north-1';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [ruleArn],
    detail: {},
  };
}

/** A Lambda context for one invocation of `functionName`, with `timeoutMs` to run. */
export function buildLambdaContext(
  functionName: string,
  region: string,
  timeoutMs: number,
  memoryMb = 512,
): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const fail = () => {
    throw new Error('context.done/fail/succeed are not supported: return or throw from the handler');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn('lambda', region, `function:${functionName}`),
    memoryLimitInMB: String(memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * What API Gateway makes of a function's result (payload 2.0): a structured result as given
 * (base64 bodies decoded, `cookies` as set-cookie headers); anything else is a 200 JSON answer.
 */
export function httpResponseFromResult(result: unknown): HttpResponse {
  const isStructured =
    typeof result === 'object' &&
    result !== null &&
    'statusCode' in result &&
    typeof result.statusCode === 'number';
  if (!isStructured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body, 'utf8'),
    };
  }
  const r = result as APIGatewayProxyStructuredResultV2 & { statusCode: number };
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  const raw = r.body ?? '';
  const body = r.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (!headers['content-type'] && body.length > 0) headers['content-type'] = 'application/json';
  return { statusCode: r.statusCode, headers, body };
}
