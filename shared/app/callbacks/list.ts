import { type CallbackView, view } from '#shared/app/callbacks/view';
import { caseListReach } from '#shared/domain/access';
import { ForbiddenError, ValidationError } from '#shared/domain/errors';
import type { CaseKind } from '#shared/domain/types';
import type { Principal } from '#shared/http/auth';
import {
  type CallbackStatus,
  type CaseFilter,
  type CaseListing,
  isListPosition,
  listCallbackCases,
  listPosition,
} from '#shared/store/callback';

export interface ListQuery {
  statuses: CallbackStatus[];
  team?: string;
  region?: string;
  /** Only cases a rating (`dissatisfied`) or a complaint opened. */
  kind?: CaseKind;
  /** Only one engineer's cases. */
  engineerId?: string;
  limit: number;
  cursor?: string;
}

export interface ListPage {
  items: CallbackView[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  cursor?: string;
}

/**
 * How many cases one page may evaluate in all (over every listing it reads) when a filter keeps
 * few of them: a page then ends early, shorter than `limit`, with a cursor that continues below
 * what was read (so a rare filter never makes one request read a whole index).
 */
export const LIST_READ_BUDGET = 2000;

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

const newestFirst = (a: { position: string }, b: { position: string }) =>
  a.position < b.position ? 1 : a.position > b.position ? -1 : 0;

/**
 * Cases by status, newest first, within the principal's reach (domain/access.ts `caseListReach`):
 * the team or region asked for, else every team and region of the scope, else (an admin) every
 * case. One Query per listing (per status and team or region; an admin's `all` listing reads every
 * shard of gsi4), merged by list position, each case once; `kind` and `engineerId` filter on the
 * index query. The cursor is the position the page ended at, so each page continues strictly below
 * it: no case twice, none skipped, whichever listings it was found in. A page is full (`limit`
 * cases) unless the lists end, or a filter kept too few of LIST_READ_BUDGET cases evaluated: then
 * it is shorter and its cursor continues below what was read.
 */
export async function listCallbacks(p: Principal, q: ListQuery): Promise<ListPage> {
  const reach = caseListReach(p, {
    ...(q.team !== undefined ? { team: q.team } : {}),
    ...(q.region !== undefined ? { region: q.region } : {}),
  });
  if (reach.kind === 'forbidden') throw new ForbiddenError();
  const before = q.cursor ? decodeCursor(q.cursor) : undefined;
  const listings: CaseListing[] =
    reach.kind === 'all'
      ? q.statuses.map((status) => ({ status, all: true }))
      : q.statuses.flatMap((status): CaseListing[] => [
          ...reach.teams.map((team) => ({
            status,
            team,
            ...(reach.alsoInRegion ? { alsoInRegion: reach.alsoInRegion } : {}),
          })),
          ...reach.regions.map((region) => ({ status, region })),
        ]);
  const filter: CaseFilter = {
    ...(q.kind !== undefined ? { caseKind: q.kind } : {}),
    ...(q.engineerId !== undefined ? { engineerId: q.engineerId } : {}),
  };
  const want = q.limit + 1;
  const budget = Math.max(want, Math.ceil(LIST_READ_BUDGET / Math.max(1, listings.length)));
  const reads = await Promise.all(listings.map((l) => listCallbackCases(l, before, want, filter, budget)));
  // Every listing was read down to `cut` at least (the highest point one stopped at): only what
  // lies at or above it is known complete.
  const cut = reads
    .flatMap((r) => (r.readTo ? [r.readTo] : []))
    .sort()
    .at(-1);
  // A case found both by its team and by its region is listed once.
  const distinct = new Map(
    reads.flatMap((r) => r.items).map((c) => [c.caseId, { c, position: listPosition(c) }]),
  );
  const known = [...distinct.values()]
    .filter((x) => cut === undefined || x.position >= cut)
    .sort(newestFirst);
  const page = known.slice(0, q.limit);
  const last = page[page.length - 1];
  const next = known.length > q.limit ? last?.position : cut;
  return {
    items: page.map(({ c }) => view(c, false, false)),
    ...(next ? { cursor: encodeCursor(next) } : {}),
  };
}
