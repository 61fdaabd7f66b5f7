import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { slotGroups } from '#shared/domain/due-slots';
import { createTable } from '#shared/store/create-table';
import { DUE_SLOTS } from '#shared/store/due';
import type { Command } from './due-scale-worker.ts';
import { fixed } from './stats.ts';

/**
 * Section "due work scales out": a backlog of due items of four kinds (plan a completion, send a
 * survey, remind, expire) seeded through the use cases into a table of its own, then worked by 1,
 * 2, 4 and 8 due workers, each a process of its own running `runDueSlots` (functions/due-worker's
 * code) against the same DynamoDB Local. The 64 slots are cut into 8 segments of 8: each run works
 * one segment (its own eighth of the backlog), its slots split among its workers as the scheduler
 * splits all 64 (domain/due-slots.ts); runs in the order 1, 2, 4, 8, 8, 4, 2, 1 so that the shared
 * machine's drift weighs on each count alike.
 */
const ORDER = [1, 2, 4, 8, 8, 4, 2, 1] as const;
export const DUE_SCALE_DAY = '2027-03-10';
const AT = `${DUE_SCALE_DAY}T10:00:00+08:00`;

export interface DueRun {
  workers: number;
  items: number;
  seconds: number;
  perSecond: number;
  failed: number;
  perWorker: number[];
}

export interface DueScaleResult {
  perKind: number;
  seedSeconds: number;
  runs: DueRun[];
  /** Per count: items/s of its two runs pooled (items / seconds). */
  byWorkers: { workers: number; perSecond: number; ratio: number }[];
  outcomes: Record<string, number>;
  usage: {
    rcu: number;
    wcu: number;
    gsi: number;
    calls: number;
    byLabel: [string, { calls: number; rcu: number; wcu: number }][];
  };
  itemsMetered: number;
  concurrency: number;
}

interface Reply {
  ok?: boolean;
  ready?: boolean;
  error?: string;
  ms?: number;
  result?: Record<string, number>;
  seconds?: number;
  stages?: unknown;
  usage?: DueScaleResult['usage'];
}

function worker(env: NodeJS.ProcessEnv): { child: ChildProcess; next: () => Promise<Reply> } {
  const child = fork(fileURLToPath(new URL('./due-scale-worker.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Reply[] = [];
  const waiting: ((r: Reply) => void)[] = [];
  child.on('message', (m: Reply) => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const m = inbox.shift();
      if (m) return resolve(m);
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`due worker exited (${code})`)));
    });
  return { child, next };
}

async function ok(p: Promise<Reply>): Promise<Reply> {
  const r = await p;
  if (r.ok === false) throw new Error(`due worker: ${r.error}`);
  return r;
}

export async function runDueScale(opts: {
  dynamoEndpoint: string;
  region: string;
  log: (s: string) => void;
  /** Items of each kind in the whole backlog (an eighth of it per run). @default 400 */
  perKind?: number;
  /**
   * Items a worker works at once. @default 2: so that one worker is far from what DynamoDB Local
   * on two cores can serve, and the ratios measure the fan-out rather than the machine (deployed: 8).
   */
  concurrency?: number;
}): Promise<DueScaleResult> {
  const perKind = opts.perKind ?? Number(process.env.DUE_SCALE_PER_KIND ?? 400);
  const concurrency = opts.concurrency ?? Number(process.env.DUE_SCALE_CONCURRENCY ?? 2);
  const tableName = `feedback-bench-due-${Date.now()}`;
  const client = new DynamoDBClient({
    endpoint: opts.dynamoEndpoint,
    region: opts.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(client, tableName);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: opts.dynamoEndpoint,
    AWS_REGION: opts.region,
    SMS_GATEWAY: 'outbox',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    // the SDK's Node.js version notice, once per process, eight times over
    NODE_NO_WARNINGS: '1',
  };
  delete env.RULES;
  delete env.DUE_QUEUE_URL;
  const pool = Array.from({ length: 8 }, () => worker(env));
  try {
    await Promise.all(pool.map((w) => ok(w.next())));
    opts.log(
      `due scale: seeding ${perKind} items of each kind (plan, send, remind, expire) through the use cases`,
    );
    const first = pool[0] as (typeof pool)[number];
    first.child.send({ cmd: 'seed', perKind, day: DUE_SCALE_DAY } satisfies Command);
    const seeded = await ok(first.next());
    opts.log(`due scale: seeded in ${fixed(seeded.seconds ?? 0, 1)} s`);

    const runs: DueRun[] = [];
    const outcomes: Record<string, number> = {};
    const usage: DueScaleResult['usage'] = { rcu: 0, wcu: 0, gsi: 0, calls: 0, byLabel: [] };
    const labels = new Map<string, { calls: number; rcu: number; wcu: number }>();
    for (const [segment, n] of ORDER.entries()) {
      const segmentSlots = Array.from({ length: DUE_SLOTS / ORDER.length }, (_, i) => segment * 8 + i);
      const groups = slotGroups(n, segmentSlots.length).map((g) => g.map((i) => segmentSlots[i] as number));
      const started = performance.now();
      const replies = await Promise.all(
        groups.map((slots, i) => {
          const w = pool[i] as (typeof pool)[number];
          w.child.send({ cmd: 'work', slots, at: AT, concurrency } satisfies Command);
          return ok(w.next());
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const perWorker = replies.map((r) =>
        Object.entries(r.result ?? {}).reduce(
          (s, [k, v]) => (k === 'leftForNextRun' || k === 'slotsNotDrained' ? s : s + v),
          0,
        ),
      );
      const items = perWorker.reduce((a, b) => a + b, 0);
      let failed = 0;
      for (const r of replies) {
        for (const [k, v] of Object.entries(r.result ?? {})) outcomes[k] = (outcomes[k] ?? 0) + v;
        failed += r.result?.failed ?? 0;
        usage.rcu += r.usage?.rcu ?? 0;
        usage.wcu += r.usage?.wcu ?? 0;
        usage.gsi += r.usage?.gsi ?? 0;
        usage.calls += r.usage?.calls ?? 0;
        for (const [k, v] of r.usage?.byLabel ?? []) {
          const l = labels.get(k) ?? { calls: 0, rcu: 0, wcu: 0 };
          l.calls += v.calls;
          l.rcu += v.rcu;
          l.wcu += v.wcu;
          labels.set(k, l);
        }
      }
      runs.push({ workers: n, items, seconds, perSecond: items / seconds, failed, perWorker });
      opts.log(
        `due scale: ${n} worker(s): ${items} items in ${fixed(seconds, 2)} s (${fixed(items / seconds, 0)}/s)`,
      );
    }
    usage.byLabel = [...labels.entries()].sort((a, b) => b[1].calls - a[1].calls);
    const pooled = (n: number) => {
      const rs = runs.filter((r) => r.workers === n);
      return rs.reduce((s, r) => s + r.items, 0) / rs.reduce((s, r) => s + r.seconds, 0);
    };
    const one = pooled(1);
    const byWorkers = [1, 2, 4, 8].map((n) => ({ workers: n, perSecond: pooled(n), ratio: pooled(n) / one }));
    const itemsMetered = runs.reduce((s, r) => s + r.items, 0);
    return {
      perKind,
      seedSeconds: seeded.seconds ?? 0,
      runs,
      byWorkers,
      outcomes,
      usage,
      itemsMetered,
      concurrency,
    };
  } finally {
    for (const w of pool) {
      w.child.send({ cmd: 'exit' } satisfies Command);
    }
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  }
}
