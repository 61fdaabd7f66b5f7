// Over 350 lines on purpose: a seeded random soak: its generator, its racing steps and its final checks belong together.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * A randomized soak of the whole survey loop, in process, against DynamoDB Local with the real
 * use cases: thousands of completions over a few simulated days on a small phone pool (phones
 * collide: fatigue, queues), duplicated and concurrent webhooks, reopenings before and after the
 * survey is sent and completions after them, replies in random order with duplicates (the same
 * inbound id twice, two different replies at once, SMS racing the web page), unreadable replies,
 * reasons, opt-outs, callback cases noted and closed (twice at once), reminders, expiries, and the
 * scheduler run again and again (sometimes twice at once) while the pinned clock advances.
 * At the end `npm run verify`'s comparison must find zero differences, and a few global
 * invariants must hold. Reproduce a run with SOAK_SEED=<seed> (printed on failure).
 *
 * SOAK_TICKETS sets the size (default 1,000; SOAK_TICKETS=3000 for a longer soak). The limit is
 * DynamoDB Local: it does some 150-250 operations a second on two cores, and a ticket's life
 * costs about 15 of them, so 1,000 tickets take a minute and a half there.
 */

const STAFF_PHONE = '13900000001';

/** The soak's configuration (the verify CLI it runs is given the same). */
const SOAK_ENV = {
  RULES: JSON.stringify({
    survey: {
      // short, so that phones collide on fatigue and queues but are surveyed again within the run
      fatigueHours: 3,
      kinds: ['repair', 'install', 'move', 'removal', 'activation', 'store_sale', 'new_business'],
      staffPhones: ['13900000001'],
    },
    callbacks: { contactWithinHours: 8 }, // 不满意 opens a case; 基本满意 does not (default)
    sources: { web: { webSurvey: true } },
  }),
  PUBLIC_BASE_URL: 'https://fb.example.cn',
};

import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addCallbackNote, closeCallback, listCallbacks } from '#shared/app/callbacks/callbacks';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { answerWebSurvey } from '#shared/app/surveys/web-survey';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { ConflictError } from '#shared/domain/errors';
import { principalFromEvent } from '#shared/http/auth';
import { aggKey } from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { dueSlots } from '#shared/store/due';
import { queryAll } from '#shared/store/query';
import { DUE_INDEX } from '#shared/store/table';
import { auditTable, verifyTable } from '../../infra/ops/verify.ts';
import { httpEvent } from '../helpers/apigw.ts';
import { completeAndPlan, planIfPending } from '../helpers/complete.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';

const deps = testDeps({ env: SOAK_ENV });

const SEED = Number(process.env.SOAK_SEED ?? randomInt(1, 2 ** 31));
const TICKETS = Number(process.env.SOAK_TICKETS ?? 1000);
const ENGINEERS = 40;
const PHONES = Math.max(20, Math.round(TICKETS / 5));
const TEAMS = ['T1', 'T2', 'T3', 'T4', 'T5'];
const HOUR = 3_600_000;
/** Survey statuses that still have something to happen. */
const OPEN = ['scheduled', 'waiting', 'sent', 'awaiting_reasons'];
const MIN = 60_000;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Random choices from one seeded stream. */
function stream(seed: number) {
  const rand = prng(seed);
  return {
    rand,
    chance: (p: number) => rand() < p,
    int: (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T,
  };
}
/**
 * One stream per actor that runs concurrently with the others (the simulation itself, customers,
 * callback agents), each drawing its choices synchronously before its requests start, and over
 * lists in an order the seed fixes (never the random survey ids), so a seed replays the same
 * inputs whatever the interleaving. What it cannot fix is how concurrent requests race inside
 * DynamoDB Local: those interleavings get their own step-by-step tests (phone-queue.test.ts).
 */
const main = stream(SEED);
const cust = stream(SEED ^ 0x5bd1e995);
const agent = stream(SEED ^ 0x27d4eb2d);

/** Runs fn over items with at most n in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(n, queue.length) }, async () => {
      for (let it = queue.shift(); it !== undefined; it = queue.shift()) await fn(it);
    }),
  );
}

const admin = principalFromEvent(
  httpEvent({ method: 'GET', path: '/', claims: { sub: 'soak-admin', role: 'admin' } }),
);

const engineers = Array.from({ length: ENGINEERS }, (_, i) => ({
  id: `E${String(i + 1).padStart(3, '0')}`,
  name: `师傅${i + 1}`,
  team: TEAMS[i % TEAMS.length] as string,
  region: i % 2 ? 'R-north' : 'R-south',
}));
const phones = Array.from({ length: PHONES }, (_, i) => `139${String(10_000_000 + i * 7919).slice(-8)}`);
const e164 = (national: string) => `+86${national}`;

interface SimTicket {
  ticketId: string;
  source: 'ossA' | 'web';
  phone: string;
  engineer: (typeof engineers)[number];
  /** completed = its last completion stands; reopened = waiting for the next completion. */
  state: 'completed' | 'reopened';
  lastReopenedAt?: number;
}

