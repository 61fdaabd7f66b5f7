import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { header } from '#shared/http/http';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/**
 * Which representation a list or report answers with: JSON (the default), CSV or an Excel
 * workbook. One place for every route that offers downloads (reports, the case list).
 */
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MEDIA_TYPE = 'text/csv';
export const JSON_MEDIA_TYPE = 'application/json';

export const responseFormats = ['json', 'csv', 'xlsx'] as const;
export type ResponseFormat = (typeof responseFormats)[number];

/** The query fields of a route with downloads: `format` (wins over Accept) and the header language. */
export const formatField = lazy(() => z.optional(z.enum(responseFormats)));
export const headersField = lazy(() => z._default(z.enum(['zh', 'en']), 'zh'));

const mediaTypes: Record<string, ResponseFormat> = {
  [JSON_MEDIA_TYPE]: 'json',
  [CSV_MEDIA_TYPE]: 'csv',
  [XLSX_CONTENT_TYPE]: 'xlsx',
};

/** The q of a media range's parameters (1 when absent; 0 when unreadable, i.e. not acceptable). */
function qOf(params: string[]): number {
  const q = params.find((p) => p.startsWith('q='));
  if (q === undefined) return 1;
  const n = Number(q.slice(2));
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0;
}

/**
 * The format of the answer: `?format=` wins; otherwise the Accept header, counting only the media
 * types named exactly (a wildcard range, as browsers send, means JSON): the one with the
 * highest q above 0; on a tie a download (xlsx before csv) wins over JSON, since a client that
 * names a spreadsheet type at all asks for it. Nothing named (or only q=0): JSON.
 */
export function responseFormat(event: APIGatewayProxyEventV2, format?: ResponseFormat): ResponseFormat {
  if (format) return format;
  const best = new Map<ResponseFormat, number>();
  for (const range of (header(event, 'accept') ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const f = mediaTypes[type];
    if (f) best.set(f, Math.max(best.get(f) ?? 0, qOf(params)));
  }
  let chosen: ResponseFormat = 'json';
  let chosenQ = 0;
  for (const f of ['xlsx', 'csv', 'json'] as const) {
    const q = best.get(f) ?? 0;
    if (q > chosenQ) {
      chosen = f;
      chosenQ = q;
    }
  }
  return chosen;
}
