import ExcelJSModule from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks as callbacksOn } from '#functions/callbacks/handler';
import { reports as reportsOn } from '#functions/reports/handler';
import type { EngineerDetail } from '#shared/app/reports/engineer-detail';
import type { EngineerReport } from '#shared/app/reports/engineer-report';
import type { TeamReport } from '#shared/app/reports/rollups';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import type { HttpResult } from '#shared/http/http';
import { XLSX_CONTENT_TYPE } from '#shared/http/negotiate';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');
type Worksheet = import('exceljs').Worksheet;

const deps = testDeps();
const reports = reportsOn(deps);
const callbacks = callbacksOn(deps);

/**
 * The .xlsx downloads through the raw handlers on DynamoDB Local: each report and the case list,
 * read back with exceljs and compared with the JSON of the same request; the format negotiation.
 */

interface Eng {
  id: string;
  name: string;
  team: string;
  region: string;
}
const E1: Eng = { id: 'X1', name: '张伟', team: 'XA', region: 'XR1' };
const E2: Eng = { id: 'X2', name: '=HYPER(1)', team: 'XA', region: 'XR1' };
const E3: Eng = { id: 'X3', name: '王强', team: 'XB', region: 'XR2' };

let seq = 0;
const phones: string[] = [];

/** One ticket completed at 09:00 Beijing on `day`, surveyed at 09:31, answered `reply` (and reasons). */
async function answered(day: string, eng: Eng, reply: string | undefined, reasons?: string) {
  const phone = `+86139${String(30_000_000 + ++seq * 7919).slice(-8)}`;
  phones.push(phone);
  pinClock(new Date(`${day}T01:00:00Z`));
  await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        customer: { phone: phone.slice(3) },
        engineer: eng,
        completedAt: `${day}T09:00:00+08:00`,
      }),
    ),
  );
  pinClock(new Date(`${day}T01:31:00Z`));
  await runDueWork(deps);
  if (reply === undefined) return;
  pinClock(new Date(`${day}T01:${40 + seq}:00Z`));
  expect(await handleInboundSms(deps, inbound(phone, reply))).toBe('rated');
  if (reasons) expect(await handleInboundSms(deps, inbound(phone, reasons))).toBe('reasons');
}

beforeAll(async () => {
  await answered('2026-11-05', E1, '1');
  await answered('2026-11-05', E1, '1');
  await answered('2026-11-05', E1, '2', '4');
  await answered('2026-11-06', E2, '1');
  await answered('2026-11-06', E2, undefined);
  await answered('2026-11-12', E3, '3', '1 5 师傅迟到了');
  await answered('2026-11-12', E1, '3 态度差\n=cmd|x');
  await answered('2026-11-13', E1, '3 太慢了');
  pinClock(new Date('2026-11-20T02:00:00Z'));
}, 120_000);

type Claims = Record<string, string>;
const ADMIN: Claims = { sub: 'admin', role: 'admin' };
const agent = (...teams: string[]): Claims => ({ sub: 'ag', role: 'agent', teams: scopeClaim(...teams) });
const manager = (...teams: string[]): Claims => ({
  sub: 'm',
  role: 'manager',
  teams: scopeClaim(...teams),
  regions: scopeClaim(),
});

async function call(
  fn: typeof reports,
  route: string,
  opts: { claims: Claims; query?: Record<string, string>; accept?: string; params?: Record<string, string> },
): Promise<HttpResult> {
  let path = route;
  for (const [k, v] of Object.entries(opts.params ?? {})) path = path.replace(`{${k}}`, v);
  const event = httpEvent({
    method: 'GET',
    path,
    claims: opts.claims,
    ...(opts.query ? { query: opts.query } : {}),
    ...(opts.accept ? { headers: { accept: opts.accept } } : {}),
  });
  event.routeKey = `GET ${route}`;
  if (opts.params) event.pathParameters = opts.params;
  return fn(event);
}

