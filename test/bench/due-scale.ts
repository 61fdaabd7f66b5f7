import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { slotGroups } from '#shared/domain/due-slots';
import { createTable } from '#shared/store/create-table';
import { DUE_SLOTS } from '#shared/store/due';
import type { Command } from './due-scale-worker.ts';
import { callMix, type MixEntry } from './dynamo-bare.ts';
import {
  busiestThread,
  clockTicks,
  findDynamoJvm,
  type MachineTicks,
  readMachine,
  readProcessCpuMs,
  readThreads,
  type ThreadTicks,
} from './proc-cpu.ts';
import { fixed } from './stats.ts';

/**
 * Section "due work scales out": a backlog of due items of four kinds (plan a completion, send a
 * survey, remind, expire) seeded through the use cases into a table of its own, then worked by 1,
 * 2, 4 and 8 due workers, each a process of its own running `runDueSlots` (functions/due-worker's
 * code) against the same DynamoDB Local. The 64 slots are cut into 8 segments of 8: each run works
 * one segment (its own eighth of the backlog), its slots split among its workers as the scheduler
 * splits all 64 (domain/due-slots.ts); runs in the order 1, 2, 4, 8, 8, 4, 2, 1 so that the shared
 * machine's drift weighs on each count alike. Before the first run every worker works a warm-up
 * backlog of its own (the same kinds, on a second table), so no timed run pays for a process's
 * start (code compiled, connections opened). Each run also measures where the CPU went: the
 * machine's busy fraction (/proc/stat), the DynamoDB Local JVM's CPU time, its busiest thread's
 * (/proc/<pid>/task/<tid>/stat) and each worker's. Then DynamoDB Local's own ceiling without our code:
 * the same call mix replayed bare (test/bench/dynamo-bare.ts) from 1, 2, 4 and 8 of the same processes,
 * each through an SDK client of its own, one call in flight, on a third table.
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
  /** The machine's ticks over the run (all cores, every process on it); undefined without /proc. */
  machine?: MachineTicks;
  /** CPU ms of the DynamoDB Local JVM over the run (undefined if not found). */
  jvmCpuMs?: number;
  /** CPU ms of the workers over their runDueSlots (process.cpuUsage), summed. */
  workerCpuMs: number;
  /** DynamoDB calls the workers made (the local SMS outbox's included: DynamoDB Local serves them too). */
  calls: number;
  /** The JVM's busiest thread over the run (undefined if not measured). */
  thread?: ThreadUse;
}

/** One thread's CPU over a run: its name, its ms of CPU and its ms waiting for a core. */
export interface ThreadUse {
  name: string;
  cpuMs: number;
  waitMs?: number;
}

/** A busiest thread over pooled runs: share of one core running, and share of the time waiting for one. */
export interface PooledThread {
  name: string;
  share: number;
  waiting?: number;
}

/** Where a run's CPU went: machine ticks, the JVM's CPU ms and its busiest thread. */
interface Sample {
  machine?: MachineTicks;
  jvmCpuMs?: number;
  thread?: ThreadUse;
}

/** A bare run: `clients` processes calling DynamoDB Local directly, one call in flight each. */
export interface BareRun extends Sample {
  clients: number;
  calls: number;
  seconds: number;
  /** Sum over the clients of each one's calls / its own seconds. */
  perSecond: number;
  clientCpuMs: number;
}

/** Per client count, its two bare runs pooled. */
export interface BareByClients {
  clients: number;
  perSecond: number;
  busy?: number;
  jvmCores?: number;
  /** The JVM's busiest thread over the runs: its name, its share of one core and of the time waiting for one. */
  thread?: PooledThread;
}

/** Per worker count, its two runs pooled. */
export interface DueByWorkers {
  workers: number;
  perSecond: number;
  ratio: number;
  /** The machine's busy fraction over the count's runs (undefined without /proc). */
  busy?: number;
  /** CPU ms per item: the JVM's (undefined if not measured), the workers', their sum. */
  jvmMsPerItem?: number;
  workerMsPerItem: number;
  /** The share of the machine's cores the JVM and the workers used over the runs (0..1). */
  ours?: number;
  /** Cores the JVM used on average over the runs (its CPU ms per ms of wall time). */
  jvmCores?: number;
  /** DynamoDB calls/s the workers made (local SMS outbox included). */
  callsPerSecond: number;
  /** The JVM's busiest thread over the runs: its name, its share of one core and of the time waiting for one. */
  thread?: PooledThread;
}

