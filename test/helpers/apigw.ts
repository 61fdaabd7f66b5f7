import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A minimal but genuine API Gateway HTTP API (payload 2.0) event for calling raw handlers in tests. */
export function httpEvent(opts: {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  claims?: Record<string, string>;
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
      ...(opts.claims ? { authorizer: { jwt: { claims: opts.claims, scopes: [] } } } : {}),
    },
    body: opts.body,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}