async function sheetOf(res: HttpResult): Promise<Worksheet> {
  expect(res.statusCode).toBe(200);
  expect(res.headers?.['content-type']).toBe(XLSX_CONTENT_TYPE);
  expect(res.isBase64Encoded).toBe(true);
  const bytes = Buffer.from(String(res.body), 'base64');
  expect(bytes.subarray(0, 4).toString('binary')).toBe('PK\x03\x04');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  expect(wb.worksheets).toHaveLength(1);
  return wb.worksheets[0] as Worksheet;
}

/** The sheet as objects keyed by its header row (a number cell stays a number). */
function objectsOf(ws: Worksheet): Record<string, unknown>[] {
  const head = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    out.push(Object.fromEntries(head.map((h, i) => [h, row.getCell(i + 1).value])));
  }
  return out;
}

const column = (ws: Worksheet, header: string) => {
  const i = (ws.getRow(1).values as unknown[]).indexOf(header);
  expect(i, header).toBeGreaterThan(0);
  return ws.getColumn(i);
};

function expectFrozenAndFiltered(ws: Worksheet, columns: number) {
  expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  const lastCol = ws.getRow(1).getCell(columns).address.replace(/\d+$/, '');
  expect(ws.autoFilter).toBe(`A1:${lastCol}${ws.rowCount}`);
  for (let c = 1; c <= columns; c++) {
    const w = ws.getColumn(c).width ?? 0;
    expect(w).toBeGreaterThanOrEqual(10);
    expect(w).toBeLessThanOrEqual(50);
  }
}

const rates = [
  ['满意率(%)', 'satisfactionRate'],
  ['满意率下限(%)', 'satisfactionRateLowerBound'],
  ['基本满意率(%)', 'basicallySatisfiedRate'],
  ['不满意率(%)', 'dissatisfactionRate'],
  ['回复率(%)', 'responseRate'],
] as const;
const counts = [
  ['排名', 'rank'],
  ['完成工单', 'completed'],
  ['已发送调查', 'surveyed'],
  ['评价数', 'responses'],
  ['满意', 'satisfied'],
  ['基本满意', 'basicallySatisfied'],
  ['不满意', 'dissatisfied'],
] as const;

