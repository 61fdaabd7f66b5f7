import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cell, HeaderLang, Table } from '#shared/http/csv';
import { onceUntilFailure } from '#shared/runtime/once';

/**
 * A table as an Excel workbook (.xlsx, one sheet), from the same column definitions as its CSV
 * (shared/http/csv.ts `Column`), through exceljs. exceljs is imported lazily, on the first workbook
 * a container writes, never at cold start; in a Lambda package it is a file of its own beside
 * index.mjs (infra/build/exceljs-chunk.ts), so the function bundles stay small.
 *
 * - Headers as the CSV's (`zh` by default), bold, the row frozen, an autofilter over the data.
 * - Numbers are numbers; a `percent` column's percentage (0-100) is stored as the fraction with
 *   the format 0.00% (66.67 in the CSV is 0.6667, shown 66.67%); booleans are booleans; an empty
 *   cell is "no data", as in the CSV.
 * - Times and days stay ISO 8601 text, exactly as in the JSON and the CSV: an Excel date has no
 *   time zone, so a UTC instant would show as a wrong local time; ISO text is unambiguous and
 *   sorts and filters in time order.
 * - Text is always a string cell, never a formula (so no CSV-style quote prefix is needed);
 *   characters XML cannot carry are dropped.
 * - Column widths from the longest value (a CJK character counts two), between 10 and 50.
 */

export const PERCENT_FORMAT = '0.00%';
// Not below 10: room for the filter button, and exceljs drops a width of exactly 9 (its default).
const MIN_WIDTH = 10;
const MAX_WIDTH = 50;

// Control characters but tab, LF, CR; unpaired surrogates; U+FFFE/U+FFFF: XML 1.0 cannot carry them.
const NOT_XML = /(?![\t\n\r])\p{Cc}|\p{Cs}|[\ufffe\uffff]/gu;

/** How many character widths a text takes in a spreadsheet column (East Asian wide characters count two). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      cp >= 0x20000;
    w += wide ? 2 : 1;
  }
  return w;
}

/** Excel's sheet-name rules: at most 31 characters, none of : \ / ? * [ ]; never empty. */
export function sheetName(name: string): string {
  const cleaned = [...name.replace(/[:\\/?*[\]]/g, ' ').trim()].slice(0, 31).join('');
  return cleaned || 'Sheet1';
}

type XlsxValue = string | number | boolean | null;

function cellValue(value: Cell, percent: boolean): XlsxValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // 66.67 (%) -> 0.6667, without binary noise (0.6667000000000001)
    return percent ? Number((value / 100).toFixed(10)) : value;
  }
  if (typeof value === 'boolean') return value;
  return value.replace(NOT_XML, '');
}

/** What the cell shows, for the column width. */
function shown(value: XlsxValue, percent: boolean): string {
  if (value === null) return '';
  if (typeof value === 'number' && percent) return `${(value * 100).toFixed(2)}%`;
  return String(value);
}

type ExcelJs = typeof import('exceljs');
/**
 * exceljs: in a Lambda package the bundled file beside index.mjs (this module is inlined there, so
 * import.meta.url is the bundle's); run from source, the package. The package's name is not a
 * literal so that esbuild leaves the library out of the function bundles.
 */
const loadExcelJs = onceUntilFailure(async (): Promise<ExcelJs> => {
  const beside = new URL('./exceljs.mjs', import.meta.url);
  const packageName = ['excel', 'js'].join('');
  const mod = (await import(
    existsSync(fileURLToPath(beside)) ? beside.href : /* @vite-ignore */ packageName
  )) as ExcelJs & { default?: ExcelJs };
  return mod.default ?? mod;
});

/** The workbook's bytes. */
export async function toXlsx<T>(table: Table<T>, lang: HeaderLang = 'zh'): Promise<Buffer> {
  const { Workbook } = await loadExcelJs();
  const workbook = new Workbook();
  const ws = workbook.addWorksheet(sheetName(table.sheet), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
  });
  const percent = table.columns.map((c) => c.kind === 'percent');
  const headers = table.columns.map((c) => c.header[lang].replace(NOT_XML, ''));
  const widths = headers.map((h) => displayWidth(h) + 3); // room for the filter button

  const head = ws.addRow(headers);
  head.font = { bold: true };
  for (const row of table.rows) {
    const values = table.columns.map((c, i) => cellValue(c.value(row), percent[i] ?? false));
    const added = ws.addRow(values);
    values.forEach((v, i) => {
      if (percent[i] && typeof v === 'number') added.getCell(i + 1).numFmt = PERCENT_FORMAT;
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(shown(v, percent[i] ?? false)) + 1);
    });
  }
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w));
  });
  if (table.columns.length > 0) {
    ws.autoFilter = {
      from: { row: 1, column: 1 },
      to: { row: table.rows.length + 1, column: table.columns.length },
    };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
