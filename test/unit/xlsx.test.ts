import { execFileSync } from 'node:child_process';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import ExcelJSModule from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Column } from '#shared/http/csv';
import { attachment, download } from '#shared/http/download';
import { responseFormat, XLSX_CONTENT_TYPE } from '#shared/http/negotiate';
import { displayWidth, PERCENT_FORMAT, sheetName, toXlsx } from '#shared/http/xlsx';

const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');

const withAccept = (accept?: string) =>
  ({ headers: accept === undefined ? {} : { accept } }) as unknown as APIGatewayProxyEventV2;

async function read(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  return ws;
}

describe('format negotiation (one place for reports and the case list)', () => {
  it('?format= wins over Accept', () => {
    expect(responseFormat(withAccept('text/csv'), 'xlsx')).toBe('xlsx');
    expect(responseFormat(withAccept(XLSX_CONTENT_TYPE), 'json')).toBe('json');
    expect(responseFormat(withAccept(XLSX_CONTENT_TYPE), 'csv')).toBe('csv');
  });

  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'csv'],
    [XLSX_CONTENT_TYPE, 'xlsx'],
    [`${XLSX_CONTENT_TYPE};q=0.5`, 'xlsx'],
    [`${XLSX_CONTENT_TYPE};q=0`, 'json'],
    [`${XLSX_CONTENT_TYPE};q=0, text/csv;q=0`, 'json'],
    ['text/csv;q=0, application/json', 'json'],
    [`${XLSX_CONTENT_TYPE};q=0.4, text/csv;q=0.9`, 'csv'],
    [`text/csv;q=0.4, ${XLSX_CONTENT_TYPE}`, 'xlsx'],
    [`application/json;q=0.9, ${XLSX_CONTENT_TYPE}`, 'xlsx'],
    [`application/json, ${XLSX_CONTENT_TYPE};q=0.2`, 'json'],
    [`application/json, text/csv`, 'csv'],
    [`${XLSX_CONTENT_TYPE};q=abc`, 'json'],
    [`${XLSX_CONTENT_TYPE};q=2`, 'json'],
  ] as const)('Accept %j -> %s', (accept, want) => {
    expect(responseFormat(withAccept(accept))).toBe(want);
  });
});

interface Row {
  name: string;
  rate: number | null;
  n: number;
  ok: boolean;
  at: string;
}
const columns: Column<Row>[] = [
  { header: { zh: '姓名', en: 'name' }, value: (r) => r.name },
  { header: { zh: '满意率(%)', en: 'ratePct' }, value: (r) => r.rate, kind: 'percent' },
  { header: { zh: '评价数', en: 'n' }, value: (r) => r.n },
  { header: { zh: '充足', en: 'ok' }, value: (r) => r.ok },
  { header: { zh: '时间', en: 'at' }, value: (r) => r.at },
];
const rows: Row[] = [
  { name: '张伟', rate: 66.67, n: 3, ok: true, at: '2026-11-20T02:21:00.000Z' },
  { name: '=SUM(1)', rate: null, n: 0, ok: false, at: '2026-11-21' },
  { name: `a\u0000b\u0007c\ud800d\t${'长'.repeat(60)}`, rate: 100, n: 12, ok: true, at: '' },
];