describe('the engineer report as .xlsx', () => {
  it('holds the JSON numbers as numbers, rates as fractions with a % format, Chinese headers, frozen, filtered', async () => {
    const json = JSON.parse(
      String(
        (await call(reports, '/v1/reports/engineers', { claims: ADMIN, query: { period: '2026-11' } })).body,
      ),
    ) as EngineerReport;
    expect(json.engineers).toHaveLength(3);
    const res = await call(reports, '/v1/reports/engineers', {
      claims: ADMIN,
      query: { period: '2026-11', format: 'xlsx' },
    });
    expect(res.headers?.['content-disposition']).toBe(
      `attachment; filename="engineers-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('工程师排名-2026-11.xlsx')}`,
    );
    const ws = await sheetOf(res);
    expect(ws.name).toBe('工程师排名');

    // the same headers as the CSV's default (Chinese), in the same order
    const csv = await call(reports, '/v1/reports/engineers', {
      claims: ADMIN,
      query: { period: '2026-11', format: 'csv' },
    });
    const csvHeaders = String(csv.body)
      .replace(/^\ufeff/, '')
      .split('\r\n')[0]
      ?.split(',');
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(csvHeaders);
    expect(csvHeaders?.slice(0, 6)).toEqual(['排名', '工程师编号', '姓名', '班组', '区域', '监督得分']);
    expectFrozenAndFiltered(ws, csvHeaders?.length ?? 0);

    const rows = objectsOf(ws);
    expect(rows.map((r) => r.工程师编号)).toEqual(json.engineers.map((e) => e.engineerId));
    for (const [i, e] of json.engineers.entries()) {
      const row = rows[i] as Record<string, unknown>;
      for (const [zh, key] of counts) expect(row[zh], `${e.engineerId} ${zh}`).toBe(e[key]);
      for (const [zh, key] of rates) {
        const rate = e[key];
        if (rate === null) expect(row[zh], `${e.engineerId} ${zh}`).toBeNull();
        else {
          expect(typeof row[zh]).toBe('number');
          expect(row[zh] as number, `${e.engineerId} ${zh}`).toBeCloseTo(rate, 4);
        }
      }
      if (e.score === null) expect(row.监督得分).toBeNull();
      else expect(row.监督得分 as number).toBeCloseTo(e.score, 2);
      expect(row['原因-上门不准时']).toBe(e.reasons.late);
      expect(row['回访-已开启']).toBe(e.callbacks.opened);
      expect(row.姓名).toBe(e.name);
    }
    // X1: 2 of 5 answers satisfied; X2's name is text, not a formula
    const x1 = rows.find((r) => r.工程师编号 === 'X1');
    expect(x1?.['满意率(%)']).toBe(0.4);
    expect(x1?.评价数).toBe(5);
    const x2Row = rows.findIndex((r) => r.工程师编号 === 'X2') + 2;
    expect(ws.getRow(x2Row).getCell(3).type).toBe(ExcelJS.ValueType.String);
    expect(ws.getRow(x2Row).getCell(3).value).toBe('=HYPER(1)');

    // every rate column (and only those) carries the percent format on its numbers
    for (const [zh] of rates) {
      column(ws, zh).eachCell((cell, n) => {
        if (n > 1 && typeof cell.value === 'number') expect(cell.numFmt, zh).toBe('0.00%');
      });
    }
    column(ws, '评价数').eachCell((cell, n) => {
      if (n > 1) expect(cell.numFmt ?? 'General').not.toContain('%');
    });
  });

  it('English headers on request, the same for a manager (their teams only)', async () => {
    const ws = await sheetOf(
      await call(reports, '/v1/reports/engineers', {
        claims: manager('XB'),
        query: { period: '2026-11', format: 'xlsx', headers: 'en' },
      }),
    );
    const rows = objectsOf(ws);
    expect(rows.map((r) => r.engineerId)).toEqual(['X3']);
    expect(rows[0]).toMatchObject({ name: '王强', responses: 1, dissatisfied: 1, satisfactionRatePct: 0 });
  });
});

