import ExcelJSModule from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The .xlsx downloads over HTTP from `npm start`: the bytes arrive intact through the local API
 * Gateway (a ZIP that exceljs reads) and hold the same numbers as the JSON of the same report.
 */
let sys: RunningSystem;
beforeAll(async () => {
  sys = await startNpm();
}, 120_000);
afterAll(async () => {
  await sys?.stop();
});

async function rated(ticketId: string, phone: string, reply: string, inboundId: string) {
  const { call } = sys;
  await call('POST', '/local/clock', { now: '2026-11-20T02:00:00Z' });
  const accepted = await sys.webhook(
    '/v1/tickets/completed',
    ticketBody({
      ticketId,
      completedAt: '2026-11-20T09:55:00+08:00',
      engineer: { id: 'E-xl', name: '吴师傅', team: 'T-xl', region: 'R-xl' },
      customer: { phone },
    }),
  );
  expect(accepted.status).toBe(202);
  await call('POST', '/local/clock', { now: '2026-11-20T02:26:00Z' });
  await call('POST', '/local/tick');
  const [survey] = (await call('GET', `/local/sms/outbox?phone=${phone}`)).body;
  const inbound = await call('POST', '/local/sms/inbound', {
    originationNumber: `+86${phone}`,
    destinationNumber: '+8610690000',
    messageKeyword: 'KW',
    messageBody: reply,
    inboundMessageId: inboundId,
    previousPublishedMessageId: survey.messageId,
  });
  expect(inbound.status).toBe(200);
}

async function download(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sys.url}${path}`, {
    headers: { authorization: `Bearer ${sys.adminToken}`, ...headers },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
  // a ZIP, byte for byte (not the base64 text, not re-encoded as UTF-8)
  expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  const head = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, unknown>[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    rows.push(Object.fromEntries(head.map((h, i) => [h, ws.getRow(r).getCell(i + 1).value])));
  }
  return { res, ws, rows };
}

describe('.xlsx over HTTP', () => {
  it('the engineer report and the case list download intact and match the JSON', async () => {
    await rated('E2E-XL-1', '13700007771', '1', 'e2e-xl-1');
    await rated('E2E-XL-2', '13700007772', '3 师傅迟到了', 'e2e-xl-2');

    const json = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, {
      authorization: `Bearer ${sys.adminToken}`,
    });
    expect(json.status).toBe(200);
    const e = json.body.engineers.find((x: { engineerId: string }) => x.engineerId === 'E-xl');
    expect(e).toMatchObject({ responses: 2, satisfied: 1, dissatisfied: 1, satisfactionRate: 0.5 });

    const report = await download('/v1/reports/engineers?period=2026-11', { accept: XLSX });
    expect(report.res.headers.get('content-disposition')).toBe(
      `attachment; filename="engineers-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('工程师排名-2026-11.xlsx')}`,
    );
    expect(report.ws.name).toBe('工程师排名');
    expect(report.ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const row = report.rows.find((r) => r.工程师编号 === 'E-xl');
    expect(row).toMatchObject({
      姓名: '吴师傅',
      评价数: e.responses,
      满意: e.satisfied,
      不满意: e.dissatisfied,
      '满意率(%)': e.satisfactionRate,
      '回复率(%)': e.responseRate,
    });
    const rateCol = (report.ws.getRow(1).values as unknown[]).indexOf('满意率(%)');
    const rowNo = report.rows.indexOf(row as Record<string, unknown>) + 2;
    expect(report.ws.getRow(rowNo).getCell(rateCol).numFmt).toBe('0.00%');

    const list = await download('/v1/callbacks?team=T-xl&format=xlsx');
    expect(list.ws.name).toBe('回访记录');
    expect(list.rows).toHaveLength(1);
    expect(list.rows[0]).toMatchObject({
      状态: '待联系',
      评价: '不满意',
      意见: '师傅迟到了',
      客户号码: '137****7772',
    });
  });
});
