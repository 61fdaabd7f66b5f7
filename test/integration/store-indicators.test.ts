import { beforeAll, describe, expect, it } from 'vitest';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { teamsTable } from '#shared/app/reports/report-csv';
import { teamReport } from '#shared/app/reports/rollups';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { parsePeriod, rangePeriod } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import { type HeaderLang, type Table, toCsv } from '#shared/http/csv';
import { engineerReportSchema, teamReportSchema } from '#shared/http/schemas/responses';
import { auditTable } from '../../infra/ops/verify.ts';
import { postSigned } from '../helpers/apigw.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

/**
 * Store indicators (004 5.2): satisfaction by kind group, through the real pipeline (signed
 * webhook -> scheduler -> SMS replies) into the reports, the CSV and `npm run verify`. Store
 * surveys go out 30 minutes after the visit here (the defaults wait 3 days after a sale).
 */
const deps = testDeps({ rules: { survey: { delayMinutes: { store_sale: 30, new_business: 30 } } } });
const ticketCompleted = ticketCompletedOn(deps);
const secret = process.env.WEBHOOK_SECRET as string;
const ADMIN: Principal = { subject: 'admin', role: 'admin', teams: [], regions: [] };
const DAY = '2026-10-20';

const store = { id: 'S1', name: '刘敏', team: '营业厅一', region: 'R1' };
const field = { id: 'F1', name: '王强', team: '装维一', region: 'R1' };

/** kind, engineer, reply: each visit on a phone of its own (no fatigue rule between them). */
const visits: [string, typeof store, string][] = [
  ['store_service', store, '1'],
  ['store_service', store, '1'],
  ['store_service', store, '3 排队太久'],
  ['store_sale', store, '1'],
  ['new_business', store, '2'],
  ['repair', field, '1'],
  ['install', field, '3'],
];

beforeAll(async () => {
  pinClock(new Date(`${DAY}T02:00:00Z`)); // 10:00 Beijing
  let n = 0;
  for (const [kind, e, _reply] of visits) {
    n++;
    const body = ticketBody({
      ticketId: `G-${n}`,
      kind,
      engineer: e,
      customer: { phone: `1370000000${n}` },
      completedAt: `${DAY}T09:30:00+08:00`,
    });
    expect((await postSigned(ticketCompleted, secret, '/v1/tickets/completed', body)).status).toBe(202);
  }
  await runDueWork(deps); // planned
  pinClock(new Date(`${DAY}T02:01:00Z`));
  await runDueWork(deps); // sent (30 minutes after 09:30)
  n = 0;
  for (const [, , reply] of visits) {
    n++;
    pinClock(new Date(`${DAY}T03:${String(n).padStart(2, '0')}:00Z`));
    await handleInboundSms(deps, inbound(`+861370000000${n}`, reply));
  }
}, 120_000);

describe('satisfaction by kind group (store indicators)', () => {
  it("break the store team's satisfaction down by group, each against the target", async () => {
    const report = teamReportSchema.parse(
      await teamReport(deps, ADMIN, parsePeriod('2026-10', 'Asia/Shanghai')),
    );
    const team = report.teams.find((t) => t.team === '营业厅一');
    expect(team?.responses).toBe(5);
    expect(team?.kindGroups).toEqual({
      store_service: { responses: 3, satisfied: 2, satisfactionRate: 2 / 3, target: 0.95, belowTarget: true },
      handset_sale: { responses: 1, satisfied: 1, satisfactionRate: 1, target: 0.95, belowTarget: false },
      new_business: { responses: 1, satisfied: 0, satisfactionRate: 0, target: 0.95, belowTarget: true },
      field: { responses: 0, satisfied: 0, satisfactionRate: null, target: 0.95, belowTarget: false },
    });
    const fieldTeam = report.teams.find((t) => t.team === '装维一');
    expect(fieldTeam?.kindGroups.field).toMatchObject({ responses: 2, satisfied: 1, satisfactionRate: 0.5 });
    expect(fieldTeam?.kindGroups.store_service.responses).toBe(0);
    expect(fieldTeam).toMatchObject({ repairsCompleted: 1, repeatRepairs: 0, repeatRepairRate: 0 });
  });

  it('give the same figures from the daily items (a range) as from the month roll-ups', async () => {
    const range = rangePeriod('2026-10-19', '2026-10-21', 'Asia/Shanghai');
    const fromDays = engineerReportSchema.parse(await engineerReport(deps, ADMIN, range)).engineers;
    const fromMonth = (await engineerReport(deps, ADMIN, parsePeriod('2026-10', 'Asia/Shanghai'))).engineers;
    for (const e of fromDays) {
      expect(e.kindGroups).toEqual(fromMonth.find((m) => m.engineerId === e.engineerId)?.kindGroups);
    }
    expect(fromDays.find((e) => e.engineerId === 'S1')?.kindGroups.store_service.responses).toBe(3);
  });

  it('put every group in the CSV: responses, satisfied and rate (%)', async () => {
    const csv = asCsv(
      teamsTable,
      await teamReport(deps, ADMIN, parsePeriod('2026-10', 'Asia/Shanghai')),
      'en',
    );
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    const cols = (header as string).split(',');
    for (const g of ['store_service', 'handset_sale', 'new_business', 'field']) {
      for (const c of ['responses', 'satisfied', 'satisfactionRatePct']) expect(cols).toContain(`${g}_${c}`);
    }
    const team = rows.find((r) => r.startsWith('team,') && r.includes('营业厅一'))?.split(',') ?? [];
    expect(team[cols.indexOf('store_service_responses')]).toBe('3');
    expect(team[cols.indexOf('store_service_satisfactionRatePct')]).toBe('66.67');
    expect(team[cols.indexOf('field_satisfactionRatePct')]).toBe(''); // no data, never 0
    const zh = asCsv(
      teamsTable,
      await teamReport(deps, ADMIN, parsePeriod('2026-10', 'Asia/Shanghai')),
    ).split(/\r?\n/)[0];
    expect(zh).toContain('营业厅服务-满意率(%)');
  });

  it('are recomputed by npm run verify from the surveys: no difference', async () => {
    const report = await auditTable(deps, { allDays: true });
    expect(report.surveys).toBe(visits.length);
    expect(report.differences).toEqual([]);
    expect(report.problems).toEqual([]);
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