/** What the simulation did, to check the system's own records against. */
const sim = {
  tickets: [] as SimTicket[],
  completionsAccepted: 0,
  duplicateWebhooks: 0,
  reopens: 0,
  inboundOutcomes: new Map<string, string[]>(),
  inboundSent: 0,
  webAnswers: 0,
  webAnswered: 0,
  callbackCloses: 0,
  callbackCloseConflicts: 0,
  notes: 0,
  dueRuns: 0,
};

let clock = Date.parse('2026-11-10T00:00:00Z'); // 08:00 in Beijing
const setClock = (ms: number) => {
  clock = ms;
  pinClock(new Date(ms));
};
const iso = (ms: number) => new Date(ms).toISOString();

function ticketBody(t: SimTicket, completedAt: number) {
  const kind = main.chance(0.04)
    ? 'inspection' // not surveyed
    : main.chance(0.03)
      ? 'store_sale' // surveyed three days later
      : main.pick(['repair', 'repair', 'repair', 'install', 'move', 'activation'] as const);
  const segment = main.chance(0.2) ? 'enterprise' : 'home';
  const reportedAt = completedAt - main.int(30, 8 * 60) * MIN;
  const appointmentAt = completedAt - main.int(30, 180) * MIN;
  return {
    ticketId: t.ticketId,
    source: t.source,
    segment,
    kind,
    ...(segment === 'home'
      ? {
          area: main.pick(['urban', 'suburban', 'rural'] as const),
          faultType: main.pick(['equipment', 'line'] as const),
        }
      : {
          serviceLevel: main.pick(['AAA', 'AA', 'A', 'standard'] as const),
          crossProvince: main.chance(0.2),
        }),
    ...(main.chance(0.8) ? { reportedAt: iso(reportedAt) } : {}),
    ...(main.chance(0.7) ? { firstContactAt: iso(reportedAt + main.int(1, 30) * MIN) } : {}),
    ...(main.chance(0.6)
      ? {
          appointmentAt: iso(appointmentAt),
          arrivedAt: iso(Math.min(completedAt, appointmentAt + main.int(-20, 25) * MIN)),
          ...(main.chance(0.1)
            ? { appointmentChangedAt: iso(appointmentAt - main.int(0, 4 * 60) * MIN) }
            : {}),
        }
      : {}),
    ...(main.chance(0.1) ? { excludedMinutes: main.int(0, 120) } : {}),
    completedAt: iso(completedAt),
    engineer: t.engineer,
    customer: { phone: t.phone },
  };
}

interface CompletionJob {
  t: SimTicket;
  body: ReturnType<typeof ticketCompletedSchema.parse>;
  copies: number;
  /** Planned at once by a racing planner too (as a reopen or an erasure would). */
  racingPlanner: boolean;
}

