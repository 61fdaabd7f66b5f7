import { type ListPage, type ListQuery, listCallbacks } from '#shared/app/callbacks/list';
import type { Principal } from '#shared/http/auth';

/**
 * The case list for a download (GET /v1/callbacks?all=true with format=csv|xlsx): every case the
 * filters select, not one page. It follows the list's own cursor (list.ts) page by page (full pages
 * of EXPORT_PAGE, whatever `limit` the query asked for) to the end, within three bounds: the cases
 * one file holds, the list pages it reads (a page may be short, even empty, under a rare filter) and
 * the time it reads for (so that the file is still written within the function's timeout). Stopped
 * by one of them, the answer keeps the cursor where it stopped and says which bound cut it, so the
 * caller can say the file is cut, why, and where it would go on.
 */

/** Cases one download holds at most (about 1 MB of .xlsx; well inside Lambda's 6 MB answer). */
export const EXPORT_MAX_CASES = 5000;
/** List pages one download reads at most (each page evaluates at most LIST_READ_BUDGET cases). */
export const EXPORT_MAX_PAGES = 60;
/** Reading stops after this long (ms), leaving the rest of the function's 29 s to write the file. */
export const EXPORT_MAX_MS = 12_000;
/** Cases a list page asks for: the list's own maximum. */
export const EXPORT_PAGE = 100;

export type ExportCut = 'cases' | 'pages' | 'time';

export interface ExportBounds {
  maxCases: number;
  maxPages: number;
  maxMs: number;
  /** Cases a list page asks for. @default EXPORT_PAGE */
  pageSize?: number;
}

export async function listCallbacksToEnd(
  p: Principal,
  q: ListQuery,
  bounds: ExportBounds = { maxCases: EXPORT_MAX_CASES, maxPages: EXPORT_MAX_PAGES, maxMs: EXPORT_MAX_MS },
  now: () => number = Date.now,
): Promise<ListPage & { cut?: ExportCut }> {
  const started = now();
  const items: ListPage['items'] = [];
  let cursor = q.cursor;
  let pages = 0;
  let cut: ExportCut | undefined;
  for (;;) {
    const page = await listCallbacks(p, {
      ...q,
      limit: Math.min(bounds.pageSize ?? EXPORT_PAGE, bounds.maxCases - items.length),
      ...(cursor ? { cursor } : {}),
    });
    pages++;
    items.push(...page.items);
    cursor = page.cursor;
    if (!cursor) break;
    cut =
      items.length >= bounds.maxCases
        ? 'cases'
        : pages >= bounds.maxPages
          ? 'pages'
          : now() - started >= bounds.maxMs
            ? 'time'
            : undefined;
    if (cut) break;
  }
  return { items, ...(cursor ? { cursor } : {}), ...(cut ? { cut } : {}) };
}
