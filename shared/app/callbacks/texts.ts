import { caseListReach } from '#shared/domain/access';
import { UNATTRIBUTED } from '#shared/domain/complaints';
import { ForbiddenError, ValidationError } from '#shared/domain/errors';
import { maskPhone } from '#shared/domain/phone';
import type { Period } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import {
  type CustomerTextItem,
  isTextPosition,
  listCustomerTexts,
  type TextListing,
  textPosition,
} from '#shared/store/customer-text';

/**
 * The customers' texts kept (每诉必录, docs/domain.md section 6): every text that was neither a
 * rating nor an opt-out, and every complaint, for the managers, agents and admins who work the
 * callback cases, with the same reach as the case lists (domain/access.ts `caseListReach`): the
 * scope's teams and regions, or the one team or region asked for, or for an admin who names
 * neither every text (gsi4, all shards merged); texts no recent survey owns (team `_unattributed`)
 * for admins only. Newest first, paged, phones masked.
 */

export interface TextQuery {
  period: Period;
  team?: string;
  region?: string;
  limit: number;
  cursor?: string;
}

export interface CustomerTextView {
  textId: string;
  receivedAt: string;
  /** Masked (138****8000). */
  phone: string;
  /** Cleaned (domain/free-text.ts). */
  text: string;
  /** `complaint` when it expressed one (and opened or joined case `caseId`). */
  kind: 'complaint' | 'text';
  outcome: string;
  surveyId?: string;
  caseId?: string;
  source: string;
  ticketId: string;
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
  /** Owned by no recent survey (team and region `_unattributed`). */
  unattributed: boolean;
}

export interface TextPage {
  items: CustomerTextView[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  cursor?: string;
}

const encodeCursor = (position: string) =>
  Buffer.from(JSON.stringify({ before: position }), 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof parsed.before === 'string' && isTextPosition(parsed.before)) return parsed.before;
  } catch {
    // fall through
  }
  throw new ValidationError([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

export function textView(t: CustomerTextItem): CustomerTextView {
  return {
    textId: t.textId,
    receivedAt: t.receivedAt,
    phone: maskPhone(t.phone),
    text: t.text,
    kind: t.textKind,
    outcome: t.outcome,
    ...(t.surveyId ? { surveyId: t.surveyId } : {}),
    ...(t.caseId ? { caseId: t.caseId } : {}),
    source: t.source,
    ticketId: t.ticketId,
    engineerId: t.engineerId,
    engineerName: t.engineerName,
    team: t.team,
    region: t.region,
    unattributed: t.team === UNATTRIBUTED,
  };
}

/** One page of the texts received in the period, newest first, within the principal's reach. */
export async function listTexts(p: Principal, q: TextQuery): Promise<TextPage> {
  const reach = caseListReach(p, {
    ...(q.team !== undefined ? { team: q.team } : {}),
    ...(q.region !== undefined ? { region: q.region } : {}),
  });
  if (reach.kind === 'forbidden') throw new ForbiddenError();
  const before = q.cursor ? decodeCursor(q.cursor) : undefined;
  const listings: TextListing[] =
    reach.kind === 'all'
      ? [{ all: true }]
      : [
          ...reach.teams.map((team) => ({
            team,
            ...(reach.alsoInRegion ? { alsoInRegion: reach.alsoInRegion } : {}),
          })),
          ...reach.regions.map((region) => ({ region })),
        ];
  const want = q.limit + 1;
  const found = (await Promise.all(listings.map((l) => listCustomerTexts(l, q.period, before, want)))).flat();
  // A text found both by its team and by its region is listed once.
  const distinct = new Map(found.map((t) => [t.textId, { t, position: textPosition(t) }]));
  const merged = [...distinct.values()].sort((a, b) =>
    a.position < b.position ? 1 : a.position > b.position ? -1 : 0,
  );
  const page = merged.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ t }) => textView(t)),
    ...(merged.length > q.limit && last ? { cursor: encodeCursor(last.position) } : {}),
  };
}