function planCompletion(t: SimTicket): CompletionJob {
  const completedAt = clock - main.int(0, 90) * MIN;
  const at = t.lastReopenedAt ? Math.max(completedAt, t.lastReopenedAt + MIN) : completedAt;
  // the same webhook delivered twice at once (sometimes) -> one completion
  const body = ticketCompletedSchema.parse(ticketBody(t, at));
  // drawn here, in the step's order, not when a pool worker gets to the job
  return { t, body, copies: main.chance(0.06) ? 2 : 1, racingPlanner: main.chance(0.2) };
}

async function complete({ t, body, copies, racingPlanner }: CompletionJob): Promise<void> {
  // Accepted as the webhook does; planned by the next scheduler run, or sometimes at once by a
  // racing planner (a reopen or an erasure plans a pending ticket first).
  const planner = racingPlanner ? [planIfPending(deps, body.source, body.ticketId, new Date(clock))] : [];
  const [results] = await Promise.all([
    Promise.all(Array.from({ length: copies }, () => acceptTicket(deps, body))),
    ...planner,
  ]);
  const created = results.filter((r) => r.created).length;
  expect(created, `seed ${SEED}: one completion per webhook`).toBe(1);
  sim.completionsAccepted += created;
  sim.duplicateWebhooks += copies - 1;
  t.state = 'completed';
}

async function reopen({ t, copies }: { t: SimTicket; copies: number }): Promise<void> {
  const r = { ticketId: t.ticketId, source: t.source, reopenedAt: iso(clock) };
  // reopening twice at once changes nothing more
  await Promise.all(Array.from({ length: copies }, () => reopenTicket(deps, r)));
  t.state = 'reopened';
  t.lastReopenedAt = clock;
  sim.reopens++;
}

let inboundSeq = 0;
/** An inbound SMS from a phone (E.164), with a fresh id unless one is given (a redelivery). */
function message(from: string, body: string, id = `soak-${SEED}-${++inboundSeq}`) {
  return {
    originationNumber: from,
    destinationNumber: '+8610690000',
    messageBody: body,
    inboundMessageId: id,
  };
}
type Inbound = ReturnType<typeof message>;

async function sendInbound(msg: Inbound): Promise<void> {
  sim.inboundSent++;
  const outcome = await handleInboundSms(deps, msg);
  const seen = sim.inboundOutcomes.get(msg.inboundMessageId) ?? [];
  seen.push(outcome);
  sim.inboundOutcomes.set(msg.inboundMessageId, seen);
}

const RATING_REPLIES = ['1', '2', '3', '１', '3 师傅迟到了', '2，还行', '不满意', '满意', '非常满意，谢谢'];
const REASON_REPLIES = ['1 3', '2、5 太慢了', '4', '1,2,6', '师傅态度不好', '６', '13'];
const UNREADABLE = ['嗯嗯', '?', '你好', '明天再说'];

/** The web link token of a survey sent with one, read from its survey SMS. */
async function webToken(surveyId: string): Promise<string | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: { pk: `SMS#${surveyId}#survey`, sk: 'SMS' } }),
  );
  return /\/s\/([A-Za-z0-9_-]{16})/.exec(String(res.Item?.body ?? ''))?.[1];
}

interface OpenSurvey {
  surveyId: string;
  phone: string;
  status: string;
  source: string;
  ticketId: string;
  completedAt: string;
}

/**
 * Surveys with something still to happen, from the due index (a Query per shard, the way the
 * scheduler reads it): `open` are those a customer can answer now (sent or awaiting reasons).
 */
async function surveysInDueIndex(): Promise<{ all: number; open: OpenSurvey[] }> {
  const found = await Promise.all(
    dueSlots().map((slot) =>
      queryAll<OpenSurvey>({
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: '#type = :survey',
        ProjectionExpression: 'surveyId, phone, #status, #source, ticketId, completedAt',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status', '#source': 'source' },
        ExpressionAttributeValues: { ':pk': slot, ':survey': 'survey' },
      }),
    ),
  );
  // In an order the seed fixes (ticket ids and completion times come from it; survey ids are
  // random UUIDs), so the choices drawn over them replay with the seed.
  const key = (x: OpenSurvey) => `${x.ticketId}#${x.completedAt}`;
  const all = found
    .flat()
    .sort((a, b) => key(a).localeCompare(key(b)) || a.surveyId.localeCompare(b.surveyId));
  return { all: all.length, open: all.filter((x) => x.status === 'sent' || x.status === 'awaiting_reasons') };
}

