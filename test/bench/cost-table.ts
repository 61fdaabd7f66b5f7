// Over 350 lines on purpose: two sections of BENCHMARKS.md (due work that scales out; what a survey
// costs), each its measurement, its AWS arithmetic and its dated price list.
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Deps } from '#shared/app/deps';
import { runDueSlots } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { listAlerts } from '#shared/gateways/alerts/local';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import type { PinnableClock } from '#shared/runtime/clock';
import { ddb, storeSettings, useDb } from '#shared/store/client';
import { createTable } from '#shared/store/create-table';
import { dueSlotNumbers } from '#shared/store/due';
import { functionSpecs } from '../../infra/functions.ts';
import { type DueScaleResult, type PooledThread, runDueScale } from './due-scale.ts';
import { emptyUsage, installMeter, measure, sumUsage, type Usage } from './meter.ts';
import { dueLimit } from './proc-cpu.ts';
import { fixed, table } from './stats.ts';

// --- Prices: each from a public page, read on the date given; none is invented. ----------------
const READ_ON = '2026-12-01';
export const PRICES = {
  lambdaArmGbSecondUsd: {
    value: 0.0000133334,
    source:
      'AWS Lambda, Arm, first 7.5 billion GB-s a month, US East (N. Virginia): https://aws.amazon.com/lambda/pricing/ (figure as quoted by https://cloudchipr.com/blog/aws-lambda-pricing, 2024)',
  },
  lambdaRequestUsd: {
    value: 0.2 / 1e6,
    source: 'AWS Lambda requests, $0.20 per million: https://aws.amazon.com/lambda/pricing/',
  },
  dynamoWriteUsd: {
    value: 0.625 / 1e6,
    source:
      'DynamoDB on-demand, $0.625 per million write request units, us-east-1, after the November 2024 cut: https://aws.amazon.com/dynamodb/pricing/on-demand/ (as quoted by https://airbyte.com/data-engineering-resources/dynamodb-pricing, 2025-07-21)',
  },
  dynamoReadUsd: {
    value: 0.125 / 1e6,
    source: 'DynamoDB on-demand, $0.125 per million read request units, us-east-1 (same pages)',
  },
  httpApiRequestUsd: {
    value: 1.0 / 1e6,
    source:
      'API Gateway HTTP API, $1.00 per million requests (first 300 million a month), us-east-1: https://aws.amazon.com/api-gateway/pricing/ (as quoted by https://awsforengineers.com/blog/aws-api-gateway-pricing-explained, 2025-05-19)',
  },
  aliyunSmsCny: {
    value: 0.045,
    source:
      'Aliyun SMS, Chinese mainland notification messages "start at CNY 0.045 per message": https://help.aliyun.com/en/sms/getting-started/get-started-with-sms',
  },
  tencentSmsCny: {
    value: 0.045,
    source:
      'Tencent Cloud SMS, Chinese mainland text SMS, package of 10,000 for CNY 450 (0.045 a message; 0.036 in the 3-million package): qcloud-documents 价格总览 (https://github.com/hainingzhang/qcloud-documents/blob/master/%E4%BB%B7%E6%A0%BC%E6%80%BB%E8%A7%88.md, a mirror of the Tencent Cloud price page; its date is not shown); the current page https://www.tencentcloud.com/document/product/382/45479 (updated 2024-01-18) could not be read in full here',
  },
} as const;
/** Only to add SMS (CNY) and AWS (USD) into shares: an assumption, not a quoted rate. */
const CNY_PER_USD = 7.1;

// --- What one survey costs, metered through the use cases ----------------------------------------

interface PathStep {
  name: string;
  usage: Usage;
  ms: number;
  /** Lambda invocations this step is, as deployed (scheduler ticks counted apart). */
  invocations: number;
  apiRequests: number;
}
interface PathResult {
  path: 'satisfied' | 'dissatisfied';
  steps: PathStep[];
  segments: number;
  messages: number;
  alerts: number;
}

/** Due-index queries belong to the tick, not the survey: counted apart. */
const isTickQuery = (label: string) => label.startsWith('Query gsi1 DUE');
function without(u: Usage, drop: (label: string) => boolean): Usage {
  const out = emptyUsage();
  for (const [label, l] of u.byLabel) {
    if (drop(label)) continue;
    out.byLabel.set(label, { ...l });
    out.calls += l.calls;
    out.rcu += l.rcu;
    out.wcu += l.wcu;
    out.gsi += l.gsi;
  }
  return out;
}

