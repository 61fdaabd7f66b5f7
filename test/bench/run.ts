// Over 350 lines on purpose: the bench driver: starts the system, runs each section, writes BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLocalSecrets } from '../../infra/local/secrets.ts';
import { startLocalSystem } from '../../infra/local/server.ts';
import { mintToken } from '../../infra/local/token.ts';
import { type ColdStartResult, coldStartSection, runColdStart } from './cold-start.ts';
import type { Usage } from './meter.ts';
import { fixed, table } from './stats.ts';

/**
 * `npm run bench`: measures the local system on DynamoDB Local (in memory, started here) and
 * writes BENCHMARKS.md. A script, not a test: figures, not assertions (it stops only when the
 * system misbehaves, e.g. a webhook not accepted or a report counting the wrong total).
 * Talks to 127.0.0.1 only. Sections run in this order so that one's data cannot reach another's
 * figures: cost per survey (December), report cost (November), webhook ingest, cold start.
 */
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const started = performance.now();
const log = (s: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${s}`);

function machine() {
  let java = 'not found';
  try {
    // `java -version` prints to stderr
    java = execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' }).split('\n')[0] ?? java;
  } catch {}
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    java: java.trim(),
    os: `${process.platform} ${process.arch}`,
  };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const loadAtStart = load();

// `npm run bench -- --only cold-start`: section 4 alone (build, sizes, import times), and
// `--only report` / `--only ingest`: section 2 / 1 alone (below, once the local system runs); printed
// and not written to BENCHMARKS.md, which only a full run writes (every section from the same run).
const { values: args } = parseArgs({ options: { only: { type: 'string' } } });
if (args.only !== undefined) {
  if (!['cold-start', 'report', 'ingest', 'partitions', 'due-scale', 'cost-table'].includes(args.only)) {
    console.error(
      `--only: unknown section ${args.only} (known: cold-start, report, ingest, partitions, due-scale, cost-table)`,
    );
    process.exit(2);
  }
  if (args.only === 'cold-start') {
    log('section 4 alone: cold start (npm run build, then imports)');
    const cs = await runColdStart(log);
    console.log(`\n${coldStartSection(cs).join('\n')}`);
    process.exit(0);
  }
}

// startLocalSystem reads its configuration from this environment (never writes it): default rules,
// its own DynamoDB Local.
delete process.env.RULES; // the default rules: no replyUrl, so nothing is posted anywhere
delete process.env.DYNAMODB_ENDPOINT; // our own DynamoDB Local, in memory
delete process.env.PUBLIC_BASE_URL;
process.env.POWERTOOLS_LOG_LEVEL = 'WARN'; // one JSON line per request would flood the terminal
const dataDir = mkdtempSync(join(tmpdir(), 'feedback-bench-'));
const region = 'cn-north-1';
log('starting the local system (DynamoDB Local in memory)');
const sys = await startLocalSystem({
  port: 0,
  tickSeconds: 0,
  inMemory: true,
  dataDir,
  region,
  tableName: 'feedback-bench',
  log: () => {},
});

// `--only due-scale` / `--only cost-table`: those sections alone (test/bench/due-scale.ts, cost-table.ts).
if (args.only === 'due-scale' || args.only === 'cost-table') {
  try {
    const { runScaleSections } = await import('./cost-table.ts');
    console.log(`\n${(await runScaleSections(sys, { region, log, only: args.only })).join('\n')}`);
  } finally {
    await sys.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

// `npm run bench -- --only ingest`: section 1 alone on its own fresh table, printed, not written.
if (args.only === 'ingest') {
  try {
    const { runIngest, ingestSection } = await import('./ingest.ts');
    log('section 1 alone: webhook ingest');
    const ingest = await runIngest({
      deps: sys.deps,
      url: sys.url,
      webhookSecret: sys.webhookSecret,
      dynamoEndpoint: sys.dynamoEndpoint,
      region,
      log,
    });
    console.log(`\n${ingestSection(ingest).join('\n')}`);
  } finally {
    await sys.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

// `npm run bench -- --only report`: section 2 alone on its own fresh table, printed, not written.
if (args.only === 'report') {
  try {
    const { ddb } = await import('#shared/store/client');
    (await import('./meter.ts')).installMeter(ddb);
    const { runReportCost, reportSection, TEAM } = await import('./report-cost.ts');
    log('section 2 alone: report cost (seeding 1,000 responses through the use cases)');
    const managerToken = await mintToken({
      role: 'manager',
      teams: [TEAM],
      secret: loadLocalSecrets(process.env, dataDir).jwtSecret,
    });
    const report = await runReportCost({ local: sys, url: sys.url, managerToken, log });
    console.log(`\n${reportSection(report).join('\n')}`);
  } finally {
    await sys.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

// `npm run bench -- --only partitions`: section 5 alone (test/bench/partitions.ts), printed, not written.
if (args.only === 'partitions') {
  const { runPartitions, partitionsSection } = await import('./partitions.ts');
  log('section 5 alone: write partitions');
  console.log(`\n${partitionsSection(await runPartitions(sys, log)).join('\n')}`);
  await sys.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

let md = '';
let cold: ColdStartResult | undefined;
try {
  const { ddb } = await import('#shared/store/client');
  const meter = await import('./meter.ts');
  meter.installMeter(ddb);
  const { runSurveyCost } = await import('./survey-cost.ts');
  const { DUE_SLOTS } = await import('#shared/store/due');
  const { runReportCost, ENGINEERS, TEAM, reportSection } = await import('./report-cost.ts');
  const { runIngest, ingestSection } = await import('./ingest.ts');

  log('section 3: cost per survey');
  const cost = await runSurveyCost(sys, DUE_SLOTS);
  log('section 2: report cost (seeding 1,000 responses through the use cases)');
  const managerToken = await mintToken({
    role: 'manager',
    teams: [TEAM],
    secret: loadLocalSecrets(process.env, dataDir).jwtSecret,
  });
  const report = await runReportCost({ local: sys, url: sys.url, managerToken, log });
  log('section 1: webhook ingest');
  const ingest = await runIngest({
    deps: sys.deps,
    url: sys.url,
    webhookSecret: sys.webhookSecret,
    dynamoEndpoint: sys.dynamoEndpoint,
    region,
    log,
  });
  log('section 5: write partitions');
  const partitions = (await import('./partitions.ts')).partitionsSection(
    await (await import('./partitions.ts')).runPartitions(sys, log),
  );
  // Issue 14 goals 1 and 4 (test/bench/due-scale.ts, cost-table.ts): tables of their own, appended.
  const scale = await (await import('./cost-table.ts')).runScaleSections(sys, { region, log });
  await sys.stop();
  log('section 4: cold start (npm run build, then imports)');
  cold = await runColdStart(log);

  md = `${render({ cost, report, ingest, cold, ENGINEERS, meter, reportSection, ingestSection })}\n${partitions.join('\n')}\n${scale.join('\n')}\n`;
} finally {
  await sys.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
writeFileSync(join(root, 'BENCHMARKS.md'), md);
log(`wrote BENCHMARKS.md in ${((performance.now() - started) / 1000).toFixed(0)} s`);

// ---------------------------------------------------------------------------------------------

type Cost = Awaited<ReturnType<typeof import('./survey-cost.ts').runSurveyCost>>;
type Report = Awaited<ReturnType<typeof import('./report-cost.ts').runReportCost>>;
type Ingest = Awaited<ReturnType<typeof import('./ingest.ts').runIngest>>;

function render(r: {
  cost: Cost;
  report: Report;
  ingest: Ingest;
  cold: ColdStartResult;
  ENGINEERS: number;
  meter: typeof import('./meter.ts');
  reportSection: (report: Report) => string[];
  ingestSection: (ingest: Ingest) => string[];
}): string {
  const m = machine();
  const totalSeconds = (performance.now() - started) / 1000;
  const out: string[] = [];
  out.push(
    '# Benchmarks',
    '',
    'Written by `npm run bench` (test/bench/run.ts). Do not edit by hand: run it again.',
    '',
    table(
      ['', ''],
      [
        ['Command', '`npm run bench`'],
        ['Date', new Date().toISOString()],
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['Memory', m.memory],
        ['OS', m.os],
        ['Node.js', m.node],
        ['Java (DynamoDB Local)', m.java],
        ['Run time', `${totalSeconds.toFixed(0)} s`],
        ['Load average (1/5/15 min)', `${loadAtStart} at the start, ${load()} at the end`],
      ],
    ),
    '',
    'Everything runs on this one machine: the local system (`startLocalSystem` from infra/local/server.ts:',
    'node:http -> API Gateway v2 events -> the same handlers as on AWS), DynamoDB Local in memory',
    '(Java), and the load generator, all in one Node process beside the Java one, sharing the cores.',
    'Absolute figures are those of this small machine, not of AWS; the ratios are the point. The machine',
    'is shared: other work running at the same time (see the load average) adds noise to every latency.',
    'Handlers log at WARN during the run (INFO writes one JSON line per request).',
    '',
  );

  // 1. ingest (text in ingest.ts)
  out.push(...r.ingestSection(r.ingest));

  // 2. report (text in report-cost.ts)
  out.push(...r.reportSection(r.report));

  // 3. cost per survey
  const c = r.cost;
  const lifecycle = r.meter.sumUsage(c.steps.map((s) => s.usage));
  const minW = c.steps.reduce((n, s) => n + s.minWrites, 0);
  const minR = c.steps.reduce((n, s) => n + s.minReads * 0.5, 0);
  const segs = c.sms.reduce((n, s) => n + s.segments, 0);
  const tickRcu = Math.max(c.idleTick.rcu, c.dueShards * 0.5);
  const ops = (u: Usage) =>
    [...u.byLabel.entries()]
      .sort((a, b) => b[1].wcu + b[1].rcu - (a[1].wcu + a[1].rcu))
      .map(([k, v]) => `${k}${v.calls > 1 ? ` x${v.calls}` : ''}`)
      .join('; ');
  out.push(
    '## 3. Cost per survey',
    '',
    'One survey through its whole life, in-process through the use cases with the clock pinned',
    '(`completeTicket` -> `runDueWork` -> `handleInboundSms` "3" -> `handleInboundSms` "1 5 师傅迟到了"),',
    'capacity from `ReturnConsumedCapacity` (total including GSIs, the GSI part shown apart). The local SMS',
    'outbox and alert log (`LOCAL#...` items, SNS on AWS) are left out. No `replyUrl` is configured (the',
    'default), so no work-order reply is written; with one, each closing transaction adds one more item.',
    'Minimum = what the design cannot do without: one 1 KB non-transactional write per item the step must',
    'change (1 WCU) and one eventually consistent read per item it must read (0.5 RCU).',
    '',
    table(
      [
        'step',
        'WCU',
        'RCU',
        'of which GSI',
        'DynamoDB calls',
        'minimum WCU / RCU',
        'minimum means',
        'operations',
      ],
      [
        ...c.steps.map((s) => [
          s.name,
          fixed(s.usage.wcu, 1),
          fixed(s.usage.rcu, 1),
          fixed(s.usage.gsi, 1),
          s.usage.calls,
          s.minWrites || s.minReads ? `${s.minWrites} / ${fixed(s.minReads * 0.5, 1)}` : '0 / 0',
          s.minWhy,
          ops(s.usage),
        ]),
        [
          '**lifecycle total**',
          `**${fixed(lifecycle.wcu, 1)}**`,
          `**${fixed(lifecycle.rcu, 1)}**`,
          fixed(lifecycle.gsi, 1),
          lifecycle.calls,
          `**${minW} / ${fixed(minR, 1)}**`,
          '',
          '',
        ],
        [
          'scheduler tick, nothing due',
          fixed(c.idleTick.wcu, 1),
          fixed(c.idleTick.rcu, 1),
          fixed(c.idleTick.gsi, 1),
          c.idleTick.calls,
          '',
          'amortised over all surveys',
          ops(c.idleTick),
        ],
        [
          'later: callback deadline check (case not closed in 24 h)',
          fixed(c.callbackCheck.wcu, 1),
          fixed(c.callbackCheck.rcu, 1),
          fixed(c.callbackCheck.gsi, 1),
          c.callbackCheck.calls,
          '',
          'only for a 不满意 left open',
          ops(c.callbackCheck),
        ],
      ],
    ),
    '',
    `**Gap: ${fixed(lifecycle.wcu / minW, 1)}x the minimum writes, ${fixed(lifecycle.rcu / minR, 1)}x the minimum reads.** ` +
      'Writes: the webhook is one plain conditional `PutItem`; every later step is one `TransactWriteItems`, which DynamoDB bills at twice the units of the same',
    'writes done singly, and the transaction also carries what makes it safe to retry (the inbound-message',
    'marker, the outbox entry of each SMS and alert); every write to an item on a GSI',
    '(due index, comments, callback lists, per-engineer days) is billed again per index, which is the',
    '"of which GSI" column; each SMS and alert is then delivered through the outbox (a lease, except for the',
    'survey and reminder SMS, which their step writes leased; then mark sent, with the message-id record in the',
    'same transaction for an SMS). Reads: the reads that decide (ticket, phone',
    'state, survey, inbound marker) are strongly consistent, 1 RCU instead of 0.5, so that a retry or a',
    `race decides on fresh state; the scheduler queries all ${c.dueShards} shards of the due index on every tick.`,
    'That is the price of "nothing accepted is lost or counted twice, no SMS sent twice where avoidable".',
    '',
    table(
      ['SMS', 'characters', 'segments'],
      [...c.sms.map((s) => [s.template, s.chars, s.segments]), ['**per survey**', '', `**${segs}**`]],
    ),
    '',
    `Supervisors' alerts (SNS topic, not SMS to the customer): ${c.alerts} (the 不满意 alert, and the overdue escalation a day later).`,
    '',
    'Lambda invocations per survey (as deployed: API Gateway -> ticket-completed, EventBridge every minute ->',
    'scheduler, SNS -> sms-inbound; SMS and alerts are published inline, not by another invocation):',
    '',
    table(
      ['invocation', 'count'],
      [
        ['ticket-completed (webhook)', '1'],
        [
          'scheduler (plan the completion, then the survey send; a tick serves everything due in that minute)',
          'share of 2 ticks',
        ],
        ['sms-inbound (rating, reasons)', '2'],
        ['scheduler (callback deadline check, only for an open 不满意 case)', 'share of 1 tick'],
        ['**total**', '**3 + ticks / surveys**'],
      ],
    ),
    '',
    `Ticks run whether or not anything is due: 1,440 a day, each ${c.dueShards} queries of the due index. DynamoDB Local reports ${fixed(c.idleTick.rcu, 1)} RCU for a tick that finds nothing; ` +
      `DynamoDB bills every query at least 0.5 RCU, so on AWS a tick costs at least ${fixed(tickRcu, 1)} RCU (${fixed(tickRcu * 1440, 0)} RCU a day). ` +
      `At 1,000 surveys a day that adds ${fixed(1440 / 1000, 2)} invocations and ${fixed((tickRcu * 1440) / 1000, 2)} RCU per survey; ` +
      `at 10,000 a day ${fixed(1440 / 10000, 3)} and ${fixed((tickRcu * 1440) / 10000, 3)}.`,
    '',
  );

  out.push(...coldStartSection(r.cold));
  return `${out.join('\n')}\n`;
}