/** What one customer does in a step. */
type CustomerAction =
  | { kind: 'sms'; msgs: Inbound[]; mode: 'once' | 'twice_at_once' | 'twice_later' | 'together' }
  | {
      kind: 'web';
      surveyId: string;
      answer: { rating: 1 | 2 | 3; reasons: number[]; comment?: string };
      race?: Inbound;
      fallback: Inbound;
    };

/** A customer's answer to their open survey: a rating, reasons, the web page, noise or an opt-out. */
function planCustomer(open: OpenSurvey): CustomerAction {
  const { phone } = open;
  if (cust.chance(0.02))
    return { kind: 'sms', msgs: [message(phone, cust.pick(['TD', '退订', 'T']))], mode: 'once' };
  if (open.status === 'sent' && open.source === 'web' && cust.chance(0.4)) {
    const rating = cust.int(1, 3) as 1 | 2 | 3;
    const reasons = rating === 1 || cust.chance(0.3) ? [] : [cust.int(1, 6), cust.int(1, 6)];
    return {
      kind: 'web',
      surveyId: open.surveyId,
      answer: { rating, reasons, ...(cust.chance(0.3) ? { comment: '网页评价' } : {}) },
      // sometimes racing an SMS reply for the same survey: counted once
      ...(cust.chance(0.2) ? { race: message(phone, cust.pick(RATING_REPLIES)) } : {}),
      fallback: message(phone, String(rating)),
    };
  }
  const body =
    open.status === 'sent'
      ? cust.chance(0.12)
        ? cust.pick(UNREADABLE)
        : cust.pick(RATING_REPLIES)
      : cust.pick(REASON_REPLIES);
  const first = message(phone, body);
  const r = cust.rand();
  if (r < 0.08) return { kind: 'sms', msgs: [first], mode: 'twice_at_once' };
  if (r < 0.14) return { kind: 'sms', msgs: [first], mode: 'twice_later' };
  if (r < 0.22)
    return { kind: 'sms', msgs: [first, message(phone, cust.pick(RATING_REPLIES))], mode: 'together' };
  return { kind: 'sms', msgs: [first], mode: 'once' };
}

async function act(a: CustomerAction): Promise<void> {
  if (a.kind === 'web') {
    const token = await webToken(a.surveyId);
    if (!token) return sendInbound(a.fallback);
    const [web] = await Promise.all([
      answerWebSurvey(deps, token, a.answer),
      ...(a.race ? [sendInbound(a.race)] : []),
    ]);
    sim.webAnswers++;
    if (web && web.kind === 'answered') sim.webAnswered++;
    return;
  }
  const [first, second] = a.msgs as [Inbound, Inbound?];
  if (a.mode === 'twice_at_once') await Promise.all([sendInbound(first), sendInbound(first)]);
  else if (a.mode === 'twice_later') {
    await sendInbound(first);
    await sendInbound(first); // redelivered later
  } else if (a.mode === 'together' && second) await Promise.all([sendInbound(first), sendInbound(second)]);
  else await sendInbound(first);
}

/** Customers at their phones: about half of the open surveys get an answer each step; a few stray texts. */
async function customersTurn(): Promise<void> {
  const { open } = await surveysInDueIndex();
  const actions = open.filter(() => cust.chance(0.45)).map(planCustomer);
  for (let i = 0; i < Math.ceil(PHONES / 100); i++) {
    actions.push({
      kind: 'sms',
      msgs: [message(e164(cust.pick(phones)), cust.pick(RATING_REPLIES))],
      mode: 'once',
    });
  }
  await pool(actions, 8, act);
}

