// Over 350 lines on purpose: the monthly roll-ups from every kind of counted event, with the team-name edge cases, in one place.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { closeCallback } from '#shared/app/callbacks/callbacks';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { regionReport, teamReport } from '#shared/app/reports/rollups';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { counters } from '#shared/domain/counters';
import { parsePeriod, rangePeriod } from '#shared/domain/time';
import type { EngineerRef } from '#shared/domain/types';
import type { Principal } from '#shared/http/auth';
import {
  aggKey,
  aggregateUpdates,
  aggShard,
  queryAggregates,
  rollupAttr,
  rollupKey,
  rollupKeyParts,
  rollupRefAttr,
} from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { AGG_SHARDS } from '#shared/store/table';
import { transact } from '#shared/store/tx';
import { auditTable, verifyTable } from '../../infra/ops/verify.ts';
import { installMeter, measure } from '../bench/meter.ts';
import { httpEvent } from '../helpers/apigw.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound, sign, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const ticketCompleted = ticketCompletedOn(deps);

/**
 * Monthly roll-ups (AGGM#{yyyy-mm}#{shard} / {team}#{engineerId}): written beside the daily aggregates by
 * every use case, read by month reports. Seeded through the real pipeline (signed webhook ->
 * scheduler -> SMS replies, a reopen, callbacks closed and overdue, expiries, an opt-out).
 *
 * Teams: TA (R1): E1, E2; TB (R1): E3 until 11-10; TC (R2): E3 from 11-18, E4; "TA#X" (R3): E5,
 * a team whose name starts with another team's sort-key prefix. All of it falls on days
 * 11-03..11-25, so the range 11-02..11-29 (daily items) must give the month's figures exactly.
 */
interface Eng {
  id: string;
  name: string;
  team: string;
  region: string;
}
const E1: Eng = { id: 'E1', name: '张伟', team: 'TA', region: 'R1' };
const E2: Eng = { id: 'E2', name: '李娜', team: 'TA', region: 'R1' };
const E3b: Eng = { id: 'E3', name: '王强', team: 'TB', region: 'R1' };
const E3c: Eng = { id: 'E3', name: '王强', team: 'TC', region: 'R2' };
const E4: Eng = { id: 'E4', name: '赵敏', team: 'TC', region: 'R2' };
const E5: Eng = { id: 'E5', name: '刘洋', team: 'TA#X', region: 'R3' };

installMeter(ddb);

const secret = process.env.WEBHOOK_SECRET as string;
let phoneSeq = 0;

async function complete(eng: Eng, day: string): Promise<{ phone: string; ticketId: string }> {
  phoneSeq++;
  const local = `139${String(20_000_000 + phoneSeq * 7_919).slice(-8)}`;
  const body = ticketBody({
    customer: { phone: local },
    engineer: eng,
    completedAt: `${day}T09:00:00+08:00`,
    reportedAt: `${day}T07:00:00+08:00`,
    firstContactAt: `${day}T07:05:00+08:00`,
  });
  const text = JSON.stringify(body);
  const res = await ticketCompleted(
    httpEvent({
      method: 'POST',
      path: '/v1/tickets/completed',
      body: text,
      headers: { 'content-type': 'application/json', ...sign(secret, text) },
    }),
  );
  expect(res.statusCode).toBe(202);
  return { phone: `+86${local}`, ticketId: body.ticketId as string };
}

interface Visit {
  eng: Eng;
  /** The SMS replies in order ('1', '3 太慢了', '1 5', 'TD'); none = left to expire. */
  replies?: string[];
  reopen?: boolean;
}

/** Completions at 09:00 Beijing, surveys sent at 09:31, replies from 09:40, reopens at 10:30. */
async function seedDay(day: string, visits: Visit[]) {
  pinClock(new Date(`${day}T01:00:00Z`));
  const done = [];
  for (const v of visits) done.push({ v, ...(await complete(v.eng, day)) });
  await runDueWork(deps); // plans the completions (scheduler), if the webhook left that to it
  pinClock(new Date(`${day}T01:31:00Z`));
  await runDueWork(deps);
  let minute = 40;
  for (const { v, phone } of done) {
    for (const reply of v.replies ?? []) {
      pinClock(new Date(`${day}T01:${minute++}:00Z`));
      await handleInboundSms(deps, inbound(phone, reply));
    }
  }
  pinClock(new Date(`${day}T02:30:00Z`));
  for (const { v, ticketId } of done) {
    if (v.reopen) await reopenTicket(deps, { source: 'ossA', ticketId, reopenedAt: `${day}T10:30:00+08:00` });
  }
}