export interface DueScaleResult {
  perKind: number;
  seedSeconds: number;
  runs: DueRun[];
  /** Per count: items/s of its two runs pooled (items / seconds), and their CPU. */
  byWorkers: DueByWorkers[];
  outcomes: Record<string, number>;
  usage: {
    rcu: number;
    wcu: number;
    gsi: number;
    calls: number;
    /** Calls to the local SMS outbox (not on AWS; not in `calls`). */
    localCalls: number;
    byLabel: [string, { calls: number; rcu: number; wcu: number }][];
  };
  itemsMetered: number;
  concurrency: number;
  /** Items of each kind in the warm-up backlog (a second table; each worker works an eighth). */
  warmPerKind: number;
  warmSeconds: number;
  cores: number;
  jvmFound: boolean;
  /** DynamoDB Local's own ceiling: the call mix replayed bare (undefined when no call could be). */
  bare?: {
    mix: MixEntry[];
    leftOut: string[];
    seconds: number;
    runs: BareRun[];
    byClients: BareByClients[];
    /** The highest pooled calls/s of any client count. */
    ceiling: number;
  };
}

interface Reply {
  ok?: boolean;
  ready?: boolean;
  error?: string;
  ms?: number;
  cpuMs?: number;
  result?: Record<string, number>;
  seconds?: number;
  calls?: number;
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
      const exited = (code: number | null) => reject(new Error(`due worker exited (${code})`));
      child.once('exit', exited);
      waiting.push((r) => {
        child.off('exit', exited);
        resolve(r);
      });
    });
  return { child, next };
}

/** Items a worker's reply says it worked (every outcome but what it left for the next run). */
function itemsOf(r: Reply): number {
  return Object.entries(r.result ?? {}).reduce(
    (s, [k, v]) => (k === 'leftForNextRun' || k === 'slotsNotDrained' ? s : s + v),
    0,
  );
}

/** The reading a sample starts from. */
interface SampleStart {
  machine?: MachineTicks;
  jvmMs?: number;
  threads?: Map<number, ThreadTicks>;
}

function startSample(jvm: number | undefined): SampleStart {
  const machine = readMachine();
  const jvmMs = jvm ? readProcessCpuMs(jvm) : undefined;
  const threads = jvm ? readThreads(jvm) : undefined;
  return {
    ...(machine ? { machine } : {}),
    ...(jvmMs !== undefined ? { jvmMs } : {}),
    ...(threads ? { threads } : {}),
  };
}

/** The machine's ticks, the JVM's CPU ms and its busiest thread since `from`. */
function endSample(from: SampleStart, jvm: number | undefined): Sample {
  const threads = jvm ? readThreads(jvm) : undefined;
  const jvmMs = jvm ? readProcessCpuMs(jvm) : undefined;
  const machine = readMachine();
  const b = from.threads && threads ? busiestThread(from.threads, threads) : undefined;
  return {
    ...(from.machine && machine
      ? { machine: { busy: machine.busy - from.machine.busy, total: machine.total - from.machine.total } }
      : {}),
    ...(from.jvmMs !== undefined && jvmMs !== undefined ? { jvmCpuMs: jvmMs - from.jvmMs } : {}),
    ...(b
      ? {
          thread: {
            name: b.name,
            cpuMs: (b.ticks * 1000) / clockTicks(),
            ...(b.waitNs !== undefined ? { waitMs: b.waitNs / 1e6 } : {}),
          },
        }
      : {}),
  };
}

/** The busiest thread of runs pooled: its name(s), its CPU and its wait for a core over their summed time. */
function pooledThread(rs: readonly { thread?: ThreadUse; seconds: number }[]): PooledThread | undefined {
  if (rs.length === 0 || !rs.every((r) => r.thread)) return undefined;
  const ms = rs.reduce((s, r) => s + (r.thread?.cpuMs ?? 0), 0);
  const wall = rs.reduce((s, r) => s + r.seconds, 0) * 1000;
  const waited = rs.every((r) => r.thread?.waitMs !== undefined);
  return {
    name: [...new Set(rs.map((r) => r.thread?.name))].join(' / '),
    share: ms / wall,
    ...(waited ? { waiting: rs.reduce((s, r) => s + (r.thread?.waitMs ?? 0), 0) / wall } : {}),
  };
}