/** Callback agents at work: note some cases, close some (sometimes two agents at once). */
async function agentsTurn(): Promise<void> {
  const pages = await Promise.all(
    TEAMS.map((team) => listCallbacks(admin, { statuses: ['open', 'overdue'], team, limit: 50 })),
  );
  const work = pages
    .flatMap((page) => page.items)
    // in an order the seed fixes (case ids are random), so the agents' choices replay with it
    .sort((a, b) =>
      `${a.ticketId}#${a.day}#${a.openedAt}`.localeCompare(`${b.ticketId}#${b.day}#${b.openedAt}`),
    )
    .map((c) => {
      const r = agent.rand();
      return {
        caseId: c.caseId,
        action: r < 0.15 ? ('note' as const) : r < 0.5 ? ('close' as const) : ('none' as const),
        outcome: agent.pick(['resolved_satisfied', 'resolved_unsatisfied', 'unreachable'] as const),
        tries: agent.chance(0.15) ? 2 : 1,
      };
    });
  await pool(work, 6, async ({ caseId, action, outcome, tries }) => {
    if (action === 'note') {
      await addCallbackNote(deps, admin, caseId, '已电话联系客户');
      sim.notes++;
    } else if (action === 'close') {
      const results = await Promise.allSettled(
        Array.from({ length: tries }, () => closeCallback(deps, admin, caseId, { outcome, note: '已处理' })),
      );
      const ok = results.filter((x) => x.status === 'fulfilled').length;
      const conflicts = results.filter(
        (x) => x.status === 'rejected' && x.reason instanceof ConflictError,
      ).length;
      expect(ok, `seed ${SEED}: a case closes once`).toBe(1);
      expect(ok + conflicts).toBe(tries);
      sim.callbackCloses++;
      sim.callbackCloseConflicts += conflicts;
    }
  });
}

/** The scheduler, sometimes running twice at once. */
async function scheduler(): Promise<void> {
  sim.dueRuns++;
  if (main.chance(0.15)) await Promise.all([runDueWork(deps), runDueWork(deps)]);
  else await runDueWork(deps);
}

/** One step of simulated time: new completions, reopenings, the scheduler, customers and agents. */
async function step(newTickets: number): Promise<void> {
  const fresh: SimTicket[] = Array.from({ length: newTickets }, () => {
    const t: SimTicket = {
      ticketId: `SOAK-${SEED}-${sim.tickets.length + 1}`,
      source: main.chance(0.3) ? 'web' : 'ossA',
      phone: main.chance(0.01) ? STAFF_PHONE : main.pick(phones),
      engineer: main.pick(engineers),
      state: 'completed',
    };
    sim.tickets.push(t);
    return t;
  });
  const toReopen = sim.tickets
    .filter((t) => t.state === 'completed' && !fresh.includes(t) && main.chance(0.002))
    .map((t) => ({ t, copies: main.chance(0.1) ? 2 : 1 }));
  const again = sim.tickets.filter((t) => t.state === 'reopened' && main.chance(0.4));
  const completions = [...fresh, ...again].map(planCompletion);
  const agentsWork = main.chance(0.5);
  // everyone at once, as in production: webhooks, reopenings, the scheduler, customers, agents
  await Promise.all([
    pool(completions, 8, complete),
    pool(toReopen, 4, reopen),
    scheduler(),
    customersTurn(),
    agentsWork ? agentsTurn() : undefined,
  ]);
}

