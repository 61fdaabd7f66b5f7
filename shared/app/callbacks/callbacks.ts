import { markOverdue } from '#shared/app/callbacks/overdue';
import { assertMayWorkCallbacks, type CallbackView, caseFor, view } from '#shared/app/callbacks/view';
import type { Deps } from '#shared/app/deps';
import { seesFullPhone } from '#shared/domain/access';
import { isPastDeadline } from '#shared/domain/callbacks';
import { callbackClosedDelta } from '#shared/domain/counters';
import { ConflictError } from '#shared/domain/errors';
import type { CallbackOutcome } from '#shared/domain/types';
import type { Principal } from '#shared/http/auth';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import {
  addCallbackNote as appendNote,
  type CallbackHistoryEntry,
  closeCallbackItems,
} from '#shared/store/callback';
import { TxConditionFailed, transact } from '#shared/store/tx';

export { type ListPage, type ListQuery, listCallbacks } from '#shared/app/callbacks/list';
/**
 * Working callback cases (回访, docs/domain.md section 6): listing (list.ts), reading, progress notes,
 * closing with an outcome, and the scheduler's step that makes an uncontacted case overdue
 * (overdue.ts). Opening a case is part of the rating (open-callback.ts).
 *
 * Access (decided in shared/domain/access.ts):
 * - `admin`: every case; a list needs `team` or `region` (there is no index over all teams).
 * - `manager` and `agent`: cases whose team is in the token's teams or whose region is in its
 *   regions; both may add notes and close (the agent calls, the manager reviews). A list without
 *   filter covers every team and region of the token.
 * - `engineer`: nothing (403).
 * A case outside the principal's scope and a case that does not exist answer the same 403 to
 * anyone but an admin, so that ids cannot be probed. Only `agent` and `admin` see the customer's
 * full phone, and only on a single case; lists always show it masked.
 */
export { assertMayWorkCallbacks, type CallbackView };

export async function getCallbackCase(p: Principal, caseId: string): Promise<CallbackView> {
  return view(await caseFor(p, caseId), seesFullPhone(p), true);
}

/**
 * A progress note. The first one records the first contact (`contactedAt`) and takes the case
 * out of the due index, so it never becomes overdue; a case already past its deadline is made
 * overdue first (as the scheduler would have), and stays overdue until closed.
 */
export async function addCallbackNote(
  deps: Deps,
  p: Principal,
  caseId: string,
  note: string,
): Promise<CallbackView> {
  for (let attempt = 1; ; attempt++) {
    const c = await caseFor(p, caseId);
    if (c.status === 'closed') throw new ConflictError('the callback case is closed');
    const at = deps.clock.now();
    if (attempt < 5 && isPastDeadline(c, at)) {
      await markOverdue(deps, c, at);
      continue;
    }
    const entry: CallbackHistoryEntry = { at: at.toISOString(), by: p.subject, action: 'note', note };
    if (await appendNote(caseId, c.status, entry)) return getCallbackCase(p, caseId);
    // closed, or made overdue, since we read it: decide again
    if (attempt >= 5) throw new ConflictError('the callback case changed while the note was added');
  }
}

/**
 * Closes the case with its outcome, once: the case moves to the closed lists, the outcome is
 * recorded on the survey beside the customer's rating (never replacing it), and counted in the
 * aggregates of the survey's day, all in one transaction. A second close answers 409.
 */
export async function closeCallback(
  deps: Deps,
  p: Principal,
  caseId: string,
  input: { outcome: CallbackOutcome; note: string },
): Promise<CallbackView> {
  const c = await caseFor(p, caseId);
  if (c.status === 'closed') throw new ConflictError('the callback case is already closed');
  const at = deps.clock.now();
  // Not contacted by its deadline: it was overdue, whether or not the scheduler has run yet.
  if (isPastDeadline(c, at)) await markOverdue(deps, c, at);
  const entry = {
    at: at.toISOString(),
    by: p.subject,
    action: 'closed' as const,
    outcome: input.outcome,
    note: input.note,
  };
  try {
    await transact([
      ...closeCallbackItems(c, entry),
      ...aggregateUpdates(c.day, c, callbackClosedDelta(input.outcome)),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed) throw new ConflictError('the callback case is already closed');
    throw err;
  }
  logger.info('callback case closed', { caseId, outcome: input.outcome });
  return getCallbackCase(p, caseId);
}
