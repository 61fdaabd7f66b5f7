import type { Deps } from '#shared/app/deps';
import { ConflictError, type FieldIssue, ValidationError } from '#shared/domain/errors';
import type { Rules } from '#shared/domain/rules';
import { staticSuppression } from '#shared/domain/suppression';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { newId } from '#shared/runtime/ids';
import { logger } from '#shared/runtime/log';
import {
  countedFields,
  countedOf,
  getTicket,
  putCompletion,
  type TicketItem,
  type TicketResponse,
} from '#shared/store/ticket';

export interface CompleteTicketResult {
  created: boolean;
  response: TicketResponse;
}

/**
 * Whether a completion is one this ticket already has, decided by identity and never by comparing
 * the clocks of upstream systems (a reopen's date says nothing about which completion comes next):
 * - the same `completedAt` (as an instant) as the current completion or an earlier one (each ended
 *   by a reopen) is a repeat of it: `repeat` with that completion's first answer when its counted
 *   fields (`countedFields`) are identical, `conflict` naming those that differ otherwise;
 * - any other `completedAt` is a new completion: accepted (`new`) if the ticket is reopened, a
 *   `conflict` naming `completedAt` while it is completed (its reopen has not arrived, or never
 *   will: upstream retries a 409, and the retry is accepted once the reopen lands).
 * The phone is compared only with the current completion, and not once the customer is erased.
 */
export type CompletionMatch =
  | { kind: 'repeat'; response: TicketResponse }
  | { kind: 'conflict'; issues: FieldIssue[] }
  | { kind: 'not_reopened'; issues: FieldIssue[] }
  | { kind: 'new' };

export function matchCompletion(existing: TicketItem, t: TicketCompleted): CompletionMatch {
  const incoming = countedOf(t);
  const current = countedOf(existing.ticket);
  if ('erasedAt' in existing.ticket.customer) delete current['customer.phone'];
  const known = [
    { counted: current, response: existing.response },
    ...(existing.history ?? []).map((h) => ({ counted: h.counted, response: h.response })),
  ];
  const same = known.find((k) => k.counted.completedAt === incoming.completedAt);
  if (same) {
    const differ = countedFields.filter((f) => f in same.counted && same.counted[f] !== incoming[f]);
    if (differ.length === 0) return { kind: 'repeat', response: same.response };
    return {
      kind: 'conflict',
      issues: differ.map((field) => ({ field, message: 'differs from the completion already accepted' })),
    };
  }
  if (existing.state === 'reopened') return { kind: 'new' };
  return {
    kind: 'not_reopened',
    issues: [
      {
        field: 'completedAt',
        message: `the ticket is completed at ${current.completedAt} and not reopened: a new completion needs a reopen first`,
      },
    ],
  };
}

const conflict = (issues: FieldIssue[]) =>
  new ConflictError('a repeat of this completion differs in what was counted', issues);

/** A completion older than `rules.tickets.maxCompletionAgeDays` is never surveyed or counted. */
function tooOld(t: TicketCompleted, rules: Rules, at: Date): FieldIssue | undefined {
  const days = rules.tickets.maxCompletionAgeDays;
  if (Date.parse(t.completedAt) >= at.getTime() - days * 86_400_000) return undefined;
  return { field: 'completedAt', message: `must not be more than ${days} day${days === 1 ? '' : 's'} ago` };
}

/**
 * The completion webhook: a new completion is accepted with ONE conditional write of the ticket
 * (nothing else is read or written on this path), which the next scheduler run plans
 * (`planTicket`, plan-ticket.ts). A repeat of the same completion changes nothing and gets the first answer back
 * (409 if it differs in what was counted: `matchCompletion`); the next completion after a reopen
 * is accepted the same way, conditional on the reopen. A completion older than
 * `rules.tickets.maxCompletionAgeDays` is refused (400 naming `completedAt`).
 */
export async function acceptTicket(deps: Deps, t: TicketCompleted): Promise<CompleteTicketResult> {
  const { rules } = deps;
  const old = tooOld(t, rules, deps.clock.now());
  if (old) {
    // Too old to accept, but a repeat of a completion accepted in time still gets its answer.
    const existing = await getTicket(t.source, t.ticketId);
    const match = existing ? matchCompletion(existing, t) : undefined;
    if (match?.kind === 'repeat') return { created: false, response: match.response };
    if (match?.kind === 'conflict') throw conflict(match.issues);
    throw new ValidationError([old]);
  }
  const reason = staticSuppression(t, rules);
  const response: TicketResponse = reason
    ? { surveyId: newId(), status: 'suppressed', reason }
    : { surveyId: newId(), status: 'scheduled' };
  let previous: TicketItem | undefined;
  for (let attempt = 1; ; attempt++) {
    if ((await putCompletion(previous, t, response, deps.clock.now())) === 'accepted') break;
    if (attempt >= 3) throw new Error('the ticket kept changing while its completion was accepted');
    // A ticket of that id exists: a repeat (answered as the first time), or a new completion
    // after a reopen (accepted on the state just read; a race sends us round again).
    previous = await getTicket(t.source, t.ticketId);
    if (!previous) continue;
    const match = matchCompletion(previous, t);
    if (match.kind === 'repeat') return { created: false, response: match.response };
    if (match.kind === 'conflict') throw conflict(match.issues);
    if (match.kind === 'not_reopened') {
      throw new ConflictError('the ticket is completed and not reopened', match.issues);
    }
  }
  logger.info('ticket accepted', {
    source: t.source,
    ticketId: t.ticketId,
    surveyId: response.surveyId,
    status: response.status,
  });
  return { created: true, response };
}