const ADMIN: Principal = { subject: 'admin', role: 'admin', teams: [], regions: [] };
const manager = (teams: string[], regions: string[] = []): Principal => ({
  subject: 'm',
  role: 'manager',
  teams,
  regions,
});
const MONTH = parsePeriod('2026-11', 'Asia/Shanghai');
const SAME_DAYS = rangePeriod('2026-11-02', '2026-11-29', 'Asia/Shanghai');
const withoutPeriod = <T extends { period: unknown }>(r: T) => ({ ...r, period: undefined });

beforeAll(async () => {
  await seedDay('2026-11-03', [
    { eng: E1, replies: ['1'] },
    { eng: E1, replies: ['3 太慢了', '1 5'] },
    { eng: E2, replies: ['2', '4'] },
    { eng: E3b, replies: ['1'] },
    { eng: E4 }, // expires
    { eng: E5, replies: ['1'] },
  ]);
  await seedDay('2026-11-10', [
    { eng: E3b, replies: ['3 没修好'] }, // no reasons: closed by the timeout; its case goes overdue
    { eng: E2, replies: ['1'] },
    { eng: E1, replies: ['TD'] }, // opted out
    { eng: E4, replies: ['1'] },
  ]);
  await seedDay('2026-11-18', [
    { eng: E3c, replies: ['1'] },
    { eng: E3c, replies: ['2'] },
    { eng: E4, replies: ['3', '2 3'] },
    { eng: E1, reopen: true }, // sent, then reopened: closed uncounted
  ]);
  // E4's case closed by an agent the same day; everything else falls due in early December.
  pinClock(new Date('2026-11-18T06:00:00Z'));
  const e4Case = (await allItems()).find((i) => i.type === 'callback' && i.engineerId === 'E4');
  await closeCallback(deps, ADMIN, String(e4Case?.caseId), {
    outcome: 'resolved_satisfied',
    note: '已上门处理',
  });
  await seedDay('2026-11-25', [{ eng: E2, replies: ['1'] }]);
  await seedDay('2026-12-02', [{ eng: E1, replies: ['1'] }]);
  for (const at of ['2026-12-04T02:00:00Z', '2026-12-06T02:00:00Z']) {
    pinClock(new Date(at));
    await runDueWork(deps);
  }
}, 180_000);

