import { describe, expect, it } from 'vitest';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { ticketReopened as ticketReopenedOn } from '#functions/ticket-reopened/handler';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { engineersTable, teamsTable } from '#shared/app/reports/report-csv';
import { regionReport, teamReport } from '#shared/app/reports/rollups';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { planTicket } from '#shared/app/tickets/plan-ticket';
import { parsePeriod } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import { type HeaderLang, type Table, toCsv } from '#shared/http/csv';
import { queryAggregates } from '#shared/store/aggregate';
import { getLastRepair } from '#shared/store/last-repair';
import { getTicket } from '#shared/store/ticket';
import { auditTable } from '../../infra/ops/verify.ts';
import { postSigned } from '../helpers/apigw.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const ticketCompleted = ticketCompletedOn(deps);
const ticketReopened = ticketReopenedOn(deps);
const secret = process.env.WEBHOOK_SECRET as string;
const ADMIN: Principal = { subject: 'admin', role: 'admin', teams: [], regions: [] };
const OCTOBER = parsePeriod('2026-10', 'Asia/Shanghai');

/**
 * Repeat repairs (返修) through the real pipeline: signed completion webhook -> scheduler plans
 * (the last-repair record per phone, conditional) -> reports and `npm run verify`. One phone and
 * its own engineers per scenario, so each engineer's figures are the scenario's alone.
 */
interface Eng {
  id: string;
  name: string;
  team: string;
  region: string;
}
const eng = (id: string, team: string, region: string): Eng => ({ id, name: `张${id}`, team, region });

/** A repair of `phone` completed at `completedAt` (Beijing), accepted and planned at that moment. */
async function repair(
  ticketId: string,
  phone: string,
  e: Eng,
  completedAt: string,
  o: Record<string, unknown> = {},
): Promise<string> {
  const at = new Date(completedAt);
  pinClock(new Date(at.getTime() + 60_000));
  const body = ticketBody({ ticketId, kind: 'repair', customer: { phone }, engineer: e, completedAt, ...o });
  const res = await postSigned(ticketCompleted, secret, '/v1/tickets/completed', body);
  expect([200, 202]).toContain(res.status);
  await runDueWork(deps); // plans it
  return res.body.surveyId as string;
}

async function reopen(ticketId: string, reopenedAt: string) {
  pinClock(new Date(new Date(reopenedAt).getTime() + 60_000));
  const res = await postSigned(ticketReopened, secret, '/v1/tickets/reopened', {
    source: 'ossA',
    ticketId,
    reopenedAt,
  });
  expect(res.status).toBe(200);
}

const survey = async (surveyId: string) =>
  (await allItems()).find((i) => i.type === 'survey' && i.surveyId === surveyId) as Record<string, unknown>;

/** The engineer's repeatRepairs and repairsCompleted on each day they have any. */
async function countsOf(engineerId: string, days: string[]) {
  const items = (await queryAggregates(days)).filter((a) => a.engineerId === engineerId);
  return Object.fromEntries(
    items.map((a) => [a.day, { repairs: a.repairsCompleted ?? 0, repeats: a.repeatRepairs ?? 0 }]),
  );
}

