/**
 * CSV for people who open it in Excel (RFC 4180): UTF-8 with a byte-order mark so Excel reads the
 * Chinese, CRLF line ends, cells quoted when they hold a quote, comma, CR or LF (quotes doubled).
 *
 * Formula injection (OWASP "CSV injection"): a text cell starting with = + - @ tab or CR would be run
 * as a formula by spreadsheet programs, so it gets a leading single quote. Numbers are written as
 * numbers (a negative number is not a formula) and are never prefixed.
 */

export const BOM = '\ufeff';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export type Cell = string | number | boolean | null | undefined;

export type HeaderLang = 'zh' | 'en';

export interface Column<T> {
  /** Header per language: `zh` (default, for people) and `en` (stable keys, for scripts). */
  header: Record<HeaderLang, string>;
  value: (row: T) => Cell;
  /**
   * `percent`: the value is a percentage (0-100, as the CSV shows it); a workbook (shared/http/xlsx.ts)
   * stores it as the fraction with a percent number format.
   */
  kind?: 'percent';
}

/** A table to download: its columns, rows and a sheet name (Chinese, for the workbook). */
export interface Table<T> {
  sheet: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell as CSV text: empty for null/undefined/non-finite numbers, escaped and defused text. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvCell).join(',');
}

/** The whole document: BOM, the header line, one line per row, each line ending in CRLF. */
export function toCsv<T>(columns: readonly Column<T>[], rows: readonly T[], lang: HeaderLang = 'zh'): string {
  const lines = [
    csvLine(columns.map((c) => c.header[lang])),
    ...rows.map((r) => csvLine(columns.map((c) => c.value(r)))),
  ];
  return `${BOM}${lines.map((l) => `${l}\r\n`).join('')}`;
}

/** A file name safe in a content-disposition header on every platform: [A-Za-z0-9._-] only. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return cleaned.slice(0, 150) || 'report';
}

/** Response headers of a CSV download. */
export function csvHeaders(fileName: string): Record<string, string> {
  return {
    'content-type': CSV_CONTENT_TYPE,
    'content-disposition': `attachment; filename="${safeFileName(fileName)}"`,
    'cache-control': 'no-store',
  };
}
