import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#shared/domain/errors';
import { logger } from '#shared/runtime/log';
import * as z from '#shared/runtime/zod';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export const MAX_BODY_BYTES = 64 * 1024;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function problem(status: number, title: string, detail?: string, errors?: FieldIssue[]): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: JSON.stringify({
      type: 'about:blank',
      title,
      status,
      ...(detail ? { detail } : {}),
      ...(errors ? { errors } : {}),
    }),
  };
}

/** Maps typed errors to HTTP: the only place that does. */
export function errorToHttp(err: unknown): HttpResult {
  if (err instanceof ValidationError) return problem(400, 'Invalid request', err.message, err.issues);
  if (err instanceof UnauthorizedError) return problem(401, 'Unauthorized', err.message);
  if (err instanceof ForbiddenError) return problem(403, 'Forbidden');
  if (err instanceof NotFoundError) return problem(404, 'Not found', err.message);
  if (err instanceof ConflictError) return problem(409, 'Conflict', err.message, err.issues);
  if (err instanceof PayloadTooLargeError) return problem(413, 'Payload too large', err.message);
  if (err instanceof UnsupportedMediaTypeError) return problem(415, 'Unsupported media type', err.message);
  logger.error('unhandled error', { error: err as Error });
  return problem(500, 'Internal error');
}

export type HttpFunction = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/** Wraps a raw HTTP handler so every typed error becomes its HTTP answer. */
export function httpFunction(fn: HttpFunction): HttpFunction {
  return async (event) => {
    try {
      return await fn(event);
    } catch (err) {
      return errorToHttp(err);
    }
  };
}

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === lower) return v;
  }
  return undefined;
}

/** The raw body as text, enforcing the size limit. */
export function rawBody(event: APIGatewayProxyEventV2): string {
  const body = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  return text;
}

/** Parses a JSON body (415 if it is not JSON) without validating it. */
export function jsonBody(event: APIGatewayProxyEventV2, text = rawBody(event)): unknown {
  const ct = header(event, 'content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(ct.trim())) {
    throw new UnsupportedMediaTypeError('content-type must be application/json');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: 'body', message: 'body is not valid JSON' }]);
  }
}

export function zodIssues(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.map(String).join('.') : 'body',
    message: i.message,
  }));
}

export function parseWith<T extends z.core.$ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = z.safeParse(schema, value);
  if (!r.success) throw new ValidationError(zodIssues(r.error));
  return r.data;
}