/** Machine busy fraction and JVM cores over runs pooled (each undefined when a run lacks it). */
function pooledSamples(rs: readonly (Sample & { seconds: number })[]): { busy?: number; jvmCores?: number } {
  const seconds = rs.reduce((s, r) => s + r.seconds, 0);
  return {
    ...(rs.every((r) => r.machine)
      ? {
          busy:
            rs.reduce((s, r) => s + (r.machine?.busy ?? 0), 0) /
            rs.reduce((s, r) => s + (r.machine?.total ?? 0), 0),
        }
      : {}),
    ...(rs.every((r) => r.jvmCpuMs !== undefined)
      ? { jvmCores: rs.reduce((s, r) => s + (r.jvmCpuMs ?? 0), 0) / (seconds * 1000) }
      : {}),
  };
}

/** Runs of one worker count pooled: items/s over their summed time, machine busy and CPU per item. */
function pooledRuns(rs: readonly DueRun[], cores: number): Omit<DueByWorkers, 'workers' | 'ratio'> {
  const items = rs.reduce((s, r) => s + r.items, 0);
  const seconds = rs.reduce((s, r) => s + r.seconds, 0);
  const thread = pooledThread(rs);
  const workerMs = rs.reduce((s, r) => s + r.workerCpuMs, 0);
  const withMachine = rs.every((r) => r.machine);
  const withJvm = rs.every((r) => r.jvmCpuMs !== undefined);
  const jvmMs = rs.reduce((s, r) => s + (r.jvmCpuMs ?? 0), 0);
  return {
    perSecond: items / seconds,
    callsPerSecond: rs.reduce((s, r) => s + r.calls, 0) / seconds,
    ...(thread ? { thread } : {}),
    workerMsPerItem: workerMs / items,
    ...(withMachine
      ? {
          busy:
            rs.reduce((s, r) => s + (r.machine?.busy ?? 0), 0) /
            rs.reduce((s, r) => s + (r.machine?.total ?? 0), 0),
        }
      : {}),
    ...(withJvm
      ? {
          jvmMsPerItem: jvmMs / items,
          ours: (jvmMs + workerMs) / (seconds * 1000 * cores),
          jvmCores: jvmMs / (seconds * 1000),
        }
      : {}),
  };
}

async function ok(p: Promise<Reply>): Promise<Reply> {
  const r = await p;
  if (r.ok === false) throw new Error(`due worker: ${r.error}`);
  return r;
}

type Pool = ReturnType<typeof worker>[];

/**
 * DynamoDB Local's own ceiling: the metered call mix (the local SMS outbox's puts as plain puts)
 * replayed bare by 1, 2, 4 and 8 of the pool's processes, each through an SDK client of its own, one
 * call in flight, `seconds` a run, in the order 1, 2, 4, 8, 8, 4, 2, 1, on a table of its own.
 */
