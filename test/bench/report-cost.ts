// Over 350 lines on purpose: seeding three months at three sizes and timing nine reports, with its BENCHMARKS.md text.
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '#shared/app/deps';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import type { Counts } from '#shared/domain/counters';
import type { EngineerRef } from '#shared/domain/types';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import type { PinnableClock } from '#shared/runtime/clock';
import { aggPartitions, aggregateUpdates } from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';
import { AGG_SHARDS } from '#shared/store/table';
import { transact } from '#shared/store/tx';
import { completeAndPlan } from '../helpers/complete.ts';
import { measure, type Usage } from './meter.ts';
import { fixed, http, keepAlive, median, ms, percentile, pool, table } from './stats.ts';

/**
 * Section 2: a month report for one 50-engineer team working 20 weekdays a month: November 2026
 * with 1,000 responses seeded through the real use cases (webhook, scheduler, SMS reply);
 * October with 100,000 and September with 10,000, written as the pipeline counts them
 * (`aggregateUpdates`: ADD increments on the daily item and the monthly roll-up, batched per
 * engineer-day). The three months sit side by side, so their reports are timed in turn (round
 * robin) and drift in the machine's load falls on all three alike. For comparison, the same days
 * of each month are also asked as a date range, which reads the daily items.
 */
export const TEAM = 'T-bench';
export const REGION = 'R-bench';
export const ENGINEERS = 50;
export const MONTH = '2026-11';

/** The first 20 weekdays of a month (yyyy-mm): the days the team works. */
export function workDays(month: string): string[] {
  const out: string[] = [];
  for (let d = 1; d <= 31 && out.length < 20; d++) {
    const day = `${month}-${String(d).padStart(2, '0')}`;
    const dow = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(day);
  }
  return out;
}
export const DAYS = workDays(MONTH);
const RUNS = 30;

const engineers: EngineerRef[] = Array.from({ length: ENGINEERS }, (_, i) => ({
  engineerId: `BE${String(i).padStart(3, '0')}`,
  engineerName: `赵师傅${i}`,
  team: TEAM,
  region: REGION,
}));

/** Rating of the i-th response: 85% 满意, 10% 基本满意, 5% 不满意. */
const ratingOf = (i: number) => (i % 20 === 0 ? 3 : i % 10 === 5 || i % 20 === 10 ? 2 : 1);

export interface ReportPoint {
  responses: number;
  path: string;
  latencies: number[];
  p50: number;
  p90: number;
  /** Capacity of one report (identical on every run; the median is shown). */
  usage: Usage;
  items: number;
  /** Size of the answer (JSON). */
  bytes: number;
  /** Size of the aggregate items the report reads, by DynamoDB's rules (`itemBytes`). */
  itemBytes: number;
}

export interface ReportCostResult {
  seedSeconds: number;
  seedHow: string;
  /** At 1,000, 10,000 and 100,000 responses. */
  engineers: ReportPoint[];
  teams: ReportPoint[];
  /** The engineers report over the same days as a date range (daily items), at the same volumes. */
  dailyEngineers: ReportPoint[];
}

