import { type ReasonKey, reasonKeys } from '#shared/app/reports/figures';
import { canSeeFigures } from '#shared/domain/access';
import { ValidationError } from '#shared/domain/errors';
import { maskPhone } from '#shared/domain/phone';
import type { Period } from '#shared/domain/time';
import type { Principal } from '#shared/http/auth';
import { isCommentPosition, listComments } from '#shared/store/comment';
import type { SurveyItem } from '#shared/store/survey';

export interface DissatisfiedComment {
  surveyId: string;
  source: string;
  ticketId: string;
  kind: string;
  answeredAt: string;
  rating: number;
  reasons: ReasonKey[];
  comment: string | null;
  /** Masked (138****8000): docs/domain.md section 7. */
  phone: string;
}

export interface CommentsPage {
  items: DissatisfiedComment[];
  nextCursor: string | null;
}

const encodeCursor = (position: string): string => Buffer.from(position, 'utf8').toString('base64url');

function decodeCursor(cursor: string, period: Period): string {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isCommentPosition(position, period)) {
    throw new ValidationError([
      { field: 'cursor', message: 'not a cursor of this report; start without one' },
    ]);
  }
  return position;
}

/**
 * The dissatisfied answers (rating 3) of the engineer answered within the period, newest first
 * (store/comment.ts), `limit` a page. Phones masked. Answers whose survey counted under a
 * team or region the principal cannot see are skipped.
 */
export async function dissatisfiedComments(
  principal: Principal,
  engineerId: string,
  period: Period,
  limit: number,
  cursor: string | undefined,
): Promise<CommentsPage> {
  let after = cursor === undefined ? undefined : decodeCursor(cursor, period);
  const items: DissatisfiedComment[] = [];
  for (;;) {
    // One more than needed: seeing it tells whether another page exists.
    const page = await listComments(engineerId, period, limit - items.length + 1, after);
    for (const [i, { survey, position }] of page.entries.entries()) {
      if (!canSeeFigures(principal, survey)) continue;
      items.push(toComment(survey));
      if (items.length === limit) {
        const more = i < page.entries.length - 1 || page.next !== undefined;
        return { items, nextCursor: more ? encodeCursor(position) : null };
      }
    }
    if (page.next === undefined) return { items, nextCursor: null };
    after = page.next;
  }
}

function toComment(s: SurveyItem): DissatisfiedComment {
  return {
    surveyId: s.surveyId,
    source: s.source,
    ticketId: s.ticketId,
    kind: s.kind,
    answeredAt: s.answeredAt ?? '',
    rating: s.rating ?? 3,
    reasons: (s.reasons ?? []).flatMap((n) => {
      const key = reasonKeys[n - 1];
      return key ? [key] : [];
    }),
    comment: s.comment ?? null,
    phone: maskPhone(s.phone),
  };
}
