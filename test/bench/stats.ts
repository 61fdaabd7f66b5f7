import { Agent, request as httpRequest } from 'node:http';

/** Nearest-rank percentile of an unsorted list (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export interface LoadResult {
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  /** Every call's latency in ms, in completion order. */
  latencies: number[];
}

/** The figures of `latencies` (ms) measured over `seconds` by `concurrency` clients. */
export function loadResult(
  concurrency: number,
  latencies: number[],
  errors: number,
  seconds: number,
): LoadResult {
  return {
    concurrency,
    requests: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    latencies,
  };
}

/** One result from several runs of the same kind (e.g. interleaved with another kind). */
export function mergeLoads(parts: LoadResult[]): LoadResult {
  return loadResult(
    parts[0]?.concurrency ?? 0,
    parts.flatMap((p) => p.latencies),
    parts.reduce((n, p) => n + p.errors, 0),
    parts.reduce((n, p) => n + p.seconds, 0),
  );
}

/**
 * `total` calls of `call(i)` by `concurrency` workers, each starting its next call when the last
 * one ends (closed loop). Latency per call in ms; a call returning false counts as an error.
 */
export async function closedLoop(
  concurrency: number,
  total: number,
  call: (i: number) => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        const ok = await call(i).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  return loadResult(concurrency, latencies, errors, (performance.now() - started) / 1000);
}

/** Runs fn over items with at most `concurrency` at once. */
export async function pool<T, R>(
  concurrency: number,
  items: readonly T[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
    }),
  );
  return out;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** One HTTP/1.1 request over a keep-alive agent (127.0.0.1 only). */
export function http(
  agent: Agent,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1')
      throw new Error(`the benchmark talks to 127.0.0.1 only, not ${u.hostname}`);
    const req = httpRequest(
      { agent, method, hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const keepAlive = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets });

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
export const fixed = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
export const yes = (ok: boolean) => (ok ? '**met**' : '**not met**');

/** A Markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