async function seedThroughUseCases(
  local: { deps: Deps; clock: PinnableClock },
  log: (s: string) => void,
): Promise<number> {
  const { deps } = local;
  const pinClock = (at: Date | undefined) => local.clock.pin(at);
  let phoneSeq = 0;
  let n = 0;
  for (const [d, day] of DAYS.entries()) {
    pinClock(new Date(`${day}T10:00:00+08:00`));
    const tickets = engineers.map((e, i) => {
      phoneSeq++;
      return {
        phone: `+86150${String(10_000_000 + phoneSeq).slice(-8)}`,
        body: ticketCompletedSchemaAt(local.clock).parse({
          ticketId: `RB-${day}-${e.engineerId}`,
          source: 'ossA',
          segment: 'home',
          kind: 'repair',
          area: 'urban',
          faultType: 'equipment',
          reportedAt: `${day}T06:${String(10 + (i % 40)).padStart(2, '0')}:00+08:00`,
          firstContactAt: `${day}T07:${String(10 + (i % 40)).padStart(2, '0')}:00+08:00`,
          completedAt: `${day}T09:${String(i % 50).padStart(2, '0')}:00+08:00`,
          engineer: { id: e.engineerId, name: e.engineerName, team: e.team, region: e.region },
          customer: { phone: `150${String(10_000_000 + phoneSeq).slice(-8)}` },
        }),
      };
    });
    await pool(8, tickets, (t) => completeAndPlan(deps, t.body));
    pinClock(new Date(`${day}T10:30:00+08:00`));
    let sent = 0;
    for (let i = 0; i < 5; i++) {
      const r = await runDueWork(deps);
      sent += r.surveysSent ?? 0;
      if ((r.surveysSent ?? 0) === 0) break;
    }
    if (sent !== ENGINEERS) throw new Error(`${day}: ${sent} surveys sent, expected ${ENGINEERS}`);
    pinClock(new Date(`${day}T10:40:00+08:00`));
    const ratings = tickets.map((t, i) => ({ phone: t.phone, rating: ratingOf(n + i) }));
    const outcomes = await pool(8, ratings, (r) =>
      handleInboundSms(deps, {
        originationNumber: r.phone,
        messageBody: String(r.rating),
        inboundMessageId: `bench-${randomUUID()}`,
      }),
    );
    if (outcomes.some((o) => o !== 'rated'))
      throw new Error(`${day}: not every reply was rated: ${outcomes}`);
    pinClock(new Date(`${day}T10:45:00+08:00`));
    await pool(
      8,
      ratings.filter((r) => r.rating !== 1),
      (r) =>
        handleInboundSms(deps, {
          originationNumber: r.phone,
          messageBody: r.rating === 3 ? '1 5' : '2',
          inboundMessageId: `bench-${randomUUID()}`,
        }),
    );
    n += ENGINEERS;
    if (d % 5 === 4) log(`  seeded ${n} responses through the use cases`);
  }
  pinClock(undefined);
  return n;
}

/** The counters `k` responses add on one engineer-day (85% 满意, 10% 基本满意, 5% 不满意, ...). */
function deltaOf(k: number): Partial<Counts> {
  const part = (f: number) => Math.max(1, Math.round(k * f));
  const basicallySatisfied = part(0.1);
  const dissatisfied = part(0.05);
  return {
    completed: k,
    surveyed: k,
    responses: k,
    satisfied: k - basicallySatisfied - dissatisfied,
    basicallySatisfied,
    dissatisfied,
    callbacksOpened: dissatisfied,
    contactApplicable: k,
    contactOnTime: part(0.95),
    repairApplicable: k,
    repairOnTime: part(0.9),
    reason1: part(0.05),
    reason2: part(0.04),
    reason5: part(0.03),
  };
}

/**
 * A month of `responses` on 50 engineers x 20 days, as the pipeline counts them: `aggregateUpdates`
 * (the daily item and the month's roll-up) ADD increments, one per engineer-day (every counter a
 * response can touch at least once, so 10k and 100k items carry the same attributes). Each
 * engineer's first day gets 1-9 responses more or fewer than the others, in pairs that cancel:
 * the month's total is exact while the engineers' month totals are not round numbers (which
 * DynamoDB would store in fewer bytes). 12 engineer-days (24 items) per transaction; the groups of
 * engineers run side by side, never two transactions on one roll-up at once.
 */
