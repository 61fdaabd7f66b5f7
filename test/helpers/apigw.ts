import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { sign } from './fixtures.ts';

/** A minimal but genuine API Gateway HTTP API (payload 2.0) event for calling raw handlers in tests. */
export function httpEvent(opts: {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /**
   * The JWT authorizer's claims: an ID token's (`token_use: "id"` unless given). API Gateway hands
   * every value on as a string; a `string[]` here stands for a real array claim reaching the
   * function some other way. Teams and regions are JSON arrays (`scopeClaim`).
   */
  claims?: Record<string, string | string[]>;
}): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(
    Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const rawQueryString = new URLSearchParams(opts.query ?? {}).toString();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${opts.method} ${opts.path}`,
    rawPath: opts.path,
    rawQueryString,
    headers,
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: opts.method,
        path: opts.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: `req-${now.getTime()}`,
      routeKey: `${opts.method} ${opts.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(opts.claims
        ? { authorizer: { jwt: { claims: { token_use: 'id', ...opts.claims }, scopes: [] } } }
        : {}),
    },
    body: opts.body,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

/** A teams or regions claim as tokens carry it: a JSON array of names; '' = none. */
export function scopeClaim(...names: string[]): string {
  return JSON.stringify(names.filter(Boolean));
}

/** A signed webhook POST (Standard Webhooks, `secret`) to a raw handler: status, content type, JSON body. */
export async function postSigned(
  fn: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
  secret: string,
  path: string,
  body: unknown,
) {
  const text = JSON.stringify(body);
  const res = await fn(
    httpEvent({
      method: 'POST',
      path,
      body: text,
      headers: { 'content-type': 'application/json', ...sign(secret, text) },
    }),
  );
  return {
    status: res.statusCode,
    type: res.headers?.['content-type'],
    body: JSON.parse(res.body as string),
  };
}