describe('monthly roll-ups', () => {
  it('are written with every counter from the first write, beside sparse daily items', async () => {
    const raw = (await allItems()).filter((i) => String(i.pk).startsWith('AGGM#'));
    expect(raw.map((r) => `${r.pk} ${r.sk}`).sort()).toEqual(
      [
        ['2026-11', 'TA', 'E1'],
        ['2026-11', 'TA', 'E2'],
        ['2026-11', 'TA#X', 'E5'],
        ['2026-11', 'TB', 'E3'],
        ['2026-11', 'TC', 'E3'],
        ['2026-11', 'TC', 'E4'],
        ['2026-12', 'TA', 'E1'],
      ]
        .map(([m, t, e]) => `AGGM#${m}#${aggShard(e as string)} ${t}#${e}`)
        .sort(),
    );
    const attrs = [...Object.values(rollupAttr), ...Object.values(rollupRefAttr), 'pk', 'sk'];
    for (const r of raw) {
      expect(Object.keys(r).sort()).toEqual([...attrs].sort());
      expect(r.ttl).toBeUndefined();
    }
    const e5 = raw.find((r) => r.sk === 'TA#X#E5');
    expect(e5).toMatchObject({ nm: '刘洋', rg: 'R3', ld: 3 });
    // E5's one day: the daily item has only what was counted; the roll-up has all, zeros included
    const daily = await ddb.send(new GetCommand({ TableName: TABLE, Key: aggKey('2026-11-03', 'E5') }));
    const counted = counters.filter((c) => daily.Item?.[c] !== undefined);
    expect(counted.length).toBeLessThan(counters.length);
    for (const c of counters) expect(e5?.[rollupAttr[c]]).toBe(daily.Item?.[c] ?? 0);
    // the day of the latest write: E3's TB case went overdue on the 18th, counted on its day, the 10th
    expect(raw.find((r) => r.sk === 'TB#E3')?.ld).toBe(10);
    expect(raw.find((r) => r.sk === 'TC#E3')?.ld).toBe(18);
  });

  it('have all counters from one write of one counter, and keep them', async () => {
    const eng: EngineerRef = { engineerId: 'E-one', engineerName: '孙工', team: 'T-one', region: 'R9' };
    const key = rollupKey('2027-01', 'T-one', 'E-one');
    const get = async () => (await ddb.send(new GetCommand({ TableName: TABLE, Key: key }))).Item;
    try {
      await transact(aggregateUpdates('2027-01-15', eng, { reminded: 1 }));
      const first = await get();
      expect(Object.keys(first ?? {})).toHaveLength(counters.length + 5);
      expect(counters.filter((c) => first?.[rollupAttr[c]] !== 0)).toEqual(['reminded']);
      await transact(aggregateUpdates('2027-01-16', eng, { surveyed: 2, reminded: -1 }));
      const second = await get();
      expect(Object.keys(second ?? {})).toHaveLength(counters.length + 5);
      expect(second).toMatchObject({
        [rollupAttr.surveyed]: 2,
        [rollupAttr.reminded]: 0,
        nm: '孙工',
        rg: 'R9',
        ld: 16,
      });
    } finally {
      for (const k of [key, aggKey('2027-01-15', 'E-one'), aggKey('2027-01-16', 'E-one')]) {
        await ddb.send(new DeleteCommand({ TableName: TABLE, Key: k }));
      }
    }
  });

  it('are the sum of the daily items, engineer by engineer and team by team', async () => {
    const days = MONTH.days;
    const daily = await queryAggregates(days);
    const raw = (await allItems()).filter((i) => String(i.pk).startsWith('AGGM#2026-11#'));
    expect(raw.length).toBe(6);
    for (const r of raw) {
      const { team, engineerId } = rollupKeyParts(String(r.sk));
      const mine = daily.filter((d) => d.engineerId === engineerId && d.team === team);
      expect(mine.length).toBeGreaterThan(0);
      for (const c of counters) {
        expect(r[rollupAttr[c]], `${r.sk} ${c}`).toBe(mine.reduce((n, d) => n + (d[c] ?? 0), 0));
      }
    }
    // nothing counted on a daily item is missing from the roll-ups
    const total = (items: Record<string, unknown>[], name: string) =>
      items.reduce((n, i) => n + Number(i[name] ?? 0), 0);
    for (const c of counters) {
      expect(total(raw, rollupAttr[c]), c).toBe(total(daily as unknown as Record<string, unknown>[], c));
    }
    expect(total(raw, rollupAttr.completed)).toBe(15);
  });

  it('give month reports identical to the same days read from the daily items', async () => {
    const principals = [
      ADMIN,
      manager(['TA']),
      manager(['TC', 'TB']),
      manager([], ['R2']),
      manager(['TA#X'], ['R1']),
    ];
    for (const p of principals) {
      const month = await engineerReport(deps, p, MONTH);
      expect(month.engineers.length).toBeGreaterThan(0);
      expect(withoutPeriod(month)).toEqual(withoutPeriod(await engineerReport(deps, p, SAME_DAYS)));
      expect(withoutPeriod(await teamReport(deps, p, MONTH))).toEqual(
        withoutPeriod(await teamReport(deps, p, SAME_DAYS)),
      );
      expect(withoutPeriod(await regionReport(deps, p, MONTH))).toEqual(
        withoutPeriod(await regionReport(deps, p, SAME_DAYS)),
      );
    }
    const all = await engineerReport(deps, ADMIN, MONTH);
    // the moved engineer shows under the team of their latest day; each team keeps its own days
    expect(all.engineers.find((e) => e.engineerId === 'E3')).toMatchObject({ team: 'TC', region: 'R2' });
    const teams = await teamReport(deps, ADMIN, MONTH);
    expect(
      Object.fromEntries(teams.teams.map((t) => [t.team, t.engineers.map((e) => e.engineerId).sort()])),
    ).toEqual({ TA: ['E1', 'E2'], 'TA#X': ['E5'], TB: ['E3'], TC: ['E3', 'E4'] });
    const e1 = all.engineers.find((e) => e.engineerId === 'E1');
    expect(e1).toMatchObject({ completed: 4, surveyed: 3, responses: 2, dissatisfied: 1 });
    expect(e1?.funnel).toMatchObject({ optedOut: 1, reopened: 1, cancelled: 1 });
    const e4 = all.engineers.find((e) => e.engineerId === 'E4');
    expect(e4).toMatchObject({ completed: 3, responses: 2, reasons: { attitude: 1, uniform: 1 } });
    expect(e4?.funnel.expired).toBe(1);
    expect(e4?.callbacks).toMatchObject({ opened: 1, closed: 1, outcomes: { resolved_satisfied: 1 } });
    expect(all.engineers.find((e) => e.engineerId === 'E3')?.callbacks).toMatchObject({
      opened: 1,
      overdue: 1,
    });
  });

  it("a team manager's month report reads only the team's roll-ups, one per engineer", async () => {
    const tc = await measure(() => engineerReport(deps, manager(['TC']), MONTH));
    expect(tc.result.engineers.map((e) => e.engineerId).sort()).toEqual(['E3', 'E4']);
    expect(tc.usage.itemsRead).toBe(2);
    // one Query of the team's prefix in each write shard and in the unsharded key of older items
    expect(tc.usage.calls).toBe(AGG_SHARDS + 1);
    // the same days from the daily items: every team's items of the month are examined
    const days = await measure(() => engineerReport(deps, manager(['TC']), SAME_DAYS));
    expect(days.usage.itemsRead).toBe(13);
    // "TA#" is also the prefix of team "TA#X": read, but not shown
    const ta = await measure(() => engineerReport(deps, manager(['TA']), MONTH));
    expect(ta.result.engineers.map((e) => e.engineerId).sort()).toEqual(['E1', 'E2']);
    expect(ta.usage.itemsRead).toBe(3);
    // an admin (or a region scope) reads the month's partition: one roll-up per engineer and team
    const admin = await measure(() => teamReport(deps, ADMIN, MONTH));
    expect(admin.usage.itemsRead).toBe(6);
    // an engineer reads their own days only
    const self = await measure(() =>
      engineerReport(
        deps,
        { subject: 'E4', role: 'engineer', teams: [], regions: [], engineerId: 'E4' },
        MONTH,
      ),
    );
    expect(self.result.engineers.map((e) => [e.engineerId, e.completed])).toEqual([['E4', 3]]);
    expect(self.usage.itemsRead).toBe(3);
  });

  it('cost the same to read whatever the number of responses counted on them', async () => {
    const before = await measure(() => teamReport(deps, manager(['TC']), MONTH));
    const eng: EngineerRef = { engineerId: 'E4', engineerName: '赵敏', team: 'TC', region: 'R2' };
    // 2,000 more responses on E4's days, in the increments the pipeline would write
    for (let i = 0; i < 20; i++) {
      await transact(
        aggregateUpdates('2026-11-18', eng, {
          completed: 100,
          surveyed: 100,
          responses: 100,
          satisfied: 100,
        }),
      );
    }
    try {
      const after = await measure(() => teamReport(deps, manager(['TC']), MONTH));
      expect(after.result.teams[0]?.responses).toBe((before.result.teams[0]?.responses ?? 0) + 2_000);
      expect(after.usage.itemsRead).toBe(before.usage.itemsRead);
      expect(after.usage.rcu).toBe(before.usage.rcu);
    } finally {
      for (let i = 0; i < 20; i++) {
        await transact(
          aggregateUpdates('2026-11-18', eng, {
            completed: -100,
            surveyed: -100,
            responses: -100,
            satisfied: -100,
          }),
        );
      }
    }
  });
});