async function addThroughAggregates(month: string, responses: number): Promise<number> {
  const days = workDays(month);
  const base = responses / (ENGINEERS * days.length);
  const offset = (e: number) => (e % 2 === 0 ? 1 : -1) * (1 + (((e >> 1) * 7) % 9));
  const groups: EngineerRef[][] = [];
  for (let i = 0; i < engineers.length; i += 12) groups.push(engineers.slice(i, i + 12));
  let total = 0;
  await pool(4, groups, async (group) => {
    for (const [d, day] of days.entries()) {
      const items = group.flatMap((e) => {
        const k = base + (d === 0 ? offset(engineers.indexOf(e)) : 0);
        total += k;
        return aggregateUpdates(day, e, deltaOf(k));
      });
      await transact(items);
    }
  });
  return total;
}

/**
 * DynamoDB's size of an item (developer guide, "item sizes"): names and strings in UTF-8 bytes;
 * a number 1 byte plus 1 per pair of significant digits (leading and trailing zero pairs do not
 * count: 2,000 is as small as 2); a set the sum of its elements.
 */
export function itemBytes(item: Record<string, unknown>): number {
  const valueBytes = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') {
      let digits = String(Math.trunc(Math.abs(v)));
      if (digits.length % 2) digits = `0${digits}`;
      const pairs = (digits.match(/../g) ?? []) as string[];
      while (pairs[0] === '00') pairs.shift();
      while (pairs.at(-1) === '00') pairs.pop();
      return 1 + pairs.length;
    }
    if (v instanceof Set) return [...v].reduce((n: number, x) => n + valueBytes(x), 0);
    return 1;
  };
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueBytes(v);
  return n;
}

/** Items and bytes (itemBytes) of the team's roll-ups of the month (every shard): what a month report reads. */
async function rollupBytes(month: string): Promise<{ items: number; bytes: number }> {
  const items = [];
  for (const pk of aggPartitions('rollup', month)) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :team)',
        ExpressionAttributeValues: { ':pk': pk, ':team': `${TEAM}#` },
      }),
    );
    items.push(...(res.Items ?? []));
  }
  return { items: items.length, bytes: items.reduce((n, i) => n + itemBytes(i), 0) };
}

/** Bytes of the month's daily items (`AGG#{yyyy-mm}#{shard}`, every shard): what a date-range report reads. */
async function dailyBytes(month: string): Promise<number> {
  let bytes = 0;
  for (const pk of aggPartitions('daily', month)) {
    const items = await queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    });
    bytes += items.reduce((n, i) => n + itemBytes(i), 0);
  }
  return bytes;
}

interface Target {
  responses: number;
  path: string;
  latencies: number[];
  usages: Usage[];
  bytes: number;
  itemBytes: number;
}

