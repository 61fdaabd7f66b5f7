import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { createTable } from '#shared/db/create-table';
import { ticketCompletedSchema } from '#shared/schemas/ticket-completed';
import { completeTicket } from '#shared/usecases/complete-ticket';
import { errorCounts } from './meter.ts';
import { closedLoop, http, keepAlive, type LoadResult } from './stats.ts';

/**
 * Section 1: signed POST /v1/tickets/completed through the local system (node:http -> API
 * Gateway v2 event -> the ticket-completed handler -> DynamoDB Local) against one bare
 * conditional PutItem of a ticket-sized item on the same DynamoDB Local, at the same concurrency.
 */
export const LEVELS = [
  { concurrency: 1, requests: 300 },
  { concurrency: 8, requests: 800 },
  { concurrency: 32, requests: 1600 },
] as const;
const WARMUP = 200;

export interface IngestLevel {
  concurrency: number;
  ours: LoadResult;
  bare: LoadResult;
  txConflicts: number;
}

export interface IngestResult {
  levels: IngestLevel[];
  bodyBytes: number;
  /** completeTicket called in-process (no HTTP, no signature check), one client. */
  useCaseOnly: LoadResult;
}

const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const faults = ['equipment', 'line'] as const;
const kinds = ['repair', 'install', 'move'] as const;

let seq = 0;
/** A completion as an upstream work-order system sends it: 400 engineers in 20 teams, a fresh phone. */
export function realisticTicket(runId: string): Record<string, unknown> {
  seq++;
  const n = seq;
  const eng = (n * 7919) % 400;
  const done = Date.now() - 60_000 - (n % 50) * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
  return {
    ticketId: `WO-${runId}-${String(n).padStart(7, '0')}`,
    source: 'ossA',
    segment: n % 10 === 0 ? 'enterprise' : 'home',
    kind: kinds[n % kinds.length],
    area: n % 3 === 0 ? 'suburban' : 'urban',
    faultType: faults[n % 2],
    serviceLevel: n % 10 === 0 ? 'AA' : 'standard',
    reportedAt: iso(done - 5 * 3_600_000),
    firstContactAt: iso(done - 4.5 * 3_600_000),
    appointmentAt: iso(done - 2 * 3_600_000),
    arrivedAt: iso(done - 2 * 3_600_000 + 600_000),
    completedAt: iso(done),
    engineer: {
      id: `E${String(eng).padStart(4, '0')}`,
      name: `${surnames[eng % surnames.length]}师傅${eng % 100}`,
      team: `T${String(eng % 20).padStart(2, '0')}`,
      region: `R${eng % 5}`,
    },
    customer: {
      phone: `13${String(100_000_000 + ((n * 104_729) % 900_000_000)).slice(0, 9)}`,
      name: '李女士',
    },
  };
}

function signed(wh: Webhook, body: string): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': wh.sign(id, at, body),
  };
}

export async function runIngest(opts: {
  url: string;
  webhookSecret: string;
  dynamoEndpoint: string;
  region: string;
  log: (s: string) => void;
}): Promise<IngestResult> {
  const wh = new Webhook(opts.webhookSecret.split(',')[0] as string);
  const runId = Date.now().toString(36);
  const endpoint = `${opts.url}/v1/tickets/completed`;

  // The bare write: a client configured as shared/db/client.ts configures ddb, its own table.
  const raw = new DynamoDBClient({
    region: opts.region,
    maxAttempts: 6,
    endpoint: opts.dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const bareTable = 'bench-bare-write';
  await createTable(raw, bareTable);
  const bare = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const bareItem = (body: Record<string, unknown>) => ({
    pk: `TICKET#ossA#${String(body.ticketId)}`,
    sk: 'TICKET',
    type: 'ticket',
    state: 'completed',
    ticket: body,
    receivedAt: new Date().toISOString(),
  });

  const prepare = (count: number) =>
    Array.from({ length: count }, () => {
      const body = JSON.stringify(realisticTicket(runId));
      return { body, headers: signed(wh, body) };
    });
  const postOurs = (reqs: { body: string; headers: Record<string, string> }[], sockets: number) => {
    const agent = keepAlive(sockets);
    return {
      agent,
      call: async (i: number) => {
        const r = reqs[i] as { body: string; headers: Record<string, string> };
        const res = await http(agent, 'POST', endpoint, r.headers, r.body);
        return res.status === 202;
      },
    };
  };
  const putBare = (bodies: Record<string, unknown>[]) => async (i: number) => {
    await bare.send(
      new PutCommand({
        TableName: bareTable,
        Item: bareItem(bodies[i] as Record<string, unknown>),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  };

  // Warm-up: JIT, connection pools, DynamoDB Local's own warm-up, both paths.
  {
    const w = postOurs(prepare(WARMUP), 8);
    const r = await closedLoop(8, WARMUP, w.call);
    w.agent.destroy();
    if (r.errors > 0) throw new Error(`warm-up: ${r.errors} of ${WARMUP} webhooks not accepted`);
    const bodies = Array.from({ length: WARMUP }, () => realisticTicket(`${runId}w`));
    await closedLoop(8, WARMUP, putBare(bodies));
  }

  const levels: IngestLevel[] = [];
  let bodyBytes = 0;
  for (const { concurrency, requests } of LEVELS) {
    const reqs = prepare(requests);
    bodyBytes = Math.round(reqs.reduce((n, r) => n + Buffer.byteLength(r.body), 0) / reqs.length);
    const conflictsBefore = errorCounts.get('TransactionCanceledException') ?? 0;
    const o = postOurs(reqs, concurrency);
    const ours = await closedLoop(concurrency, requests, o.call);
    o.agent.destroy();
    const txConflicts = (errorCounts.get('TransactionCanceledException') ?? 0) - conflictsBefore;
    const bodies = Array.from({ length: requests }, () => realisticTicket(`${runId}b`));
    const bareRes = await closedLoop(concurrency, requests, putBare(bodies));
    levels.push({ concurrency, ours, bare: bareRes, txConflicts });
    opts.log(
      `  c=${concurrency}: ours ${ours.throughput.toFixed(0)}/s p50 ${ours.p50.toFixed(1)} p99 ${ours.p99.toFixed(1)} ms` +
        ` (errors ${ours.errors}, tx conflicts ${txConflicts}); bare ${bareRes.throughput.toFixed(0)}/s` +
        ` p50 ${bareRes.p50.toFixed(1)} p99 ${bareRes.p99.toFixed(1)} ms`,
    );
  }
  bare.destroy();
  const direct = Array.from({ length: 300 }, () => ticketCompletedSchema.parse(realisticTicket(`${runId}d`)));
  const useCaseOnly = await closedLoop(1, direct.length, async (i) => {
    const r = await completeTicket(direct[i] as (typeof direct)[number]);
    return r.created;
  });
  opts.log(`  use case alone, c=1: p50 ${useCaseOnly.p50.toFixed(1)} p99 ${useCaseOnly.p99.toFixed(1)} ms`);
  return { levels, bodyBytes, useCaseOnly };
}