async function meterPath(
  deps: Deps,
  clock: PinnableClock,
  path: PathResult['path'],
  n: number,
): Promise<PathResult> {
  const phone = `1390000${String(n).padStart(4, '0')}`;
  const e164 = `+86${phone}`;
  const pin = (iso: string) => clock.pin(new Date(iso));
  const steps: PathStep[] = [];
  const alertsBefore = (await listAlerts()).length;
  const step = async <T>(name: string, inv: number, api: number, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const { result, usage } = await measure(fn);
    steps.push({
      name,
      usage: without(usage, isTickQuery),
      ms: performance.now() - started,
      invocations: inv,
      apiRequests: api,
    });
    return result;
  };
  const due = () => runDueSlots(deps, { slots: dueSlotNumbers() });
  const reply = (body: string) =>
    handleInboundSms(deps, {
      originationNumber: e164,
      destinationNumber: '+8610690000',
      messageBody: body,
      inboundMessageId: `cost-${randomUUID()}`,
    });
  pin('2027-02-02T10:00:00+08:00');
  const ticket = ticketCompletedSchemaAt(clock).parse({
    ticketId: `COST-${path}-${n}`,
    source: 'ossA',
    segment: 'home',
    kind: 'repair',
    area: 'urban',
    faultType: 'line',
    completedAt: '2027-02-02T09:50:00+08:00',
    engineer: { id: `E-cost-${n}`, name: '王师傅', team: 'T-cost', region: 'R-cost' },
    customer: { phone, name: '李女士' },
  });
  await step('webhook (ticket-completed)', 1, 1, () => acceptTicket(deps, ticket));
  pin('2027-02-02T10:01:00+08:00');
  await step('plan (due worker)', 0, 0, due);
  pin('2027-02-02T10:21:00+08:00');
  await step('send + SMS (due worker; SMS written leased, then marked sent with its message id)', 0, 0, due);
  pin('2027-02-02T10:30:00+08:00');
  if (path === 'satisfied') {
    const r = await step('rating 1 (sms-inbound)', 1, 0, () => reply('1'));
    if (r !== 'rated') throw new Error(`satisfied path: ${r}`);
  } else {
    const r = await step('rating 3 + question + alert (sms-inbound)', 1, 0, () => reply('3'));
    if (r !== 'rated') throw new Error(`dissatisfied path: ${r}`);
    pin('2027-02-02T10:33:00+08:00');
    const s = await step('reasons + thank-you (sms-inbound)', 1, 0, () => reply('1 5 师傅迟到了'));
    if (s !== 'reasons') throw new Error(`dissatisfied path: ${s}`);
  }
  clock.pin(undefined);
  const sent = await listOutbox(e164);
  const alerts = (await listAlerts()).length - alertsBefore;
  return {
    path,
    steps,
    segments: sent.reduce((s, m) => s + m.segments, 0),
    messages: sent.length,
    alerts,
  };
}

