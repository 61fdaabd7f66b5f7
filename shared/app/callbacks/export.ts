import { type ListPage, type ListQuery, listCallbacks } from '#shared/app/callbacks/list';
import type { Principal } from '#shared/http/auth';

/**
 * The case list for a download (GET /v1/callbacks?all=true with format=csv|xlsx): every case the
 * filters select, not one page. It follows the list's own cursor (list.ts) page by page to the end,
 * up to EXPORT_MAX_CASES cases and EXPORT_MAX_PAGES requests to the store (a page may be short, even
 * empty, under a rare filter); stopped by either bound, the answer keeps the cursor where it stopped,
 * so the caller can say the file is cut and where it would go on.
 */

/** Cases one download holds at most (about 1 MB of .xlsx; well inside Lambda's 6 MB answer). */
export const EXPORT_MAX_CASES = 5000;
/** List pages one download reads at most (each page evaluates at most LIST_READ_BUDGET cases). */
export const EXPORT_MAX_PAGES = 60;

export async function listCallbacksToEnd(
  p: Principal,
  q: ListQuery,
  bounds: { maxCases: number; maxPages: number } = {
    maxCases: EXPORT_MAX_CASES,
    maxPages: EXPORT_MAX_PAGES,
  },
): Promise<ListPage> {
  const items: ListPage['items'] = [];
  let cursor = q.cursor;
  let pages = 0;
  do {
    const page = await listCallbacks(p, {
      ...q,
      limit: Math.min(q.limit, bounds.maxCases - items.length),
      ...(cursor ? { cursor } : {}),
    });
    pages++;
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < bounds.maxCases && pages < bounds.maxPages);
  return { items, ...(cursor ? { cursor } : {}) };
}