/** Times the reports in turn, `RUNS` rounds in shuffled order after 5 warm-up rounds; capacity per request. */
async function measureReports(url: string, token: string, targets: Target[]): Promise<ReportPoint[]> {
  const agent = keepAlive(1);
  const headers = { authorization: `Bearer ${token}` };
  const get = async (path: string) => {
    const res = await http(agent, 'GET', `${url}${path}`, headers);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body.slice(0, 200)}`);
    return res.body;
  };
  for (let i = 0; i < 5; i++) for (const t of targets) await get(t.path);
  // A fresh order every round (fixed seed), so that no report always follows the same one.
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let i = 0; i < RUNS; i++) {
    const order = targets.map((t) => ({ t, k: rand() })).sort((a, b) => a.k - b.k);
    for (const { t } of order) {
      const t0 = performance.now();
      const { result, usage } = await measure(() => get(t.path));
      t.latencies.push(performance.now() - t0);
      t.usages.push(usage);
      t.bytes = Buffer.byteLength(result);
    }
  }
  agent.destroy();
  return targets.map((t) => {
    const byRcu = [...t.usages].sort((a, b) => a.rcu - b.rcu);
    const usage = byRcu[Math.floor(byRcu.length / 2)] as Usage;
    return {
      responses: t.responses,
      path: t.path,
      latencies: t.latencies,
      p50: median(t.latencies),
      p90: percentile(t.latencies, 90),
      usage,
      items: usage.itemsRead,
      bytes: t.bytes,
      itemBytes: t.itemBytes,
    };
  });
}

async function reportedResponses(url: string, token: string, month: string): Promise<number> {
  const agent = keepAlive(1);
  const res = await http(agent, 'GET', `${url}/v1/reports/engineers?period=${month}`, {
    authorization: `Bearer ${token}`,
  });
  agent.destroy();
  const body = JSON.parse(res.body) as { engineers: { team: string; responses: number }[] };
  return body.engineers.filter((e) => e.team === TEAM).reduce((n, e) => n + e.responses, 0);
}

export async function runReportCost(opts: {
  /** The local system's dependencies and clock: the use cases seed through them. */
  local: { deps: Deps; clock: PinnableClock };
  url: string;
  managerToken: string;
  log: (s: string) => void;
}): Promise<ReportCostResult> {
  const t0 = performance.now();
  await seedThroughUseCases(opts.local, opts.log);
  const seedSeconds = (performance.now() - t0) / 1000;
  const months = [
    { month: MONTH, responses: 1000 },
    { month: '2026-09', responses: 10_000 },
    { month: '2026-10', responses: 100_000 },
  ];
  for (const m of months.slice(1)) {
    const written = await addThroughAggregates(m.month, m.responses);
    if (written !== m.responses)
      throw new Error(`${m.month}: wrote ${written} responses, not ${m.responses}`);
  }
  for (const m of months) {
    const counted = await reportedResponses(opts.url, opts.managerToken, m.month);
    if (counted !== m.responses)
      throw new Error(`the ${m.month} report counts ${counted} responses, expected ${m.responses}`);
  }
  const read = new Map<string, { items: number; bytes: number }>();
  for (const m of months) {
    const r = await rollupBytes(m.month);
    if (r.items !== ENGINEERS) throw new Error(`${m.month}: ${r.items} roll-ups, expected ${ENGINEERS}`);
    read.set(m.month, r);
  }
  const target = (kind: string, m: { month: string; responses: number }): Target => ({
    responses: m.responses,
    path: `/v1/reports/${kind}?period=${m.month}`,
    latencies: [],
    usages: [],
    bytes: 0,
    itemBytes: read.get(m.month)?.bytes ?? 0,
  });
  // The same days as a date range (the 1st to the day before the last: not a whole month).
  const range = async (m: { month: string; responses: number }): Promise<Target> => {
    const [y, mo] = m.month.split('-').map(Number) as [number, number];
    const last = new Date(Date.UTC(y, mo, 0)).getUTCDate() - 1;
    return {
      ...target('engineers', m),
      path: `/v1/reports/engineers?from=${m.month}-01&to=${m.month}-${last}`,
      itemBytes: await dailyBytes(m.month),
    };
  };
  const points = await measureReports(opts.url, opts.managerToken, [
    ...months.map((m) => target('engineers', m)),
    ...months.map((m) => target('teams', m)),
    ...(await Promise.all(months.map(range))),
  ]);
  const engineersPoints = points.slice(0, 3);
  for (const p of [...engineersPoints, ...points.slice(6)]) {
    opts.log(
      `  ${p.responses / 1000}k: ${p.path} p50 ${p.p50.toFixed(1)} ms, ${p.usage.rcu} RCU, ${p.items} items`,
    );
  }
  return {
    seedSeconds,
    seedHow:
      `November: 1,000 responses through the real use cases in-process (completion, scheduler, SMS replies; ` +
      `clock pinned per day; ${seedSeconds.toFixed(0)} s): 50 engineers x 20 weekdays, ` +
      'one rated survey per engineer-day (85% 满意, 10% 基本满意, 5% 不满意, with reasons). October (100,000) ' +
      'and September (10,000), same engineers, 20 weekdays each: written as the pipeline counts them, ' +
      '`aggregateUpdates` (daily item and monthly roll-up) ADD increments via `transact`, one per engineer-day ' +
      '(about 100 or 10 responses in one increment; month totals per engineer deliberately not round, e.g. ' +
      '1,993 and 2,007). The nine reports (3 months x engineers, teams, and the engineers report over the ' +
      'same days as a date range) are timed in turn, in a shuffled order each round',
    engineers: engineersPoints,
    teams: points.slice(3, 6),
    dailyEngineers: points.slice(6),
  };
}

/** Section 2 of BENCHMARKS.md (also printed alone by `npm run bench -- --only report`). */
export function reportSection(rp: ReportCostResult): string[] {
  type Point = ReportPoint;
  const rows = (name: string, points: Point[]) => {
    const first = points[0] as Point;
    const last = points[points.length - 1] as Point;
    return [
      ...points.map((p) => [
        name,
        p.responses.toLocaleString('en-US'),
        p.items,
        p.itemBytes,
        fixed(p.usage.rcu, 1),
        ms(p.p50),
        ms(p.p90),
        p.bytes,
      ]),
      [
        `**${name}: 100k / 1k**`,
        '',
        fixed(last.items / first.items, 2),
        fixed(last.itemBytes / first.itemBytes, 3),
        `**${fixed(last.usage.rcu / first.usage.rcu, 2)}**`,
        `**${fixed(last.p50 / first.p50, 2)}**`,
        fixed(last.p90 / first.p90, 2),
        fixed(last.bytes / first.bytes, 2),
      ],
    ];
  };
  const ratio = (points: Point[], f: (p: Point) => number, from = 0) =>
    f(points[points.length - 1] as Point) / f(points[from] as Point);
  const rcu = (p: Point) => p.usage.rcu;
  const p50 = (p: Point) => p.p50;
  const months = [rp.engineers, rp.teams];
  const capOk = months.every((pts) => Math.abs(ratio(pts, rcu) - 1) < 0.005);
  const latOk = months.every((pts) => ratio(pts, p50) < 1.2);
  const e = rp.engineers;
  const d = rp.dailyEngineers;
  const e1k = e[0] as Point;
  const e100k = e[e.length - 1] as Point;
  const perItem = (p: Point) => p.itemBytes / Math.max(1, p.items);
  const growth = e100k.itemBytes - e1k.itemBytes;
  const noisy = [...rp.engineers, ...rp.teams].some((p) => p.p90 > 1.5 * p.p50);
  const units = (bytes: number) => Math.ceil(bytes / 4096);
  return [
    '## 2. Report cost',
    '',
    `A month report (\`GET /v1/reports/engineers?period=2026-11\`, and the team report \`GET /v1/reports/teams?period=2026-11\`)`,
    `for a ${ENGINEERS}-engineer team, asked by its manager (bearer token scoped to the team), over HTTP: 30 timed requests`,
    'of each after 5 warm-up ones. Read capacity from DynamoDB Local itself: a middleware on the document',
    'client (`ddb`) sets `ReturnConsumedCapacity` on every command and sums the `ConsumedCapacity` of the',
    'outputs (DynamoDB Local does return it, GSI parts included). Items = items the queries examined;',
    "item bytes = the size of those items by DynamoDB's rules (names and values; a number is 1 byte plus 1",
    'per pair of significant digits), summed; an eventually consistent query costs 0.5 RCU per 4 KB of that,',
    'rounded up per query (a month report makes one per partition it reads: below).',
    '',
    `Seeding: ${rp.seedHow}.`,
    '',
    table(
      [
        'report',
        'responses in month',
        'items read',
        'item bytes',
        'RCU',
        'p50 ms',
        'p90 ms',
        'response bytes',
      ],
      [
        ...rows('engineers', rp.engineers),
        ...rows('teams', rp.teams),
        ...rows('same days as a range (daily items)', rp.dailyEngineers),
      ],
    ),
    '',
    `**Goal: capacity ratio (100k / 1k) 1.0: ${capOk ? 'met' : 'not met'}** (engineers ${fixed(ratio(e, rcu))}, teams ${fixed(ratio(rp.teams, rcu))}; ` +
      `from 10k to 100k: ${fixed(ratio(e, rcu, 1))} and ${fixed(ratio(rp.teams, rcu, 1))}). ` +
      `**Latency ratio under 1.2 (median of 30): ${latOk ? 'met' : 'not met'}** (engineers ${fixed(ratio(e, p50))}, teams ${fixed(ratio(rp.teams, p50))}).`,
    '',
    'A month report reads the monthly roll-ups (`AGGM#{yyyy-mm}#{shard}`, sort key `{team}#{engineerId}`): one item',
    'per engineer and team of the month, written in the same transaction as every daily aggregate',
    `(\`aggregateUpdates\`), spread over ${AGG_SHARDS} write shards by engineer id (section 5). A team's manager reads one sort-key`,
    `prefix per team in each shard and in the unsharded key of items written before the shards (${AGG_SHARDS + 1} Queries, in parallel; an admin, or a scope by`,
    "region, those partitions whole), so the items read are the team's engineers: " +
      `${e1k.items} at 1k, 10k and 100k responses, against ${d[0]?.items ?? 0} daily items for the same days.`,
    'Each roll-up carries every counter from its first write (ADD 0 for those not in the delta), and the',
    "engineer's name, region and day of the latest write, all under two-letter attribute names (the",
    "counters' own names alone would be 457 bytes an item; the id and team are in the sort key), so its",
    'size does not grow from sparse to full as responses arrive. What remains is the numbers: DynamoDB',
    'stores one byte per pair of significant digits, so a count grows by a byte when it passes 99, and',
    `again 9,999. Here the ${e1k.items} items are ${e1k.itemBytes.toLocaleString('en-US')} bytes at 1k (${perItem(e1k).toFixed(0)} an item) and ` +
      `${e100k.itemBytes.toLocaleString('en-US')} at 100k (${perItem(e100k).toFixed(0)} an item): ${growth >= 0 ? '+' : ''}${growth} bytes, ` +
      `${units(e1k.itemBytes)} and ${units(e100k.itemBytes)} units of 4 KB in all` +
      (units(e1k.itemBytes) === units(e100k.itemBytes)
        ? ", and each shard's part well under one unit, so the same capacity (0.5 RCU per Query that finds items)."
        : ': one unit more, 0.5 RCU, because the 1k total sat just under a 4 KB boundary.'),
    'The bound: at most 35 counters x 1 byte per hundredfold growth of the counts, about 1.7 KB for 50',
    'engineers, so the capacity can rise by one 4 KB unit (0.5 RCU) per hundredfold growth, and only when',
    'the total sits that close under a boundary. Exactly 1.0 for every team size would need every count',
    'stored in a fixed number of digits, which would make every item larger (and every report dearer)',
    'than the growth it avoids.',
    `The daily items (the same days as a date range, last rows) show what the month report cost before: ` +
      `sparse items that fill in as responses arrive (${fixed(ratio(d, rcu))}x the capacity at 100k) and ` +
      `${d[0]?.items ?? 0} of them, the whole month partition of every team.`,
    'Latency follows the bytes DynamoDB Local serves and the SDK unmarshals: ' +
      `${fixed((e100k.itemBytes / e1k.itemBytes - 1) * 100, 0)}% more for the month report at 100k, against ` +
      `${fixed((ratio(d, (p) => p.itemBytes) - 1) * 100, 0)}% more (and ${fixed((d[0]?.items ?? 0) / e1k.items, 0)} times the items) for the daily items.`,
    ...(noisy
      ? [
          'At this load the spread between runs (p90 well above p50) is of the order of the differences between',
          'sizes: the latency ratio is only as good as the machine was quiet.',
        ]
      : []),
    'Day, week and range reports, and the engineer detail, still read the daily items (a range reads the',
    'roll-ups of the whole months it covers); in a province with many teams their cost follows the',
    "province's engineer-days, not responses.",
    '',
  ];
}
