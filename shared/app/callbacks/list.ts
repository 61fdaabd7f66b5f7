import { type CallbackView, view } from '#shared/app/callbacks/view';
import { caseListReach } from '#shared/domain/access';
import { ForbiddenError, ValidationError } from '#shared/domain/errors';
import type { Principal } from '#shared/http/auth';
import {
  type CallbackStatus,
  type CaseListing,
  isListPosition,
  listCallbackCases,
  listPosition,
} from '#shared/store/callback';

export interface ListQuery {
  statuses: CallbackStatus[];
  team?: string;
  region?: string;
  limit: number;
  cursor?: string;
}

export interface ListPage {
  items: CallbackView[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  cursor?: string;
}

function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify({ before: position }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof parsed.before === 'string' && isListPosition(parsed.before)) return parsed.before;
  } catch {
    // fall through
  }
  throw new ValidationError([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

/**
 * Cases by status, newest first, one Query per (status, team or region) merged; the cursor is the
 * list position of the last case returned, so each page continues strictly below it. Which teams
 * and regions a list covers is decided by domain/access.ts `caseListReach`.
 */
export async function listCallbacks(p: Principal, q: ListQuery): Promise<ListPage> {
  const reach = caseListReach(p, {
    ...(q.team !== undefined ? { team: q.team } : {}),
    ...(q.region !== undefined ? { region: q.region } : {}),
  });
  if (reach.kind === 'forbidden') throw new ForbiddenError();
  if (reach.kind === 'filter_required') {
    throw new ValidationError([
      { field: 'team', message: 'give team or region: cases are listed per team or per region' },
    ]);
  }
  const before = q.cursor ? decodeCursor(q.cursor) : undefined;
  const { alsoInRegion } = reach;
  const listings = q.statuses.flatMap((status): CaseListing[] => [
    ...reach.teams.map((team) => ({ status, team, ...(alsoInRegion ? { alsoInRegion } : {}) })),
    ...reach.regions.map((region) => ({ status, region })),
  ]);
  const want = q.limit + 1;
  const found = (await Promise.all(listings.map((l) => listCallbackCases(l, before, want)))).flat();
  // A case found both by its team and by its region is listed once.
  const distinct = new Map(found.map((c) => [c.caseId, { c, position: listPosition(c) }]));
  const merged = [...distinct.values()].sort((a, b) =>
    a.position < b.position ? 1 : a.position > b.position ? -1 : 0,
  );
  const page = merged.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ c }) => view(c, false, false)),
    ...(merged.length > q.limit && last ? { cursor: encodeCursor(last.position) } : {}),
  };
}