describe('npm run verify and the roll-ups', () => {
  const verify = async () => verifyTable(deps);

  it('recomputes them from the raw records: no difference after the pipeline', async () => {
    const report = await auditTable(deps);
    expect(report.rollups).toBeGreaterThanOrEqual(7);
    expect(report.differences).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('reports a tampered roll-up counter exactly, and a missing roll-up counter by counter', async () => {
    const key = rollupKey('2026-11', 'TC', 'E4');
    const add = (n: number) =>
      ddb.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: key,
          UpdateExpression: 'ADD #c :n',
          ExpressionAttributeNames: { '#c': rollupAttr.satisfied },
          ExpressionAttributeValues: { ':n': n },
        }),
      );
    await add(2);
    try {
      expect(await verify()).toEqual([
        { month: '2026-11', team: 'TC', engineerId: 'E4', counter: 'satisfied', stored: 3, expected: 1 },
      ]);
    } finally {
      await add(-2);
    }
    expect(await verify()).toEqual([]);

    // a roll-up with no raw records behind it (here: under a team E5 never counted for)
    const stray = rollupKey('2026-11', 'TA', 'E5');
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: stray,
        UpdateExpression: 'SET #c = :one',
        ExpressionAttributeNames: { '#c': rollupAttr.satisfied },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    try {
      expect(await verify()).toEqual([
        { month: '2026-11', team: 'TA', engineerId: 'E5', counter: 'satisfied', stored: 1, expected: 0 },
      ]);
    } finally {
      await ddb.send(new DeleteCommand({ TableName: TABLE, Key: stray }));
    }
    // and a missing one: every counter it should have
    const tb = rollupKey('2026-11', 'TB', 'E3');
    const kept = (await ddb.send(new GetCommand({ TableName: TABLE, Key: tb }))).Item;
    await ddb.send(new DeleteCommand({ TableName: TABLE, Key: tb }));
    try {
      const diffs = await verify();
      expect(
        diffs.every((d) => 'month' in d && d.team === 'TB' && d.engineerId === 'E3' && d.stored === 0),
      ).toBe(true);
      expect(diffs.map((d) => d.counter)).toEqual(
        counters.filter((c) => typeof kept?.[rollupAttr[c]] === 'number' && kept[rollupAttr[c]] !== 0),
      );
      expect(diffs.map((d) => d.counter)).toContain('completed');
    } finally {
      await ddb.send(new PutCommand({ TableName: TABLE, Item: kept }));
    }
    expect(await verify()).toEqual([]);
  });
});

