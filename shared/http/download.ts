import { csvHeaders, type HeaderLang, safeFileName, type Table, toCsv } from '#shared/http/csv';
import type { HttpResult } from '#shared/http/http';
import { XLSX_CONTENT_TYPE } from '#shared/http/negotiate';
import { toXlsx } from '#shared/http/xlsx';

/**
 * A table as a download, CSV or Excel (.xlsx), from one set of column definitions. The workbook
 * is binary: its body is base64 with `isBase64Encoded: true`, which API Gateway (HTTP API, payload
 * 2.0) decodes before sending, as does the local server (infra/local/events.ts).
 */

/** RFC 5987 / RFC 6266 `filename*` value: UTF-8, percent-encoded (attr-char kept). */
function encodeExtValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment` with an ASCII `filename` for old clients and, when the display name differs,
 * `filename*=UTF-8''...` (browsers prefer it) carrying the Chinese name.
 */
export function attachment(asciiName: string, displayName?: string): string {
  const ascii = safeFileName(asciiName);
  const base = `attachment; filename="${ascii}"`;
  return displayName && displayName !== ascii
    ? `${base}; filename*=UTF-8''${encodeExtValue(displayName)}`
    : base;
}

export interface DownloadName {
  /** The file name without extension, ASCII ([A-Za-z0-9._-], e.g. `engineers-2026-11`). */
  ascii: string;
  /** The name people see, e.g. `工程师排名-2026-11` (the workbook's; the CSV keeps the ASCII one). */
  display?: string;
}

export async function download<T>(
  format: 'csv' | 'xlsx',
  table: Table<T>,
  lang: HeaderLang,
  name: DownloadName,
  extraHeaders: Record<string, string> = {},
): Promise<HttpResult> {
  if (format === 'csv') {
    return {
      statusCode: 200,
      headers: { ...csvHeaders(`${name.ascii}.csv`), ...extraHeaders },
      body: toCsv(table.columns, table.rows, lang),
    };
  }
  const bytes = await toXlsx(table, lang);
  return {
    statusCode: 200,
    headers: {
      'content-type': XLSX_CONTENT_TYPE,
      'content-disposition': attachment(
        `${name.ascii}.xlsx`,
        name.display === undefined ? undefined : `${name.display}.xlsx`,
      ),
      'cache-control': 'no-store',
      ...extraHeaders,
    },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
}