describe('a repair within repeatRepairDays of the previous one of the phone (返修)', () => {
  const A1 = eng('A1', 'TA', 'R1');
  const A2 = eng('A2', 'TB', 'R2');
  const B1 = eng('B1', 'TA', 'R1');
  const B2 = eng('B2', 'TA', 'R1');

  it('30 days later (to the second): one repeat, against the first engineer, on the first repair', async () => {
    const s1 = await repair('A-1', '13900000001', A1, '2026-10-01T10:00:00+08:00');
    const s2 = await repair('A-2', '13900000001', A2, '2026-10-31T10:00:00+08:00');
    expect((await survey(s1)).repeat).toEqual({
      kind: 'repair',
      at: expect.any(String),
      by: { surveyId: s2, source: 'ossA', ticketId: 'A-2' },
    });
    expect((await survey(s2)).repeatOf).toEqual({ surveyId: s1, source: 'ossA', ticketId: 'A-1' });
    expect((await survey(s2)).repeat).toBeUndefined();
    expect(await countsOf('A1', ['2026-10-01'])).toEqual({ '2026-10-01': { repairs: 1, repeats: 1 } });
    expect(await countsOf('A2', ['2026-10-31'])).toEqual({ '2026-10-31': { repairs: 1, repeats: 0 } });
    expect((await getLastRepair('+8613900000001'))?.surveyId).toBe(s2);
  });

  it('31 days later: no repeat', async () => {
    const s1 = await repair('B-1', '13900000002', B1, '2026-10-01T10:00:00+08:00');
    const s2 = await repair('B-2', '13900000002', B2, '2026-11-01T10:00:00+08:00');
    expect((await survey(s1)).repeat).toBeUndefined();
    expect((await survey(s2)).repeatOf).toBeUndefined();
    expect(await countsOf('B1', ['2026-10-01'])).toEqual({ '2026-10-01': { repairs: 1, repeats: 0 } });
    expect((await getLastRepair('+8613900000002'))?.surveyId).toBe(s2);
  });

  it('counts a reopen once per reopen, and not again when the reopened ticket is completed again', async () => {
    const C1 = eng('C1', 'TC', 'R1');
    const C2 = eng('C2', 'TC', 'R1');
    const s1 = await repair('C-1', '13900000003', C1, '2026-10-05T10:00:00+08:00');
    await reopen('C-1', '2026-10-06T09:00:00+08:00');
    await reopen('C-1', '2026-10-06T09:00:00+08:00'); // the same reopen again: 200, nothing counted
    expect((await survey(s1)).repeat).toMatchObject({ kind: 'reopen' });
    expect(await countsOf('C1', ['2026-10-05'])).toEqual({ '2026-10-05': { repairs: 1, repeats: 1 } });
    // the next completion of the ticket, within the window: the first one is counted already
    const s2 = await repair('C-1', '13900000003', C2, '2026-10-07T10:00:00+08:00');
    expect(await countsOf('C1', ['2026-10-05'])).toEqual({ '2026-10-05': { repairs: 1, repeats: 1 } });
    expect((await survey(s2)).repeatOf).toBeUndefined();
    // its own reopen counts against its own engineer
    await reopen('C-1', '2026-10-08T09:00:00+08:00');
    expect(await countsOf('C2', ['2026-10-07'])).toEqual({ '2026-10-07': { repairs: 1, repeats: 1 } });
    expect(await countsOf('C1', ['2026-10-05'])).toEqual({ '2026-10-05': { repairs: 1, repeats: 1 } });
  });

  it('counts a duplicate delivery and a concurrent planning of the later repair once', async () => {
    const D1 = eng('D1', 'TD', 'R3');
    const D2 = eng('D2', 'TD', 'R3');
    const s1 = await repair('D-1', '13900000004', D1, '2026-10-10T10:00:00+08:00');
    // the later repair accepted, delivered twice, then planned by two runs at once
    pinClock(new Date('2026-10-12T02:01:00Z'));
    const body = ticketBody({
      ticketId: 'D-2',
      kind: 'repair',
      customer: { phone: '13900000004' },
      engineer: D2,
      completedAt: '2026-10-12T10:00:00+08:00',
    });
    const first = await postSigned(ticketCompleted, secret, '/v1/tickets/completed', body);
    const again = await postSigned(ticketCompleted, secret, '/v1/tickets/completed', body);
    expect(again.body.surveyId).toBe(first.body.surveyId);
    const item = await getTicket('ossA', 'D-2');
    if (!item) throw new Error('not accepted');
    const planned = await Promise.all([
      planTicket(deps, item, new Date()),
      planTicket(deps, item, new Date()),
    ]);
    expect(planned.filter(Boolean)).toHaveLength(1);
    await runDueWork(deps); // and the scheduler finds nothing more to plan
    await postSigned(ticketCompleted, secret, '/v1/tickets/completed', body);
    await runDueWork(deps);
    expect((await survey(s1)).repeat).toMatchObject({ kind: 'repair', by: { ticketId: 'D-2' } });
    expect(await countsOf('D1', ['2026-10-10'])).toEqual({ '2026-10-10': { repairs: 1, repeats: 1 } });
    expect(await countsOf('D2', ['2026-10-12'])).toEqual({ '2026-10-12': { repairs: 1, repeats: 0 } });
  });

  it('marks the earlier repair when the later one was planned first (delivered out of order)', async () => {
    const E1 = eng('E1', 'TE', 'R1');
    const E2 = eng('E2', 'TE', 'R1');
    const later = await repair('E-2', '13900000005', E2, '2026-10-20T10:00:00+08:00');
    const earlier = await repair('E-1', '13900000005', E1, '2026-10-18T10:00:00+08:00');
    expect((await survey(earlier)).repeat).toMatchObject({ kind: 'repair', by: { surveyId: later } });
    expect(await countsOf('E1', ['2026-10-18'])).toEqual({ '2026-10-18': { repairs: 1, repeats: 1 } });
    expect((await getLastRepair('+8613900000005'))?.surveyId).toBe(later); // the later one stays
  });

  it('the same engineer repairing twice the same day: one repeat on him, one write per aggregate item', async () => {
    const F1 = eng('F1', 'TF', 'R1');
    await repair('F-1', '13900000006', F1, '2026-10-22T09:00:00+08:00');
    await repair('F-2', '13900000006', F1, '2026-10-22T15:00:00+08:00');
    expect(await countsOf('F1', ['2026-10-22'])).toEqual({ '2026-10-22': { repairs: 2, repeats: 1 } });
  });

  it('two repairs of one phone planned at the same moment: both planned at once, one repeat', async () => {
    const H1 = eng('H1', 'TH', 'R9');
    const H2 = eng('H2', 'TH', 'R9');
    pinClock(new Date('2026-10-25T08:00:00Z'));
    for (const [ticketId, e, completedAt] of [
      ['H-1', H1, '2026-10-25T09:00:00+08:00'],
      ['H-2', H2, '2026-10-25T15:00:00+08:00'],
    ] as const) {
      const body = ticketBody({
        ticketId,
        kind: 'repair',
        customer: { phone: '13900000008' },
        engineer: e,
        completedAt,
      });
      expect((await postSigned(ticketCompleted, secret, '/v1/tickets/completed', body)).status).toBe(202);
    }
    const items = await Promise.all([getTicket('ossA', 'H-1'), getTicket('ossA', 'H-2')]);
    const planned = await Promise.all(items.map((it) => (it ? planTicket(deps, it, new Date()) : undefined)));
    expect(planned.every(Boolean)).toBe(true);
    expect(await countsOf('H1', ['2026-10-25'])).toEqual({ '2026-10-25': { repairs: 1, repeats: 1 } });
    expect(await countsOf('H2', ['2026-10-25'])).toEqual({ '2026-10-25': { repairs: 1, repeats: 0 } });
  });

  it('leaves other kinds out: an install after a repair is no repeat', async () => {
    const G1 = eng('G1', 'TG', 'R1');
    const s1 = await repair('G-1', '13900000007', G1, '2026-10-23T09:00:00+08:00');
    await repair('G-2', '13900000007', G1, '2026-10-24T09:00:00+08:00', { kind: 'install' });
    expect((await survey(s1)).repeat).toBeUndefined();
    expect(await countsOf('G1', ['2026-10-23', '2026-10-24'])).toEqual({
      '2026-10-23': { repairs: 1, repeats: 0 },
      '2026-10-24': { repairs: 0, repeats: 0 },
    });
  });
});