/** Both paths on a table of their own (the store pointed at it meanwhile, then back). */
async function meterPaths(
  sys: { deps: Deps; clock: PinnableClock; dynamoEndpoint: string },
  region: string,
): Promise<PathResult[]> {
  try {
    installMeter(ddb);
  } catch {} // already installed by the full run
  const before = storeSettings();
  const table = `feedback-bench-cost-${Date.now()}`;
  const client = new DynamoDBClient({
    endpoint: sys.dynamoEndpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(client, table);
  client.destroy();
  useDb({ ...before, table });
  try {
    const out: PathResult[] = [];
    // a first pair warms the code paths; the second is the one reported
    for (const [i, path] of (['satisfied', 'dissatisfied', 'satisfied', 'dissatisfied'] as const).entries()) {
      const r = await meterPath(sys.deps, sys.clock, path, i);
      if (i >= 2) out.push(r);
    }
    return out;
  } finally {
    useDb(before);
  }
}

// --- Rendering --------------------------------------------------------------------------------------

const usd = (v: number) => (v >= 0.01 ? `$${v.toFixed(3)}` : `$${v.toFixed(5)}`);
const cny = (v: number) => `¥${v.toFixed(3)}`;
const memoryGb = (name: keyof typeof functionSpecs) => (functionSpecs[name].memorySize ?? 512) / 1024;

function costSection(paths: PathResult[]): string[] {
  const rows: string[][] = [];
  const per = (p: PathResult) => {
    const u = sumUsage(p.steps.map((s) => s.usage));
    const invocations = p.steps.reduce((s, x) => s + x.invocations, 0);
    const api = p.steps.reduce((s, x) => s + x.apiRequests, 0);
    // GB-s: each step's measured time here at the memory of the function that runs it
    const gbs = p.steps.reduce((s, x) => s + (x.ms / 1000) * memoryGb('due-worker'), 0);
    return { u, invocations, api, gbs };
  };
  const lines: string[] = [
    '## What a survey costs (per 1,000 surveys)',
    '',
    'Each path metered once through the use cases in-process on a table of its own (clock pinned; a first',
    'pair of runs warms the code, the second is reported): completion webhook -> planned and sent by a due',
    'worker -> the customer replies `1` (satisfied) or `3` then `1 5 师傅迟到了` (dissatisfied: reasons question,',
    "supervisors' alert, thank-you). DynamoDB capacity is what DynamoDB Local reports (`ReturnConsumedCapacity`,",
    'GSIs included; billed per request unit on demand: 1 WRU per KB written, 2 in a transaction; 0.5 / 1 RRU per',
    '4 KB read). The due-index queries of the ticks are counted apart (a tick serves every survey due in that',
    `minute). Lambda: ${fixed(memoryGb('due-worker') * 1024, 0)} MB (infra/functions.ts), durations = each step's measured time here (an`,
    "upper bound: the due worker's steps include the 64 due-index queries of their run; on AWS the DynamoDB",
    'calls are faster than DynamoDB Local on this shared machine, the SMS provider call slower). API Gateway: the webhook; the dissatisfied path adds an agent working the',
    'callback case in the dashboard (list, case, note, close: 4 requests, stated, not metered; their',
    'DynamoDB capacity is not included). Replies arrive through SNS (End User Messaging); with Aliyun or Tencent',
    'each reply and receipt is one more API Gateway request (their push callbacks).',
    '',
  ];
  const priced = paths.map((p) => {
    const x = per(p);
    const api = x.api + (p.path === 'dissatisfied' ? 4 : 0);
    const k = 1000;
    const items = {
      sms: p.segments * k * PRICES.aliyunSmsCny.value,
      wcu: x.u.wcu * k * PRICES.dynamoWriteUsd.value,
      rcu: x.u.rcu * k * PRICES.dynamoReadUsd.value,
      lambdaReq: x.invocations * k * PRICES.lambdaRequestUsd.value,
      lambdaGbs: x.gbs * k * PRICES.lambdaArmGbSecondUsd.value,
      api: api * k * PRICES.httpApiRequestUsd.value,
    };
    const awsUsd = items.wcu + items.rcu + items.lambdaReq + items.lambdaGbs + items.api;
    const totalCny = items.sms + awsUsd * CNY_PER_USD;
    return { p, x, api, items, awsUsd, totalCny };
  });
  const share = (cnyValue: number, total: number) => `${fixed((100 * cnyValue) / total, 1)}%`;
  for (const r of priced) {
    const t = r.totalCny;
    rows.push(
      [`**${r.p.path}**`, '', '', '', ''],
      [
        'SMS to the customer (segments; Aliyun / Tencent)',
        `${r.p.segments * 1000} (${r.p.messages} messages each, ${r.p.segments} segments)`,
        `${cny(PRICES.aliyunSmsCny.value)} / ${cny(PRICES.tencentSmsCny.value)} a segment`,
        cny(r.items.sms),
        share(r.items.sms, t),
      ],
      [
        'DynamoDB write request units',
        fixed(r.x.u.wcu * 1000, 0),
        '$0.625 / million',
        usd(r.items.wcu),
        share(r.items.wcu * CNY_PER_USD, t),
      ],
      [
        'DynamoDB read request units',
        fixed(r.x.u.rcu * 1000, 0),
        '$0.125 / million',
        usd(r.items.rcu),
        share(r.items.rcu * CNY_PER_USD, t),
      ],
      [
        'Lambda invocations (webhook, replies; ticks apart)',
        String(r.x.invocations * 1000),
        '$0.20 / million',
        usd(r.items.lambdaReq),
        share(r.items.lambdaReq * CNY_PER_USD, t),
      ],
      [
        'Lambda GB-seconds (arm64)',
        fixed(r.x.gbs * 1000, 1),
        '$0.0000133334 / GB-s',
        usd(r.items.lambdaGbs),
        share(r.items.lambdaGbs * CNY_PER_USD, t),
      ],
      [
        'API Gateway HTTP API requests',
        String(r.api * 1000),
        '$1.00 / million',
        usd(r.items.api),
        share(r.items.api * CNY_PER_USD, t),
      ],
      [
        `**total per 1,000 ${r.p.path}**`,
        '',
        '',
        `**${cny(r.items.sms)} + ${usd(r.awsUsd)} (≈ ${cny(t)})**`,
        '100%',
      ],
    );
  }
  lines.push(table(['component', 'quantity per 1,000 surveys', 'unit price', 'cost', 'share'], rows), '');
  lines.push(
    "Per step (one survey; capacity as DynamoDB Local reports it, the ticks' due-index queries left out):",
    '',
    table(
      ['path', 'step', 'WCU', 'RCU', 'calls', 'ms here'],
      paths.flatMap((p) =>
        p.steps.map((s) => [
          p.path,
          s.name,
          fixed(s.usage.wcu, 1),
          fixed(s.usage.rcu, 1),
          s.usage.calls,
          fixed(s.ms, 1),
        ]),
      ),
    ),
    '',
    `**SMS is ${share(priced[0]?.items.sms ?? 0, priced[0]?.totalCny ?? 1)} (satisfied) and ${share(priced[1]?.items.sms ?? 0, priced[1]?.totalCny ?? 1)} (dissatisfied) of the cost**: `,
    'a budget is the SMS segments; everything AWS bills for a survey is a rounding error beside them. The',
    'fixed part is the schedule: the scheduler and DUE_WORKERS due workers are invoked every minute whatever',
    'is due (1,440 x (1 + DUE_WORKERS) invocations a day, each reading its slots: 64 queries a tick, at least',
    '0.5 RRU each, about 46,000 RRU a day, $0.006 at us-east-1 prices); spread over 1,000 surveys a day it',
    'adds 7,200 invocations (with 4 workers) and their idle time, over 100,000 a day 72.',
    '',
    `Prices (read ${READ_ON}; each from the page named):`,
    '',
    ...Object.values(PRICES).map((p) => `- ${p.source}.`),
    `- Shares add CNY and USD at ${CNY_PER_USD} CNY per USD: an assumption for the shares only, not a quoted rate.`,
    '- **Not confirmed, so not priced**: the AWS China regions (cn-north-1 Beijing, cn-northwest-1 Ningxia) in CNY',
    '  for Lambda, DynamoDB and API Gateway: their price pages (https://www.amazonaws.cn/en/lambda/pricing/,',
    '  https://www.amazonaws.cn/en/dynamodb/pricing/, https://www.amazonaws.cn/en/api-gateway/pricing/) could not',
    '  be read from here; multiply the quantities above by their unit prices. Also unpriced: SNS (the alert',
    '  topic, and SMS through End User Messaging, which this system uses outside China), data transfer, logs.',
    '',
  );
  return lines;
}

/** The due-work section: measured scaling and the AWS arithmetic from the measured per-item cost. */
function dueScaleSection(d: DueScaleResult): string[] {
  const items = d.itemsMetered;
  const perItem = { wcu: d.usage.wcu / items, rcu: d.usage.rcu / items, calls: d.usage.calls / items };
  const txPerItem =
    d.usage.byLabel.filter(([k]) => k.startsWith('TransactWrite')).reduce((s, [, v]) => s + v.calls, 0) /
    items;
  // The measured limit: the lower of the machine's CPU (>= 90% busy) and DynamoDB Local's ceiling (our
  // calls/s >= 90% of what the same call mix reaches bare, without our code).
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${fixed(100 * v, 0)}%`);
  const threadCell = (t: PooledThread | undefined) =>
    t ? `${t.name} ${pct(t.share)} + ${pct(t.waiting)}` : 'n/a';
  const bare = d.bare;
  const ofCeiling = (r: { callsPerSecond: number }) => (bare ? r.callsPerSecond / bare.ceiling : undefined);
  const measured = d.byWorkers.every((r) => r.busy !== undefined);
  const limit = measured
    ? dueLimit(
        d.byWorkers.map((r) => {
          const of = ofCeiling(r);
          return { workers: r.workers, busy: r.busy ?? 0, ...(of !== undefined ? { ofCeiling: of } : {}) };
        }),
      )
    : undefined;
  const met = (r: { workers: number; ratio: number }) => r.ratio >= 0.8 * r.workers;
  const within = d.byWorkers.filter((r) => limit === undefined || r.workers <= limit.workers);
  const status = (r: { workers: number; ratio: number }) =>
    limit !== undefined && r.workers > limit.workers
      ? 'beyond the limit here'
      : met(r)
        ? '**met**'
        : 'not met';
  const at = d.byWorkers.find((r) => r.workers === limit?.workers);
  const cpuWhy = at ? `the machine was ${pct(at.busy)} busy (limit: 90%)` : '';
  const dynamoWhy =
    at && bare
      ? `our workers made ${fixed(at.callsPerSecond, 0)} DynamoDB calls/s, ${pct(ofCeiling(at))} of DynamoDB Local's bare ceiling of ${fixed(bare.ceiling, 0)} calls/s (limit: 90%)`
      : '';
  const limitText = !measured
    ? 'not measured (no /proc here)'
    : limit === undefined
      ? `not reached: up to 8 workers the machine stayed under 90% busy${bare ? " and our calls/s under 90% of DynamoDB Local's bare ceiling" : ' (bare ceiling not measured)'}`
      : `${limit.workers} worker(s), ${
          limit.cause === 'cpu'
            ? `the CPU: ${cpuWhy}`
            : limit.cause === 'dynamodb-local'
              ? `DynamoDB Local's ceiling: ${dynamoWhy}`
              : `both the CPU and DynamoDB Local's ceiling: ${cpuWhy}, and ${dynamoWhy}`
        }`;
  const goal = !measured
    ? "not shown: the machine's busy fraction could not be read"
    : limit?.workers === 1
      ? `not shown here: one worker already reaches the limit (${limitText}), so more workers cannot add throughput on this machine and the scaling cannot be shown on it`
      : within.every(met)
        ? `met up to ${limit?.workers ?? 8} workers (${within.map((r) => `${r.workers}: ${fixed(r.ratio, 2)}x`).join(', ')})`
        : `not met: ${within
            .filter((r) => !met(r))
            .map((r) => `${r.workers} workers ${fixed(r.ratio, 2)}x (needs ${fixed(0.8 * r.workers, 1)}x)`)
            .join(', ')}; limit here: ${limitText}`;
  // Where the CPU went, all runs together.
  const jvmMs = d.runs.reduce((s, r) => s + (r.jvmCpuMs ?? 0), 0);
  const workerMs = d.runs.reduce((s, r) => s + r.workerCpuMs, 0);
  const cpuPerItem = d.jvmFound ? (jvmMs + workerMs) / items : Number.NaN;
  const ceiling = (d.cores * 1000) / cpuPerItem;
  const best = d.byWorkers.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const one = d.byWorkers.find((r) => r.workers === 1);
  // The JVM's busiest thread, measured per run: one thread near a full core while throughput stays
  // flat is the limit.
  const threads = [...d.byWorkers, ...(bare?.byClients ?? [])].flatMap((r) => (r.thread ? [r.thread] : []));
  const top = threads.reduce<(typeof threads)[number] | undefined>(
    (a, b) => (!a || b.share > a.share ? b : a),
    undefined,
  );
  const flat = d.byWorkers.filter((r) => r.workers > 1 && !met(r));
  const maxJvm = Math.max(
    ...[...d.byWorkers, ...(bare?.byClients ?? [])].map((r) => r.jvmCores ?? Number.POSITIVE_INFINITY),
  );
  // Bare client counts above one that gained under 25% on one client while the machine had a core to spare.
  const bareOneRate = bare?.byClients.find((b) => b.clients === 1)?.perSecond ?? Number.NaN;
  const bareIdle = (bare?.byClients ?? []).filter(
    (b) => b.clients > 1 && b.perSecond < 1.25 * bareOneRate && (b.busy ?? 1) < 0.9,
  );
  const bareOne = bare?.byClients.find((b) => b.clients === 1);
  const bareEight = bare?.byClients.find((b) => b.clients === 8);
  // Running or waiting for a core: the share of the time the thread had work (the rest it slept, waiting for jobs).
  const ready = (t: PooledThread) => t.share + (t.waiting ?? 0);
  const topReady = threads.reduce<PooledThread | undefined>(
    (a, b) => (!a || ready(b) > ready(a) ? b : a),
    undefined,
  );
  const threadNote = !top
    ? [
        "The JVM's threads could not be read (no /proc, or the JVM not found): the limit inside it is not measured.",
      ]
    : [
        `**The JVM's busiest thread, measured** (per thread: CPU time from /proc/<pid>/task/<tid>/stat, time runnable but waiting for a core from its schedstat, each run): \`${top.name}\`, at most ${pct(top.share)} of one core`,
        `(due runs: ${d.byWorkers.map((r) => `${r.workers} worker(s) ${pct(r.thread?.share)} + ${pct(r.thread?.waiting)} waiting`).join(', ')}; the whole JVM ${d.byWorkers.map((r) => fixed(r.jvmCores ?? Number.NaN, 2)).join(' / ')} cores).`,
        ...(top.name.startsWith('SQLiteQueue')
          ? [
              "That thread is sqlite4java's job queue. DynamoDB Local keeps its data in SQLite through sqlite4java, and in",
              'sqlite4java "The job queue\'s function is to start a separate thread, which will host the connection, and queue job',
              'tasks from other threads for asynchronous execution" (https://bitbucket.org/almworks/sqlite4java/wiki/JobQueue):',
              "the database's jobs run on that one thread, one at a time, whatever the number of HTTP threads in front of it.",
            ]
          : []),
        top.share >= 0.9 && flat.length > 0
          ? `**The limit here is that one thread**: it ran at ${pct(top.share)} of a core while throughput stayed flat (${flat.map((r) => `${r.workers} workers ${fixed(r.ratio, 2)}x`).join(', ')}); more workers only queue on it.`
          : topReady && ready(topReady) >= 0.9
            ? `It never ran a full core (at most ${pct(top.share)}), but at its busiest it was on a core or waiting for one ${pct(ready(topReady))} of the time (${pct(topReady.share)} + ${pct(topReady.waiting)}): the one thread had work nearly all along and was held back by the shared cores, so here the CPU, through that thread, is the limit.`
            : `No thread was near a full core (at most ${pct(top.share)}; on a core or waiting for one at most ${pct(topReady ? ready(topReady) : undefined)} of the time): one thread's CPU is not what holds throughput flat here.`,
        ...(bareIdle.length > 0 && top.share < 0.9
          ? [
              `Yet DynamoDB Local's bare calls/s stayed flat with cores idle (${bareIdle.map((b) => `${b.clients} client(s): ${fixed(b.perSecond, 0)} calls/s, machine ${pct(b.busy)} busy, JVM ${fixed(b.jvmCores ?? Number.NaN, 2)} cores`).join('; ')}),`,
              `and the whole JVM never used more than ${fixed(maxJvm, 2)} of a core in any run: its work is serialised across its threads (each request's`,
              'HTTP thread and the queue thread in turn, one request at a time: a lock or the hand-offs between them; where exactly is',
              'not traced), not by one thread running flat out. Measured, that is a ceiling of DynamoDB Local, not of the cores.',
            ]
          : []),
      ];
  const bareNote = !bare
    ? ["DynamoDB Local's bare ceiling: not measured (no call of the mix could be replayed)."]
    : [
        `**DynamoDB Local's own ceiling, without our code**: the same call mix (${fixed(
          bare.mix.reduce((s, m) => s + m.perItem, 0),
          2,
        )} calls per due item, the local SMS outbox's puts included: DynamoDB Local serves them here) replayed bare by 1, 2, 4 and 8`,
        `of the same processes, each through an SDK client of its own (no store code, no use case), one call in flight, ${bare.seconds} s a run,`,
        `in the order 1, 2, 4, 8, 8, 4, 2, 1, on a table of its own (test/bench/dynamo-bare.ts; approximate shapes: items of about half a KB,`,
        `a due-index query of up to 8 of them, transactions of as many parts as metered${bare.leftOut.length > 0 ? `; not replayed: ${bare.leftOut.join(', ')}` : ''}).`,
        '',
        table(
          [
            'clients',
            'calls/s (two runs pooled)',
            'machine busy',
            'JVM cores used',
            "JVM's busiest thread: on a core + waiting for one",
          ],
          bare.byClients.map((b) => [
            b.clients,
            fixed(b.perSecond, 0),
            pct(b.busy),
            fixed(b.jvmCores ?? Number.NaN, 2),
            threadCell(b.thread),
          ]),
        ),
        '',
        `Bare calls/s from 1 to 8 clients: ${fixed(bareOne?.perSecond ?? Number.NaN, 0)} -> ${fixed(bareEight?.perSecond ?? Number.NaN, 0)} (${fixed((bareEight?.perSecond ?? Number.NaN) / (bareOne?.perSecond ?? Number.NaN), 2)}x);`,
        `the ceiling is the best of them, **${fixed(bare.ceiling, 0)} calls/s**. Against it, our workers: ${d.byWorkers
          .map((r) => `${r.workers} worker(s) ${fixed(r.callsPerSecond, 0)} calls/s = ${pct(ofCeiling(r))}`)
          .join(', ')}.`,
        `How far DynamoDB Local itself scales on this machine, without our code (bare calls/s against 1 client): ${bare.byClients
          .filter((b) => b.clients > 1)
          .map((b) => `${b.clients} clients ${fixed(b.perSecond / bareOneRate, 2)}x`)
          .join(
            ', ',
          )}; so no client of it can reach 0.8 x its count here. Our workers against that same curve (our ratio / the bare ratio): ${d.byWorkers
          .filter((r) => r.workers > 1)
          .map((r) => {
            const b = bare.byClients.find((x) => x.clients === r.workers);
            return `${r.workers} workers ${b ? pct(r.ratio / (b.perSecond / bareOneRate)) : 'n/a'}`;
          })
          .join(', ')}.`,
      ];
  // AWS arithmetic (assumptions stated in the text below)
  // AWS arithmetic (assumptions stated in the text below)
  const completions = 100;
  const duePerCompletion = { plan: 1, send: 1, remind: 0.5, expire: 0.3, other: 0.1 };
  const dueRate = completions * Object.values(duePerCompletion).reduce((a, b) => a + b, 0);
  const smsShare = (duePerCompletion.send + duePerCompletion.remind) / (dueRate / completions);
  const msRead = 5;
  const msTx = 15;
  const msSms = 100;
  const latencyMs = (perItem.calls - txPerItem) * msRead + txPerItem * msTx + smsShare * msSms;
  const deployed = 8; // items in flight per worker as deployed (runDueSlots' default)
  const perWorker = (deployed * 1000) / latencyMs;
  const workers = Math.ceil((2 * dueRate) / perWorker);
  const wcuRate = dueRate * perItem.wcu + completions * 3;
  const lines = [
    '## Due work scales out',
    '',
    `A backlog of ${4 * d.perKind} due items seeded through the use cases (${d.perKind} each: a completion to plan, a survey to`,
    'send, one to remind, one to expire; 500 engineers, one phone per ticket) on a table of its own, then worked',
    'by 1, 2, 4 and 8 due workers, **each a process of its own** (test/bench/due-scale-worker.ts, forked) running',
    "`runDueSlots`, functions/due-worker's code, against the same DynamoDB Local, " +
      `${d.concurrency} items at a time per worker (see below).`,
    'The 64 slots are cut into 8 segments of 8 slots; each run works one segment (its eighth of the backlog),',
    'its slots split among its workers as the scheduler splits all 64 (domain/due-slots.ts). Runs in the order',
    `1, 2, 4, 8, 8, 4, 2, 1 (so drift on the shared machine weighs on each count alike); seeding took ${fixed(d.seedSeconds, 0)} s.`,
    `Before the first run all 8 workers work a warm-up backlog of their own (${4 * d.warmPerKind} items of the same kinds on a second`,
    `table, an eighth each; ${fixed(d.warmSeconds, 1)} s), so no timed run pays for a fresh process (code compiled, connections open).`,
    "Time = from the start signal to the last worker done, as the parent sees it. CPU: the machine's busy fraction",
    `over the run from /proc/stat (all ${d.cores} cores, every process on the machine, other people's work included), the DynamoDB Local`,
    "JVM's CPU time from /proc/<pid>/stat, each worker's from process.cpuUsage() around its work; ceiling = cores / CPU per item.",
    '',
    table(
      [
        'run',
        'workers',
        'items',
        'seconds',
        'items/s',
        'items per worker',
        'failed',
        'machine busy',
        'CPU ms/item JVM',
        'workers',
        'total',
        'ceiling items/s',
        'DynamoDB calls/s',
        "JVM's busiest thread: on a core + waiting for one",
      ],
      d.runs.map((r, i) => {
        const total = r.jvmCpuMs === undefined ? Number.NaN : (r.jvmCpuMs + r.workerCpuMs) / r.items;
        return [
          i + 1,
          r.workers,
          r.items,
          fixed(r.seconds, 2),
          fixed(r.perSecond, 0),
          r.perWorker.join(' / '),
          r.failed,
          pct(r.machine ? r.machine.busy / r.machine.total : undefined),
          fixed((r.jvmCpuMs ?? Number.NaN) / r.items, 1),
          fixed(r.workerCpuMs / r.items, 1),
          fixed(total, 1),
          fixed((d.cores * 1000) / total, 0),
          fixed(r.calls / r.seconds, 0),
          threadCell(
            r.thread && {
              name: r.thread.name,
              share: r.thread.cpuMs / (r.seconds * 1000),
              ...(r.thread.waitMs !== undefined ? { waiting: r.thread.waitMs / (r.seconds * 1000) } : {}),
            },
          ),
        ];
      }),
    ),
    '',
    table(
      [
        'workers',
        'items/s (two runs pooled)',
        'ratio to 1 worker',
        'machine busy',
        'JVM + workers, share of the cores',
        'CPU ms/item (JVM + workers)',
        'JVM cores used',
        "JVM's busiest thread: on a core + waiting for one",
        'DynamoDB calls/s (of the bare ceiling)',
        'goal 0.8 x workers',
      ],
      d.byWorkers.map((r) => [
        r.workers,
        fixed(r.perSecond, 0),
        `${fixed(r.ratio, 2)}x`,
        pct(r.busy),
        pct(r.ours),
        `${fixed(r.jvmMsPerItem ?? Number.NaN, 1)} + ${fixed(r.workerMsPerItem, 1)}`,
        fixed(r.jvmCores ?? Number.NaN, 2),
        threadCell(r.thread),
        `${fixed(r.callsPerSecond, 0)} (${pct(ofCeiling(r))})`,
        status(r),
      ]),
    ),
    '',
    `Outcomes over all runs: ${Object.entries(d.outcomes)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    ...bareNote,
    '',
    ...threadNote,
    '',
    "The limit is the lower of two, each measured: the machine's CPU (at least 90% busy) and DynamoDB Local's ceiling (our",
    'DynamoDB calls/s at least 90% of the bare ceiling above); the goal holds up to it.',
    '',
    `**Goal (throughput at least 0.8 x workers, up to the measured limit): ${goal}.**`,
    `The limit, measured: **${limitText}**. Where the CPU goes (all runs): ${fixed(jvmMs / items, 1)} ms per due item in the`,
    `DynamoDB Local JVM + ${fixed(workerMs / items, 1)} ms in the workers = ${fixed(cpuPerItem, 1)} ms, so ${d.cores} cores can work at most`,
    `**${fixed(ceiling, 0)} items/s** here whatever the worker count (best seen: ${fixed(best.perSecond, 0)} items/s at ${best.workers} workers).`,
    'The machine busy fraction includes whatever else ran (see the load average); beside it, the share of the cores',
    `the JVM and the workers used: the rest is other work on this shared machine (at 1 worker: ${pct(one?.busy)} busy, ${pct(one?.ours)} ours).`,
    `Each worker works ${d.concurrency} item(s) at a time here (deployed: 8, runDueSlots' default; DUE_SCALE_CONCURRENCY), so that one`,
    `worker alone uses ${pct(one?.ours)} of the cores (JVM + worker) and leaves the rest for more workers: the ratios then show the`,
    'fan-out up to the limit. CPU per item rises with the worker count (more processes, each doing less per wake-up, and',
    'more connections into the one JVM).',
    'On AWS the workers share nothing but the table, whose partitions (below) are far from their limits: this ceiling',
    "is the test machine's, not the design's.",
    '',
    `Calls per due item: ${d.usage.byLabel.map(([k, v]) => `${k} ${fixed(v.calls / items, 2)}`).join('; ')}.`,
    '',
    `**Per due item (measured over these runs)**: ${fixed(perItem.calls, 2)} DynamoDB calls (${fixed(txPerItem, 2)} of them a`,
    `\`TransactWriteItems\`), ${fixed(perItem.wcu, 1)} WCU and ${fixed(perItem.rcu, 1)} RCU (GSIs included; the local SMS outbox not counted).`,
    '',
    '**On AWS, 100 completions/s sustained (8.6 million a day), every survey sent within 60 s of its due time:**',
    '',
    `- Due items: per completion ${Object.entries(duePerCompletion)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )} (assumed: half the surveys unanswered after 24 h, 30% at expiry, 10% other: callback deadlines, SMS retries) = **${fixed(dueRate, 0)} due items/s**.`,
    `- Per-item latency on AWS: ${fixed(perItem.calls - txPerItem, 2)} reads/queries at ${msRead} ms + ${fixed(txPerItem, 2)} transactions at ${msTx} ms + the SMS`,
    `  provider call (about ${fixed(100 * smsShare, 0)}% of items) at ${msSms} ms = **${fixed(latencyMs, 0)} ms**. Assumed: DynamoDB "delivers single-digit`,
    '  millisecond performance at any scale" (https://aws.amazon.com/dynamodb/, the product page), taken as 5 ms for a',
    '  read and 15 ms for a transaction (its two phases); the SMS API call at 100 ms is our assumption, not measured.',
    `- One worker with ${deployed} in flight (as deployed): ${fixed(perWorker, 0)} items/s. With 2x headroom (peaks, retries): **${workers} workers**`,
    `  (DUE_WORKERS=${Math.max(workers, 8)} recommended, or more in flight per worker). Each worker drains its slots every tick; with`,
    '  `DUE_FOLLOW_SECONDS=5` it reads them again every 5 s until its deadline, so an item falling due between',
    '  ticks is sent within about 5 s + its own time, inside the 60 s (without it: up to a minute later).',
    `- Lambda concurrency: due workers ${Math.max(workers, 8)} (one per FIFO message group, never more) + the scheduler 1 +`,
    '  webhooks 100/s x ~50 ms = 5 + replies and pushes (~60/s x ~50 ms = 3): **about 20**, far under the',
    '  default 1,000 a region; reserve it for the workers if other functions share the account.',
    `- DynamoDB (on demand): about ${fixed(wcuRate, 0)} WCU/s in all (due work + 3 WCU a webhook). The due index`,
    `  spreads its writes over 64 slot partitions: ~${fixed((dueRate * 2) / 64, 0)} index writes/s each, far under the 1,000 WCU/s`,
    '  (and 3,000 RCU/s) of a partition; its reads are one query per slot per reading (64 a tick, or',
    `  ~${fixed(64 / 5, 0)}/s following every 5 s). Item partitions (ticket, survey, phone) are one per item. The hot keys are`,
    '  the aggregates (`AGG#`/`AGGM#` per month, written by every plan, send and rating): issue 14 goal 2, not this section.',
    '- The fan-out: one scheduler invocation a minute sends DUE_WORKERS messages to the SQS FIFO queue (message',
    '  group = slot group, so one worker per group at a time; deduplicated by tick and group); the queue invokes',
    '  functions/due-worker once per message. No dispatcher limit is near: 8 messages a minute.',
    '- Quiet hours: surveys that fall due in them are spread over `sms.quietHours.spreadMinutes` after their end',
    '  (default 60, by a hash of the survey id; domain/quiet-spread.ts), not all sent at 08:00: at 100 completions/s',
    '  around the clock the 08:00-09:00 window gets 100 x 660 / 60 = 1,100 sends/s more (about 12 more workers;',
    '  a wider spread lowers it: 180 minutes, 367/s).',
    '',
  ];
  return lines;
}

/** Both sections (or one of them, `only`), as markdown lines. */
export async function runScaleSections(
  sys: { deps: Deps; clock: PinnableClock; dynamoEndpoint: string },
  opts: { region: string; log: (s: string) => void; only?: 'due-scale' | 'cost-table' },
): Promise<string[]> {
  const out: string[] = [];
  if (opts.only !== 'cost-table') {
    opts.log('section: due work scales out (1, 2, 4, 8 worker processes)');
    const d = await runDueScale({
      dynamoEndpoint: sys.dynamoEndpoint,
      region: opts.region,
      log: opts.log,
      cores: cpus().length,
    });
    out.push(...dueScaleSection(d));
  }
  if (opts.only !== 'due-scale') {
    opts.log('section: what a survey costs (satisfied and dissatisfied paths metered)');
    out.push(...costSection(await meterPaths(sys, opts.region)));
  }
  return out;
}
