import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FunctionName, routes } from '#shared/http/routes';
import type { Clock } from '#shared/runtime/clock';
import { authorizerClaims, buildHttpEvent, httpResponseFromResult, withJwtClaims } from './events.ts';
import { errorLine, send, sendJson, TIMED_OUT, withTimeout } from './http-io.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { matchRoute } from './router.ts';
import { verifyToken } from './token.ts';

/** API Gateway's integration timeout for HTTP APIs. */
const GATEWAY_TIMEOUT_MS = 30_000;

/**
 * API Gateway (HTTP API, payload v2), locally: routes of shared/http/routes.ts, the JWT
 * authorizer on the routes that have one, the event as API Gateway builds it, the integration
 * timeout, and the handler's result mapped back to an HTTP answer.
 */
export function apiGateway(input: {
  runtime: LambdaRuntime;
  jwtSecret: string;
  /** The domain clock (the time the events are stamped with). */
  clock: Clock;
  log: (line: string) => void;
  /**
   * Run after a function's answer has been sent (not awaited by the request): the local stand-in
   * for what AWS triggers from a function's writes (the SMS providers' callbacks: the DynamoDB
   * Streams fast path of functions/sms-inbox).
   */
  afterResponse?: Partial<Record<FunctionName, () => void>>;
}) {
  return async function api(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
  ): Promise<void> {
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
      input.clock.now(),
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
      result = await withTimeout(input.runtime.invoke(match.route.fn, event), GATEWAY_TIMEOUT_MS);
    } catch (err) {
      input.log(`${match.route.fn} failed: ${errorLine(err)}`);
      return sendJson(res, 500, { message: 'Internal Server Error' });
    }
    if (result === TIMED_OUT) {
      input.log(`${match.route.fn} did not answer within ${GATEWAY_TIMEOUT_MS / 1000}s`);
      return sendJson(res, 503, { message: 'Service Unavailable' });
    }
    const out = httpResponseFromResult(result);
    send(res, out.statusCode, out.body, out.headers);
    if (out.statusCode < 300) input.afterResponse?.[match.route.fn]?.();
  };
}