describe('repeat repairs in the reports and in npm run verify', () => {
  it('report repeatRepairs and repeatRepairRate per engineer, team and region, and in the CSV', async () => {
    const engineers = (await engineerReport(deps, ADMIN, OCTOBER)).engineers;
    const a1 = engineers.find((e) => e.engineerId === 'A1');
    expect(a1).toMatchObject({ repairsCompleted: 1, repeatRepairs: 1, repeatRepairRate: 1 });
    expect(engineers.find((e) => e.engineerId === 'A2')).toMatchObject({
      repeatRepairs: 0,
      repeatRepairRate: 0,
    });
    // team TC: C1's repair (repeated by its reopen) and C2's (the same)
    const tc = (await teamReport(deps, ADMIN, OCTOBER)).teams.find((t) => t.team === 'TC');
    expect(tc).toMatchObject({ repairsCompleted: 2, repeatRepairs: 2, repeatRepairRate: 1 });
    // region R1 in October: A1 1/1, B1 0/1, C1 1/1, C2 1/1, E1 1/1, E2 0/1, F1 1/2, G1 0/1
    const r1 = (await regionReport(deps, ADMIN, OCTOBER)).regions.find((r) => r.region === 'R1');
    expect(r1).toMatchObject({ repairsCompleted: 9, repeatRepairs: 5 });
    expect(r1?.repeatRepairRate).toBeCloseTo(5 / 9, 12);
    const [header, ...rows] = asCsv(engineersTable, await engineerReport(deps, ADMIN, OCTOBER), 'en')
      .trim()
      .split(/\r?\n/);
    const cols = (header as string).split(',');
    for (const c of ['repairsCompleted', 'repeatRepairs', 'repeatRepairRatePct']) expect(cols).toContain(c);
    const a1Row = rows.find((r) => r.split(',')[cols.indexOf('engineerId')] === 'A1')?.split(',') ?? [];
    expect(a1Row[cols.indexOf('repeatRepairs')]).toBe('1');
    expect(a1Row[cols.indexOf('repeatRepairRatePct')]).toBe('100');
    const zh = asCsv(teamsTable, await teamReport(deps, ADMIN, OCTOBER)).split(/\r?\n/)[0] ?? '';
    expect(zh).toContain('返修率(%)');
  });

  it('npm run verify recomputes them from the surveys: no difference, no problem', async () => {
    pinClock(new Date('2026-11-02T04:00:00Z'));
    const report = await auditTable(deps, { allDays: true });
    expect(report.differences).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('erasing the customer deletes the phone on its last-repair record; the marks stay counted', async () => {
    pinClock(new Date('2026-11-02T04:00:00Z'));
    expect(await getLastRepair('+8613900000001')).toBeDefined();
    await eraseCustomer(deps, ADMIN, '13900000001');
    expect(await getLastRepair('+8613900000001')).toBeUndefined();
    // (the local SMS stand-in's own log, LOCAL#..., is not the system's data)
    const phones = (await allItems())
      .filter((i) => !String(i.pk).startsWith('LOCAL#'))
      .map((i) => JSON.stringify(i))
      .filter((s) => s.includes('13900000001'));
    expect(phones).toEqual([]);
    expect((await auditTable(deps, { allDays: true })).differences).toEqual([]);
  });
});

/** A report as its CSV download reads (the same table the Excel download is built from). */
function asCsv<R, T>(
  table: (r: R, lang?: HeaderLang) => Table<T>,
  report: R,
  lang: HeaderLang = 'zh',
): string {
  const t = table(report, lang);
  return toCsv(t.columns, t.rows, lang);
}