describe('items written before the aggregate shards (AGG#{yyyy-mm}, AGGM#{yyyy-mm})', () => {
  const verify = async () => verifyTable(deps);
  it('are still read beside the shards: reports and verify unchanged, nothing lost or doubled', async () => {
    const admin = await engineerReport(deps, ADMIN, MONTH);
    const range = await engineerReport(deps, ADMIN, SAME_DAYS);
    const ta = await teamReport(deps, manager(['TA']), MONTH);
    expect(await verify()).toEqual([]);
    // E1's and E4's items of November split between the old layout and their shard, as when the
    // shards are deployed within a month: half of each counter (rounded down) under the old key
    const isCounter = (k: string) =>
      (counters as readonly string[]).includes(k) || (Object.values(rollupAttr) as string[]).includes(k);
    const moved = (await allItems()).filter(
      (i) =>
        /^AGGM?#2026-11#\d+$/.test(String(i.pk)) &&
        (String(i.sk).endsWith('#E1') || String(i.sk).endsWith('#E4')),
    );
    expect(moved.length).toBeGreaterThan(4);
    const legacyKey = (i: Record<string, unknown>) => ({ pk: String(i.pk).replace(/#\d+$/, ''), sk: i.sk });
    try {
      for (const item of moved) {
        const old: Record<string, unknown> = { ...item, ...legacyKey(item) };
        const rest: Record<string, unknown> = { ...item };
        for (const [k, v] of Object.entries(item)) {
          if (!isCounter(k) || typeof v !== 'number') continue;
          old[k] = Math.floor(v / 2);
          rest[k] = v - Math.floor(v / 2);
        }
        await ddb.send(new PutCommand({ TableName: TABLE, Item: old }));
        await ddb.send(new PutCommand({ TableName: TABLE, Item: rest }));
      }
      expect((await allItems()).filter((i) => /^AGGM?#2026-11$/.test(String(i.pk)))).toHaveLength(
        moved.length,
      );
      expect(withoutPeriod(await engineerReport(deps, ADMIN, MONTH))).toEqual(withoutPeriod(admin));
      expect(withoutPeriod(await engineerReport(deps, ADMIN, SAME_DAYS))).toEqual(withoutPeriod(range));
      expect(withoutPeriod(await teamReport(deps, manager(['TA']), MONTH))).toEqual(withoutPeriod(ta));
      expect(await verify()).toEqual([]);
    } finally {
      for (const item of moved) {
        await ddb.send(new PutCommand({ TableName: TABLE, Item: item }));
        await ddb.send(new DeleteCommand({ TableName: TABLE, Key: legacyKey(item) }));
      }
    }
    expect(await verify()).toEqual([]);
  });
});
