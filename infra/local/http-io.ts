import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reading requests and writing answers on node:http, for the local server's own parts. */

/** API Gateway's payload limit. The webhook's own 64 KiB limit is its handler's job. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** A request the local server refuses itself: answered `{ message, ...extra }` with `status`. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string | string[]> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  res.end(buf);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

export async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_REQUEST_BYTES) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(b);
  }
  return size > MAX_REQUEST_BYTES ? 'too-large' : Buffer.concat(chunks);
}

/** The body as a JSON object, or a 400 naming `body`. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    throw new HttpProblem(400, 'body is not valid JSON', { field: 'body' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'body must be a JSON object', { field: 'body' });
  }
  return parsed as Record<string, unknown>;
}

export function errorLine(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

export const TIMED_OUT = Symbol('timed out');

/** `p`, or TIMED_OUT when it has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((r) => {
    timer = setTimeout(() => r(TIMED_OUT), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