describe('soak: thousands of tickets through the real use cases', () => {
  it(`ends with zero differences between the aggregates and the raw records`, async (ctx) => {
    ctx.onTestFailed(() => {
      console.error(`soak failed: replay with SOAK_SEED=${SEED} SOAK_TICKETS=${TICKETS}`);
    });
    const started = Date.now();
    setClock(clock);

    // 1. Busy days: completions arrive every 20-120 minutes of simulated time, day and night.
    while (sim.tickets.length < TICKETS) {
      const n = Math.min(TICKETS - sim.tickets.length, main.int(20, 60));
      await step(n);
      setClock(clock + main.int(20, 120) * MIN);
    }
    const busy = Date.now();
    // 2. The days after: answers trickle in, reminders and expiries, agents close cases.
    for (let i = 0; i < 16; i++) {
      setClock(clock + main.int(2, 8) * HOUR);
      await step(0);
    }
    const after = Date.now();
    // 3. Everything falls due: store-sale surveys, surveys queued behind unanswered ones, the
    // last expiries; agents close what is left of the cases.
    for (let i = 0; i < 40; i++) {
      setClock(clock + main.int(30, 80) * HOUR);
      await scheduler();
      await runDueWork(deps); // sends what the first run released from a phone's queue
      if (i % 2 === 0) await agentsTurn();
      if ((await surveysInDueIndex()).all === 0) break;
    }

    const drained = Date.now();
    const report = await auditTable(deps);
    const secs = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
    const timing = `${secs(started, Date.now())} s (busy days ${secs(started, busy)} s, after ${secs(busy, after)} s, drain ${secs(after, drained)} s, verify ${secs(drained, Date.now())} s)`;
    const items = await allItems();
    const surveys = items.filter((i) => i.type === 'survey');
    const statuses: Record<string, number> = {};
    for (const s of surveys) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
    console.log(
      `soak seed ${SEED}: ${TICKETS} tickets, ${sim.completionsAccepted} completions ` +
        `(${sim.reopens} reopenings, ${sim.duplicateWebhooks} duplicate webhooks), ${sim.inboundSent} inbound SMS ` +
        `(${sim.inboundOutcomes.size} ids), ${sim.webAnswers} web answers (${sim.webAnswered} recorded), ` +
        `${report.callbacks} callback cases (${sim.callbackCloses} closed, ${sim.callbackCloseConflicts} second closes refused, ` +
        `${sim.notes} notes), ${sim.dueRuns} scheduler runs, surveys by status ${JSON.stringify(statuses)}; ${timing}`,
    );

    // The comparison `npm run verify` makes: zero differences, nothing it could not check.
    expect(report.differences, `seed ${SEED}`).toEqual([]);
    expect(report.problems, `seed ${SEED}`).toEqual([]);
    expect(report.stranded, `seed ${SEED}: accepted work left undone`).toEqual([]);
    expect(report.surveys).toBe(sim.completionsAccepted);
    expect(report.fromDay && report.fromDay <= '2026-11-10').toBe(true);

    // The run exercised what it claims to (so a quiet run cannot pass by doing nothing).
    for (const s of ['answered', 'expired', 'cancelled', 'suppressed', 'opted_out']) {
      expect(statuses[s] ?? 0, `seed ${SEED}: surveys ${s}`).toBeGreaterThan(0);
    }
    expect(sim.webAnswered).toBeGreaterThan(0);
    expect(sim.callbackCloses).toBeGreaterThan(0);

    // Global invariants, from the raw items.
    const aggs = items.filter((i) => String(i.pk).startsWith('AGG#'));
    const sum = (c: string) => aggs.reduce((n, a) => n + Number(a[c] ?? 0), 0);
    expect(sum('completed')).toBe(sim.completionsAccepted);
    expect(sum('responses')).toBe(surveys.filter((s) => s.rating !== undefined).length);
    expect(sum('satisfied') + sum('basicallySatisfied') + sum('dissatisfied')).toBe(sum('responses'));
    expect(sum('callbacksOpened')).toBe(items.filter((i) => i.type === 'callback').length);
    // every 不满意 has exactly its one case, and nothing else has one
    const cases = new Set(items.filter((i) => i.type === 'callback').map((i) => String(i.surveyId)));
    const opening = surveys.filter((s) => s.rating === 3).map((s) => String(s.surveyId));
    expect(new Set(opening)).toEqual(cases);
    // nothing is left open once everything fell due
    expect(
      surveys.filter((s) => OPEN.includes(String(s.status))),
      `seed ${SEED}: surveys left open`,
    ).toEqual([]);
    const busyPhones = items.filter(
      (i) => String(i.pk).startsWith('PHONE#') && (i.openSurveyId || (i.waiting as unknown[]).length > 0),
    );
    expect(busyPhones, `seed ${SEED}: phones still busy`).toEqual([]);

    // SMS: no survey has two thank-you messages, and the gateway sent each outbox message once.
    const sms = items.filter((i) => i.type === 'sms' && i.channel !== 'alert');
    const thanks = new Map<string, number>();
    for (const m of sms) {
      if (String(m.templateId).startsWith('thanks')) {
        thanks.set(String(m.surveyId), (thanks.get(String(m.surveyId)) ?? 0) + 1);
      }
    }
    expect([...thanks.values()].filter((n) => n > 1)).toEqual([]);
    expect(thanks.size).toBeGreaterThan(0);
    const gatewaySends = items.filter((i) => i.pk === 'LOCAL#OUTBOX');
    expect(gatewaySends.length).toBe(sms.filter((m) => m.status === 'sent').length);
    expect(new Set(gatewaySends.map((g) => g.messageId)).size).toBe(gatewaySends.length);
    // every sent survey had its invitation sent exactly once
    const invitations = new Set(
      sms.filter((m) => String(m.smsId).endsWith('#survey') && m.status === 'sent').map((m) => m.surveyId),
    );
    expect(surveys.filter((s) => s.sentAt && !invitations.has(s.surveyId))).toEqual([]);

    // Each inbound id handled once: one real outcome, every other delivery a duplicate.
    const inboundItems = new Set(
      items.filter((i) => String(i.pk).startsWith('INBOUND#')).map((i) => String(i.pk).slice(8)),
    );
    for (const [id, outcomes] of sim.inboundOutcomes) {
      expect(
        outcomes.filter((o) => o !== 'duplicate'),
        `seed ${SEED}: inbound ${id}`,
      ).toHaveLength(1);
      expect(inboundItems.has(id)).toBe(true);
    }
    expect(inboundItems.size).toBe(sim.inboundOutcomes.size);
    expect([...sim.inboundOutcomes.values()].some((o) => o.includes('duplicate'))).toBe(true);
  }, 600_000);

  it('verify reports a tampered aggregate, exactly that counter, and nothing once it is put back', async () => {
    // One rated survey of its own (so this test also runs alone), on top of whatever the soak left.
    setClock(Date.parse('2026-11-20T02:00:00Z'));
    const engineer = { id: 'E-TAMPER', name: '赵师傅', team: 'T1', region: 'R-south' };
    await completeAndPlan(
      deps,
      ticketCompletedSchema.parse({
        ticketId: `TAMPER-${SEED}`,
        segment: 'home',
        kind: 'repair',
        completedAt: '2026-11-20T09:50:00+08:00',
        engineer,
        customer: { phone: '13712345678' },
      }),
    );
    setClock(Date.parse('2026-11-20T02:21:00Z'));
    await runDueWork(deps);
    expect(await handleInboundSms(deps, message('+8613712345678', '1'))).toBe('rated');
    expect(await verifyTable(deps)).toEqual([]);

    const day = '2026-11-20';
    const add = (n: number) =>
      ddb.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: aggKey(day, engineer.id),
          UpdateExpression: 'ADD satisfied :n',
          ExpressionAttributeValues: { ':n': n },
        }),
      );
    const run = promisify(execFile);
    const verifyCli = ['tsx', 'infra/ops/verify.ts', '--at', iso(clock)];
    await add(1);
    try {
      expect(await verifyTable(deps)).toEqual([
        { day, engineerId: engineer.id, counter: 'satisfied', stored: 2, expected: 1 },
      ]);
      // the script itself: a table of that one difference, exit code 1
      // "now" as the test's pinned clock, not the machine's date (the stranded-work check uses it)
      const cli = await run('npx', verifyCli, { env: { ...process.env, ...SOAK_ENV } }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/^1 difference:$/m);
      expect(cli.stdout).toMatch(/^2026-11-20\s+E-TAMPER\s+satisfied\s+2\s+1\s+\+1$/m);
    } finally {
      await add(-1);
    }
    expect(await verifyTable(deps)).toEqual([]);
    const { stdout } = await run('npx', verifyCli, { env: { ...process.env, ...SOAK_ENV } });
    expect(stdout).toMatch(/^0 differences$/m);
  }, 120_000);
});
