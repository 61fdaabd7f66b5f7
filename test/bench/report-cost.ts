import { randomUUID } from 'node:crypto';
import { pinClock } from '#shared/clock';
import { transact } from '#shared/db/tx';
import {
  addToAggregate,
  aggEngineerIndexKey,
  aggKey,
  type Counts,
  counters,
  type EngineerRef,
} from '#shared/entities/aggregate';
import { ticketCompletedSchema } from '#shared/schemas/ticket-completed';
import { completeTicket } from '#shared/usecases/complete-ticket';
import { handleInboundSms } from '#shared/usecases/handle-inbound-sms';
import { runDueWork } from '#shared/usecases/run-due-work';
import { measure, type Usage } from './meter.ts';
import { http, keepAlive, median, percentile, pool } from './stats.ts';

/**
 * Section 2: a month report for one 50-engineer team working 20 weekdays a month: November 2026
 * with 1,000 responses seeded through the real use cases (webhook, scheduler, SMS reply);
 * October with 100,000 and September with 10,000, written as the pipeline counts them (ADD
 * increments on the aggregate items, batched per engineer-day, 25 items per transaction). The
 * three months sit side by side, so their reports are timed in turn (round robin) and drift in
 * the machine's load falls on all three alike.
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
  latencies: number[];
  p50: number;
  p90: number;
  /** Capacity of one report (identical on every run; the median is shown). */
  usage: Usage;
  items: number;
  bytes: number;
}

export interface ReportCostResult {
  seedSeconds: number;
  seedHow: string;
  /** At 1,000, 10,000 and 100,000 responses. */
  engineers: ReportPoint[];
  teams: ReportPoint[];
}

async function seedThroughUseCases(log: (s: string) => void): Promise<number> {
  let phoneSeq = 0;
  let n = 0;
  for (const [d, day] of DAYS.entries()) {
    pinClock(new Date(`${day}T10:00:00+08:00`));
    const tickets = engineers.map((e, i) => {
      phoneSeq++;
      return {
        phone: `+86150${String(10_000_000 + phoneSeq).slice(-8)}`,
        body: ticketCompletedSchema.parse({
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
    await pool(8, tickets, (t) => completeTicket(t.body));
    pinClock(new Date(`${day}T10:30:00+08:00`));
    let sent = 0;
    for (let i = 0; i < 5; i++) {
      const r = await runDueWork();
      sent += r.surveysSent ?? 0;
      if ((r.surveysSent ?? 0) === 0) break;
    }
    if (sent !== ENGINEERS) throw new Error(`${day}: ${sent} surveys sent, expected ${ENGINEERS}`);
    pinClock(new Date(`${day}T10:40:00+08:00`));
    const ratings = tickets.map((t, i) => ({ phone: t.phone, rating: ratingOf(n + i) }));
    const outcomes = await pool(8, ratings, (r) =>
      handleInboundSms({
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
        handleInboundSms({
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

/**
 * A month of responses on each engineer-day, as the pipeline counts them: ADD increments on the
 * aggregate items, one per engineer-day (every counter a response can touch at least once, so
 * 10k and 100k items carry the same attributes and differ only in the counts).
 */
async function addThroughAggregates(month: string, perEngineerDay: number): Promise<number> {
  const k = perEngineerDay;
  const part = (f: number) => Math.max(1, Math.round(k * f));
  const basicallySatisfied = part(0.1);
  const dissatisfied = part(0.05);
  const delta: Partial<Counts> = {
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
  const items = workDays(month).flatMap((day) => engineers.map((e) => addToAggregate(day, e, delta)));
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await pool(4, batches, (b) => transact(b));
  return items.length * k;
}

/** DynamoDB's size of an item: names and values in UTF-8, numbers about one byte per two digits + 1. */
function itemBytes(item: Record<string, string | number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    n += Buffer.byteLength(k);
    n +=
      typeof v === 'string'
        ? Buffer.byteLength(v)
        : Math.ceil(String(Math.abs(v)).replace(/^0+/, '').length / 2) + 1;
  }
  return n;
}

/** The largest aggregate item: every counter present, six-digit counts. */
export function ceilingItem(): { bytes: number; counters: number } {
  const e = engineers[0] as EngineerRef;
  const day = DAYS[0] as string;
  const bytes = itemBytes({
    ...aggKey(day, e.engineerId),
    ...aggEngineerIndexKey(day, e.engineerId),
    ...e,
    day,
    ...Object.fromEntries(counters.map((c) => [c, 123_456])),
  });
  return { bytes, counters: counters.length };
}

interface Target {
  responses: number;
  path: string;
  latencies: number[];
  usages: Usage[];
  bytes: number;
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
      latencies: t.latencies,
      p50: median(t.latencies),
      p90: percentile(t.latencies, 90),
      usage,
      items: usage.itemsRead,
      bytes: t.bytes,
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
  url: string;
  managerToken: string;
  log: (s: string) => void;
}): Promise<ReportCostResult> {
  const t0 = performance.now();
  await seedThroughUseCases(opts.log);
  const seedSeconds = (performance.now() - t0) / 1000;
  const months = [
    { month: MONTH, responses: 1000 },
    { month: '2026-09', responses: 10_000 },
    { month: '2026-10', responses: 100_000 },
  ];
  for (const m of months.slice(1))
    await addThroughAggregates(m.month, m.responses / (ENGINEERS * DAYS.length));
  for (const m of months) {
    const counted = await reportedResponses(opts.url, opts.managerToken, m.month);
    if (counted !== m.responses)
      throw new Error(`the ${m.month} report counts ${counted} responses, expected ${m.responses}`);
  }
  const target = (kind: string, m: { month: string; responses: number }): Target => ({
    responses: m.responses,
    path: `/v1/reports/${kind}?period=${m.month}`,
    latencies: [],
    usages: [],
    bytes: 0,
  });
  const points = await measureReports(opts.url, opts.managerToken, [
    ...months.map((m) => target('engineers', m)),
    ...months.map((m) => target('teams', m)),
  ]);
  const engineersPoints = points.slice(0, 3);
  for (const p of engineersPoints) {
    opts.log(
      `  ${p.responses / 1000}k: engineers report p50 ${p.p50.toFixed(1)} ms, ${p.usage.rcu} RCU, ${p.items} items`,
    );
  }
  return {
    seedSeconds,
    seedHow:
      `November: 1,000 responses through the real use cases in-process (completeTicket -> runDueWork -> ` +
      `handleInboundSms, clock pinned per day; ${seedSeconds.toFixed(0)} s): 50 engineers x 20 weekdays, ` +
      'one rated survey per engineer-day (85% 满意, 10% 基本满意, 5% 不满意, with reasons). October (100,000) ' +
      'and September (10,000), same engineers, 20 weekdays each: written as the pipeline counts them, ' +
      '`addToAggregate` ADD increments via `transact`, batched per engineer-day (100 or 10 responses in one ' +
      'increment), 25 items per transaction. The six reports (3 months x engineers/teams) are timed in turn, ' +
      'in a shuffled order each round',
    engineers: engineersPoints,
    teams: points.slice(3),
  };
}