describe('the other reports as .xlsx', () => {
  it('teams and regions: the rollup rows then their engineers, Chinese sheet names', async () => {
    const teams = await sheetOf(
      await call(reports, '/v1/reports/teams', {
        claims: ADMIN,
        query: { period: '2026-11', format: 'xlsx' },
      }),
    );
    expect(teams.name).toBe('班组汇总');
    const t = objectsOf(teams);
    const json = JSON.parse(
      String(
        (await call(reports, '/v1/reports/teams', { claims: ADMIN, query: { period: '2026-11' } })).body,
      ),
    ) as TeamReport;
    expect(t.map((r) => [r.层级, r.班组, r.工程师编号, r.排名])).toEqual(
      json.teams.flatMap((team) => [
        ['班组', team.team, '', team.rank],
        ...team.engineers.map((e) => ['工程师', team.team, e.engineerId, e.rank]),
      ]),
    );
    expect(t.map((r) => r.班组)).toEqual(['XA', 'XA', 'XA', 'XB', 'XB']);
    expect(t[0]).toMatchObject({ 评价数: 6, 满意: 3, '满意率(%)': 0.5 });

    const regions = await sheetOf(
      await call(reports, '/v1/reports/regions', {
        claims: ADMIN,
        query: { period: '2026-11' },
        accept: XLSX_CONTENT_TYPE,
      }),
    );
    expect(regions.name).toBe('区域汇总');
    expect(
      objectsOf(regions)
        .filter((r) => r.层级 === '区域')
        .map((r) => r.区域),
    ).toEqual(['XR1', 'XR2']);
  });

  it("an engineer's trend and the page of comments (phones masked, next page in x-next-cursor)", async () => {
    const route = '/v1/reports/engineers/{engineerId}';
    const params = { engineerId: 'X1' };
    const q = { from: '2026-11-01', to: '2026-11-30' };
    const detail = JSON.parse(
      String((await call(reports, route, { claims: ADMIN, query: q, params })).body),
    ) as EngineerDetail;
    const trendRes = await call(reports, route, { claims: ADMIN, query: { ...q, format: 'xlsx' }, params });
    expect(trendRes.headers?.['content-disposition']).toContain(
      `filename="engineer-X1-2026-11-01..2026-11-30.xlsx"`,
    );
    const trend = objectsOf(await sheetOf(trendRes));
    expect(trend[0]).toMatchObject({
      时段: detail.period.id,
      评价数: detail.responses,
      开始: detail.period.from,
    });
    expect(trend).toHaveLength(1 + detail.trend.length);

    const page = await call(reports, route, {
      claims: ADMIN,
      query: { ...q, format: 'xlsx', section: 'comments', limit: '1' },
      params,
    });
    const ws = await sheetOf(page);
    expect(ws.name).toBe('不满意评价');
    const comments = objectsOf(ws);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.意见).toBe('太慢了');
    expect(String(comments[0]?.客户号码)).toMatch(/^139\*{4}\d{4}$/);
    expect(page.headers?.['x-next-cursor']).toEqual(expect.any(String));
    const next = await call(reports, route, {
      claims: ADMIN,
      query: {
        ...q,
        format: 'xlsx',
        section: 'comments',
        limit: '1',
        cursor: String(page.headers?.['x-next-cursor']),
      },
      params,
    });
    // text that would be a formula in a CSV is a plain string cell here
    expect(objectsOf(await sheetOf(next))[0]?.意见).toBe('态度差\n=cmd|x');
    for (const phone of phones) expect(JSON.stringify(comments)).not.toContain(phone.slice(3));
  });

  it('the same refusals as JSON: 403 for an engineer, 400 for a bad format', async () => {
    const me = { sub: 'X1', role: 'engineer', engineerId: 'X1' };
    const refused = await call(reports, '/v1/reports/teams', {
      claims: me,
      query: { period: '2026-11' },
      accept: XLSX_CONTENT_TYPE,
    });
    expect(refused.statusCode).toBe(403);
    const bad = await call(reports, '/v1/reports/engineers', {
      claims: ADMIN,
      query: { period: '2026-11', format: 'pdf' },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(String(bad.body)).errors[0].field).toBe('format');
  });
});