describe('a table as a workbook', () => {
  it('headers, numbers, percentages as fractions with a % format, frozen header, autofilter, widths', async () => {
    const bytes = await toXlsx({ sheet: '工程师排名', columns, rows });
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from('PK\x03\x04', 'binary'));
    const ws = await read(bytes);
    expect(ws.name).toBe('工程师排名');
    expect(ws.getRow(1).values).toEqual([undefined, '姓名', '满意率(%)', '评价数', '充足', '时间']);
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe('A1:E4');

    const r2 = ws.getRow(2);
    expect(r2.getCell(1).value).toBe('张伟');
    expect(r2.getCell(2).value).toBe(0.6667);
    expect(r2.getCell(2).numFmt).toBe(PERCENT_FORMAT);
    expect(r2.getCell(3).value).toBe(3);
    expect(r2.getCell(4).value).toBe(true);
    expect(r2.getCell(5).value).toBe('2026-11-20T02:21:00.000Z');

    const r3 = ws.getRow(3);
    // text, never a formula
    expect(r3.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(r3.getCell(1).value).toBe('=SUM(1)');
    expect(r3.getCell(2).value).toBeNull(); // no data, not 0
    expect(r3.getCell(3).value).toBe(0);
    expect(r3.getCell(4).value).toBe(false);

    const r4 = ws.getRow(4);
    expect(r4.getCell(1).value).toBe(`abcd\t${'长'.repeat(60)}`);
    expect(r4.getCell(2).value).toBe(1);
    expect(r4.getCell(2).numFmt).toBe(PERCENT_FORMAT);

    const widths = [1, 2, 3, 4, 5].map((i) => ws.getColumn(i).width ?? 0);
    expect(widths[0]).toBe(50); // capped
    expect(widths[1]).toBe(displayWidth('满意率(%)') + 3);
    expect(widths[2]).toBe(10); // 评价数: 6 + 3, at least 10
    for (const w of widths) expect(w).toBeGreaterThanOrEqual(10);
    expect(widths[4]).toBe('2026-11-20T02:21:00.000Z'.length + 1);
  });

  it('English headers on request; an empty table still has its header row and filter', async () => {
    const ws = await read(await toXlsx({ sheet: 'x', columns, rows: [] }, 'en'));
    expect(ws.getRow(1).values).toEqual([undefined, 'name', 'ratePct', 'n', 'ok', 'at']);
    expect(ws.rowCount).toBe(1);
    expect(ws.autoFilter).toBe('A1:E1');
  });

  it('sheet names follow Excel rules; CJK counts double in widths', () => {
    expect(sheetName('班组汇总')).toBe('班组汇总');
    expect(sheetName('a/b:c?d*e[f]g\\h')).toBe('a b c d e f g h');
    expect(sheetName('工'.repeat(40))).toBe('工'.repeat(31));
    expect(sheetName(' ? ')).toBe('Sheet1');
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('工程师')).toBe(6);
    expect(displayWidth('E1-张伟')).toBe(7);
  });
});

describe('a download', () => {
  it('Content-Disposition: an ASCII filename and the UTF-8 name (RFC 6266 / 5987)', () => {
    expect(attachment('engineers-2026-11.xlsx', '工程师排名-2026-11.xlsx')).toBe(
      `attachment; filename="engineers-2026-11.xlsx"; filename*=UTF-8''%E5%B7%A5%E7%A8%8B%E5%B8%88%E6%8E%92%E5%90%8D-2026-11.xlsx`,
    );
    expect(attachment('a b"c.xlsx', "it's (1).xlsx")).toBe(
      `attachment; filename="a_b_c.xlsx"; filename*=UTF-8''it%27s%20%281%29.xlsx`,
    );
    expect(attachment('x.xlsx')).toBe('attachment; filename="x.xlsx"');
  });

  it('the workbook is base64 with isBase64Encoded, its bytes intact; CSV stays text', async () => {
    const table = { sheet: '回访记录', columns, rows };
    const x = await download(
      'xlsx',
      table,
      'zh',
      { ascii: 'callbacks', display: '回访记录' },
      { 'x-next-cursor': 'c1' },
    );
    expect(x.isBase64Encoded).toBe(true);
    expect(x.headers).toMatchObject({
      'content-type': XLSX_CONTENT_TYPE,
      'cache-control': 'no-store',
      'x-next-cursor': 'c1',
      'content-disposition': `attachment; filename="callbacks.xlsx"; filename*=UTF-8''${encodeURIComponent('回访记录.xlsx')}`,
    });
    const ws = await read(Buffer.from(String(x.body), 'base64'));
    expect(ws.getRow(2).getCell(2).value).toBe(0.6667);

    const c = await download('csv', table, 'zh', { ascii: 'callbacks', display: '回访记录' });
    expect(c.isBase64Encoded).toBeUndefined();
    expect(c.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="callbacks.csv"',
    });
    expect(String(c.body).split('\r\n')[1]).toBe('张伟,66.67,3,true,2026-11-20T02:21:00.000Z');
  });

  it('exceljs is not loaded by importing the report and case-list handlers, only by the first workbook', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).some((p) => p.includes('/node_modules/exceljs/'));
      await import('#functions/reports/handler');
      await import('#functions/callbacks/handler');
      const before = loaded();
      const { toXlsx } = await import('#shared/http/xlsx');
      await toXlsx({ sheet: 's', columns: [], rows: [] });
      process.stdout.write(JSON.stringify({ before, after: loaded() }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(JSON.parse(out.slice(out.lastIndexOf('{')))).toEqual({ before: false, after: true });
  });
});