async function bareCeiling(o: {
  pool: Pool;
  jvm: number | undefined;
  client: DynamoDBClient;
  table: string;
  byLabel: readonly [string, { calls: number }][];
  localCalls: number;
  items: number;
  seconds: number;
  log: (s: string) => void;
}): Promise<DueScaleResult['bare']> {
  const labels: [string, { calls: number }][] = [...o.byLabel];
  if (o.localCalls > 0) labels.push(['Put LOCAL', { calls: o.localCalls }]);
  const { mix, leftOut } = callMix(labels, o.items);
  if (mix.length === 0 || !(o.seconds > 0)) return undefined;
  await createTable(o.client, o.table);
  const prefix = (i: number) => `p${i}`;
  await Promise.all(
    o.pool.map((w, i) => {
      w.child.send({ cmd: 'bare-seed', table: o.table, prefix: prefix(i) } satisfies Command);
      return ok(w.next());
    }),
  );
  o.log(
    `due scale: bare load, ${fixed(
      mix.reduce((s, m) => s + m.perItem, 0),
      2,
    )} calls per item (${mix.map((m) => `${m.label} ${fixed(m.perItem, 2)}`).join('; ')})`,
  );
  const runs: BareRun[] = [];
  for (const n of ORDER) {
    const from = startSample(o.jvm);
    const started = performance.now();
    const replies = await Promise.all(
      o.pool.slice(0, n).map((w, i) => {
        w.child.send({
          cmd: 'bare',
          table: o.table,
          prefix: prefix(i),
          mix,
          seconds: o.seconds,
        } satisfies Command);
        return ok(w.next());
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const sample = endSample(from, o.jvm);
    const run: BareRun = {
      clients: n,
      calls: replies.reduce((s, r) => s + (r.calls ?? 0), 0),
      seconds,
      perSecond: replies.reduce((s, r) => s + (r.calls ?? 0) / (r.seconds ?? seconds), 0),
      clientCpuMs: replies.reduce((s, r) => s + (r.cpuMs ?? 0), 0),
      ...sample,
    };
    runs.push(run);
    const busy = run.machine
      ? `, machine ${fixed((100 * run.machine.busy) / run.machine.total, 0)}% busy`
      : '';
    const jvmCores =
      run.jvmCpuMs !== undefined ? `, JVM ${fixed(run.jvmCpuMs / (seconds * 1000), 2)} cores` : '';
    const thread = run.thread
      ? `, busiest thread ${run.thread.name} ${fixed((100 * run.thread.cpuMs) / (seconds * 1000), 0)}% of a core (+ ${fixed((100 * (run.thread.waitMs ?? Number.NaN)) / (seconds * 1000), 0)}% waiting for one)`
      : '';
    o.log(`due scale: bare ${n} client(s): ${fixed(run.perSecond, 0)} calls/s${busy}${jvmCores}${thread}`);
  }
  const byClients = [1, 2, 4, 8].map((n): BareByClients => {
    const rs = runs.filter((r) => r.clients === n);
    const thread = pooledThread(rs);
    return {
      clients: n,
      perSecond: rs.reduce((s, r) => s + r.perSecond * r.seconds, 0) / rs.reduce((s, r) => s + r.seconds, 0),
      ...pooledSamples(rs),
      ...(thread ? { thread } : {}),
    };
  });
  return {
    mix,
    leftOut,
    seconds: o.seconds,
    runs,
    byClients,
    ceiling: Math.max(...byClients.map((b) => b.perSecond)),
  };
}

export async function runDueScale(opts: {
  dynamoEndpoint: string;
  region: string;
  log: (s: string) => void;
  /** Items of each kind in the whole backlog (an eighth of it per run). @default 800 */
  perKind?: number;
  /** Items of each kind in the warm-up backlog (an eighth per worker). @default 128 */
  warmPerKind?: number;
  /**
   * Items a worker works at once. @default 1: one worker then leaves the machine room (its busy
   * fraction is in the section), so the ratios measure the fan-out up to the machine's limit
   * (deployed: 8, runDueSlots' default).
   */
  concurrency?: number;
  /** Cores of the machine (the ceiling: cores / CPU per item). */
  cores: number;
  /** Seconds of each bare run (DynamoDB Local's ceiling). @default 3 */
  bareSeconds?: number;
}): Promise<DueScaleResult> {
  const perKind = opts.perKind ?? Number(process.env.DUE_SCALE_PER_KIND ?? 800);
  const warmPerKind = opts.warmPerKind ?? Number(process.env.DUE_SCALE_WARM_PER_KIND ?? 128);
  const concurrency = opts.concurrency ?? Number(process.env.DUE_SCALE_CONCURRENCY ?? 1);
  const tableName = `feedback-bench-due-${Date.now()}`;
  const warmTable = `${tableName}-warm`;
  const bareTable = `${tableName}-bare`;
  const client = new DynamoDBClient({
    endpoint: opts.dynamoEndpoint,
    region: opts.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(client, tableName);
  await createTable(client, warmTable);
  const jvm = findDynamoJvm(Number(new URL(opts.dynamoEndpoint).port));
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
    opts.log(`due scale: seeded in ${fixed(seeded.seconds ?? 0, 1)} s; seeding the warm-up backlog`);
    first.child.send({
      cmd: 'seed',
      perKind: warmPerKind,
      day: DUE_SCALE_DAY,
      table: warmTable,
    } satisfies Command);
    await ok(first.next());
    // Every worker works its eighth of the warm-up backlog, all at once, before any timed run.
    const warmStarted = performance.now();
    const warmed = await Promise.all(
      pool.map((w, i) => {
        const slots = Array.from({ length: DUE_SLOTS / pool.length }, (_, k) => i * 8 + k);
        w.child.send({ cmd: 'work', slots, at: AT, concurrency, table: warmTable } satisfies Command);
        return ok(w.next());
      }),
    );
    const warmSeconds = (performance.now() - warmStarted) / 1000;
    const warmItems = warmed.reduce((s, r) => s + itemsOf(r), 0);
    const warmFailed = warmed.reduce((s, r) => s + (r.result?.failed ?? 0), 0);
    opts.log(
      `due scale: ${pool.length} workers warmed on ${warmItems} items (${warmFailed} failed) in ${fixed(warmSeconds, 1)} s`,
    );

    const runs: DueRun[] = [];
    const outcomes: Record<string, number> = {};
    const usage: DueScaleResult['usage'] = { rcu: 0, wcu: 0, gsi: 0, calls: 0, localCalls: 0, byLabel: [] };
    const labels = new Map<string, { calls: number; rcu: number; wcu: number }>();
    for (const [segment, n] of ORDER.entries()) {
      const segmentSlots = Array.from({ length: DUE_SLOTS / ORDER.length }, (_, i) => segment * 8 + i);
      const groups = slotGroups(n, segmentSlots.length).map((g) => g.map((i) => segmentSlots[i] as number));
      const from = startSample(jvm);
      const started = performance.now();
      const replies = await Promise.all(
        groups.map((slots, i) => {
          const w = pool[i] as (typeof pool)[number];
          w.child.send({ cmd: 'work', slots, at: AT, concurrency } satisfies Command);
          return ok(w.next());
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const sample = endSample(from, jvm);
      const perWorker = replies.map(itemsOf);
      const items = perWorker.reduce((a, b) => a + b, 0);
      let failed = 0;
      let calls = 0;
      for (const r of replies) {
        calls += (r.usage?.calls ?? 0) + (r.usage?.localCalls ?? 0);
        usage.localCalls += r.usage?.localCalls ?? 0;
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
      const run: DueRun = {
        workers: n,
        items,
        seconds,
        perSecond: items / seconds,
        failed,
        perWorker,
        workerCpuMs: replies.reduce((s, r) => s + (r.cpuMs ?? 0), 0),
        calls,
        ...sample,
      };
      runs.push(run);
      const busy = run.machine
        ? ` machine ${fixed((100 * run.machine.busy) / run.machine.total, 0)}% busy,`
        : '';
      const thread = run.thread
        ? `, busiest JVM thread ${run.thread.name} ${fixed((100 * run.thread.cpuMs) / (seconds * 1000), 0)}% of a core (+ ${fixed((100 * (run.thread.waitMs ?? Number.NaN)) / (seconds * 1000), 0)}% waiting for one)`
        : '';
      opts.log(
        `due scale: ${n} worker(s): ${items} items in ${fixed(seconds, 2)} s (${fixed(items / seconds, 0)}/s, ${fixed(calls / seconds, 0)} calls/s),${busy} CPU ms/item JVM ${fixed((run.jvmCpuMs ?? Number.NaN) / items, 1)} workers ${fixed(run.workerCpuMs / items, 1)}${thread}`,
      );
    }
    usage.byLabel = [...labels.entries()].sort((a, b) => b[1].calls - a[1].calls);
    const one = pooledRuns(
      runs.filter((r) => r.workers === 1),
      opts.cores,
    ).perSecond;
    const byWorkers = [1, 2, 4, 8].map((n) => {
      const p = pooledRuns(
        runs.filter((r) => r.workers === n),
        opts.cores,
      );
      return { workers: n, ...p, ratio: p.perSecond / one };
    });
    const itemsMetered = runs.reduce((s, r) => s + r.items, 0);
    const bare = await bareCeiling({
      pool,
      jvm,
      client,
      table: bareTable,
      byLabel: usage.byLabel,
      localCalls: usage.localCalls,
      items: itemsMetered,
      seconds: opts.bareSeconds ?? Number(process.env.DUE_SCALE_BARE_SECONDS ?? 3),
      log: opts.log,
    });
    return {
      perKind,
      seedSeconds: seeded.seconds ?? 0,
      runs,
      byWorkers,
      outcomes,
      usage,
      itemsMetered,
      concurrency,
      warmPerKind,
      warmSeconds,
      cores: opts.cores,
      jvmFound: jvm !== undefined,
      ...(bare ? { bare } : {}),
    };
  } finally {
    for (const w of pool) {
      w.child.send({ cmd: 'exit' } satisfies Command);
    }
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    await client.send(new DeleteTableCommand({ TableName: warmTable })).catch(() => undefined);
    await client.send(new DeleteTableCommand({ TableName: bareTable })).catch(() => undefined);
    client.destroy();
  }
}