describe('format negotiation on a report', () => {
  it.each([
    [XLSX_CONTENT_TYPE, XLSX_CONTENT_TYPE],
    [`${XLSX_CONTENT_TYPE};q=0.8, text/csv;q=0.5`, XLSX_CONTENT_TYPE],
    ['text/csv', 'text/csv; charset=utf-8'],
    [`text/csv, ${XLSX_CONTENT_TYPE};q=0.5`, 'text/csv; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    [`${XLSX_CONTENT_TYPE};q=0, application/json`, 'application/json; charset=utf-8'],
    [`${XLSX_CONTENT_TYPE};q=0`, 'application/json; charset=utf-8'],
    ['*/*', 'application/json; charset=utf-8'],
  ])('Accept %s answers %s', async (accept, type) => {
    const res = await call(reports, '/v1/reports/engineers', {
      claims: ADMIN,
      query: { period: '2026-11' },
      accept,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe(type);
    expect(res.isBase64Encoded ?? false).toBe(type === XLSX_CONTENT_TYPE);
  });

  it('format= wins over Accept', async () => {
    const asJson = await call(reports, '/v1/reports/engineers', {
      claims: ADMIN,
      query: { period: '2026-11', format: 'json' },
      accept: XLSX_CONTENT_TYPE,
    });
    expect(asJson.headers?.['content-type']).toMatch(/json/);
    const asXlsx = await call(reports, '/v1/reports/engineers', {
      claims: ADMIN,
      query: { period: '2026-11', format: 'xlsx' },
      accept: 'text/csv',
    });
    expect(asXlsx.headers?.['content-type']).toBe(XLSX_CONTENT_TYPE);
  });
});

describe('the case list as .xlsx', () => {
  const list = (claims: Claims, query: Record<string, string> = {}, accept?: string) =>
    call(callbacks, '/v1/callbacks', { claims, query, ...(accept ? { accept } : {}) });

  it('the same cases as the JSON page, phones masked, statuses and reasons in Chinese', async () => {
    const json = JSON.parse(String((await list(agent('XA', 'XB'))).body));
    expect(json.items).toHaveLength(3);
    const res = await list(agent('XA', 'XB'), {}, XLSX_CONTENT_TYPE);
    expect(res.headers?.['content-disposition']).toBe(
      `attachment; filename="callbacks.xlsx"; filename*=UTF-8''${encodeURIComponent('回访记录.xlsx')}`,
    );
    const ws = await sheetOf(res);
    expect(ws.name).toBe('回访记录');
    expectFrozenAndFiltered(ws, ws.getRow(1).cellCount);
    const rows = objectsOf(ws);
    expect(rows.map((r) => r.回访编号)).toEqual(json.items.map((i: { caseId: string }) => i.caseId));
    expect(rows.map((r) => r.客户号码)).toEqual(json.items.map((i: { phone: string }) => i.phone));
    for (const r of rows) expect(String(r.客户号码)).toMatch(/^139\*{4}\d{4}$/);
    for (const phone of phones) expect(JSON.stringify(rows)).not.toContain(phone.slice(3));
    const x3 = rows.find((r) => r.工程师编号 === 'X3');
    expect(x3).toMatchObject({
      状态: '待联系',
      评价: '不满意',
      原因: '上门不准时;问题未解决',
      意见: '师傅迟到了',
      班组: 'XB',
      区域: 'XR2',
      完工日: '2026-11-12',
    });
    expect(x3?.开启时间).toBe(json.items.find((i: { engineerId: string }) => i.engineerId === 'X3').openedAt);
  });

  it('paged like the JSON (the next cursor in x-next-cursor), English on request, CSV too', async () => {
    const first = await list(agent('XA', 'XB'), { limit: '1', format: 'xlsx', headers: 'en' });
    const cursor = first.headers?.['x-next-cursor'];
    expect(cursor).toEqual(expect.any(String));
    const rows1 = objectsOf(await sheetOf(first));
    expect(rows1).toHaveLength(1);
    expect(rows1[0]).toMatchObject({ status: 'open', rating: 3 });
    const second = await list(agent('XA', 'XB'), { limit: '2', format: 'xlsx', cursor: String(cursor) });
    const rows2 = objectsOf(await sheetOf(second));
    expect(rows2).toHaveLength(2);
    expect(rows2.map((r) => r.回访编号)).not.toContain(rows1[0]?.caseId);
    expect(second.headers?.['x-next-cursor']).toBeUndefined();

    const csv = await list(agent('XA', 'XB'), {}, 'text/csv');
    expect(csv.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(String(csv.body).split('\r\n')).toHaveLength(5); // header, 3 cases, final CRLF
  });

  it('answers as the JSON path does for every role: an admin without team, an engineer, a bad status', async () => {
    for (const [claims, query] of [
      [ADMIN, {}],
      [ADMIN, { team: 'XB' }],
      [{ sub: 'X1', role: 'engineer', engineerId: 'X1' }, {}],
      [agent('XA'), { status: 'nope' }],
    ] as const) {
      const json = await list(claims, query);
      const xlsx = await list(claims, query, XLSX_CONTENT_TYPE);
      expect(xlsx.statusCode, JSON.stringify([claims, query])).toBe(json.statusCode);
      if (json.statusCode !== 200) expect(xlsx.body).toBe(json.body);
      else {
        const ids = JSON.parse(String(json.body)).items.map((i: { caseId: string }) => i.caseId);
        expect(objectsOf(await sheetOf(xlsx)).map((r) => r.回访编号)).toEqual(ids);
      }
    }
  });
});
