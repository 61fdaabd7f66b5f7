import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got. `clock` is the test's domain clock at that moment, if given. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  surveyId: string | undefined;
  clock: Date | undefined;
}

export interface ReplyReceiver {
  port: number;
  url(path: string): string;
  received: Received[];
  /** The requests about one survey, in order. */
  about(surveyId: string): Received[];
  /** How to answer the n-th (0-based) request about a survey; 200 by default. */
  answer(surveyId: string, statuses: (n: number) => number): void;
  /** Where the receiver reads the domain clock (set once the test has imported it). */
  useClock(clock: () => Date): void;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 (any free port) standing in for a work-order system. */
export async function startReplyReceiver(): Promise<ReplyReceiver> {
  const received: Received[] = [];
  const scripts = new Map<string, (n: number) => number>();
  let clock: (() => Date) | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let surveyId: string | undefined;
      try {
        surveyId = (JSON.parse(body) as { surveyId?: string }).surveyId;
      } catch {
        surveyId = undefined;
      }
      const n = received.filter((r) => r.surveyId !== undefined && r.surveyId === surveyId).length;
      received.push({ path: req.url ?? '/', headers: req.headers, body, surveyId, clock: clock?.() });
      const status = (surveyId && scripts.get(surveyId)?.(n)) || 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'no');
    });
  });
  // As the local server (infra/local/server.ts): idle connections are the client's (fetch's) to
  // close, so a delivery never lands on a socket this server is closing (`other side closed`).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    about: (surveyId) => received.filter((r) => r.surveyId === surveyId),
    answer: (surveyId, statuses) => {
      scripts.set(surveyId, statuses);
    },
    useClock: (c) => {
      clock = c;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
