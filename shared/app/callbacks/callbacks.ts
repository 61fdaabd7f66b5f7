import { escalatedAlert, escalatedAlertId } from '#shared/app/callbacks/alerts';
import { caseAggregateUpdates } from '#shared/app/callbacks/case-counts';
import { caseSms } from '#shared/app/callbacks/case-sms';
import { markOverdue } from '#shared/app/callbacks/overdue';
import { assertMayWorkCallbacks, type CallbackView, caseFor, view } from '#shared/app/callbacks/view';
import type { Deps } from '#shared/app/deps';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { mayReviewCases, seesFullPhone } from '#shared/domain/access';
import { contactDeadline, isPastDeadline } from '#shared/domain/callbacks';
import {
  CLOSABLE_STATUSES,
  closeStep,
  isReviewable,
  needsContactBeforeClose,
} from '#shared/domain/case-loop';
import { callbackClosedDelta } from '#shared/domain/counters';
import { ConflictError, ForbiddenError } from '#shared/domain/errors';
import type { CallbackOutcome } from '#shared/domain/types';
import type { Principal } from '#shared/http/auth';
import { logger } from '#shared/runtime/log';
import {
  addCallbackNote as appendNote,
  approveReviewItems,
  type CallbackCase,
  type CallbackHistoryEntry,
  closeCallbackItems,
  escalateItem,
  getCallback,
  rejectReviewItem,
  returnToHandlingItem,
  submitForReviewItem,
} from '#shared/store/callback';
import { putAlert } from '#shared/store/outbox';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';

export { type ListPage, type ListQuery, listCallbacks } from '#shared/app/callbacks/list';
/**
 * Working callback cases (回访, docs/domain.md section 6): listing (list.ts), reading, progress notes,
 * closing with an outcome, and the scheduler's step that makes an uncontacted case overdue
 * (overdue.ts). Opening a case is part of the rating (open-callback.ts).
 *
 * Access (decided in shared/domain/access.ts):
 * - `admin`: every case; a list without `team` or `region` lists every case (gsi4, sharded).
 * - `manager` and `agent`: cases whose team is in the token's teams or whose region is in its
 *   regions; both may add notes and close (the agent calls); only the manager (and the admin)
 *   reviews a complaint an agent closed (`reviewCallback`). A list without
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

/** What the loser of two racing changes is told. */
const CHANGED_MEANWHILE =
  'the callback case was changed by someone else meanwhile (closed, reviewed or returned to handling): reload it and decide again';

/**
 * Closes the case with its outcome (the loop: domain/case-loop.ts `closeStep`), all in one
 * conditional transaction on the case's version:
 * - `resolved_unsatisfied` (any kind of case): back to handling (`in_progress`), a new contact
 *   deadline, the next round; in the last of `callbacks.maxRounds` rounds it is escalated to the
 *   region instead (`escalated`, an alert to the region). An escalated case's close ends it.
 * - otherwise a complaint waits for a manager's review (`pending_review`, the outcome proposed);
 * - any other case is closed for good: the outcome recorded on the survey beside the customer's
 *   rating (never replacing it) and counted in the aggregates of the survey's day.
 * A closed case, or one waiting for review, answers 409, and so does one returned to handling or
 * escalated that nobody contacted since (domain/case-loop.ts `needsContactBeforeClose`: a repeated
 * close never burns a round); of two racing closes one wins, the other 409.
 */
export async function closeCallback(
  deps: Deps,
  p: Principal,
  caseId: string,
  input: { outcome: CallbackOutcome; note: string },
): Promise<CallbackView> {
  let c = await caseFor(p, caseId);
  const at = deps.clock.now();
  // Not contacted by its deadline: it was overdue, whether or not the scheduler has run yet.
  if (isPastDeadline(c, at)) {
    await markOverdue(deps, c, at);
    c = await caseFor(p, caseId);
  }
  assertClosable(c);
  const step = closeStep(c, input.outcome, deps.rules);
  const entry = { at: at.toISOString(), by: p.subject, outcome: input.outcome, note: input.note };
  const from = CLOSABLE_STATUSES;
  let items: TxItem[];
  let alertId: string | undefined;
  switch (step.kind) {
    case 'closed':
      items = [
        ...(await closeCallbackItems(c, { ...entry, action: 'closed' }, from)),
        ...caseAggregateUpdates(c, callbackClosedDelta(input.outcome, c.caseKind)),
      ];
      break;
    case 'pending_review':
      items = [submitForReviewItem(c, { ...entry, action: 'submitted' }, from)];
      break;
    case 'returned':
      items = [
        returnToHandlingItem(
          c,
          { ...entry, action: 'returned', round: step.round },
          from,
          contactDeadline(deps.rules, at),
          step.round,
        ),
      ];
      break;
    case 'escalated':
      alertId = escalatedAlertId(c);
      items = [
        escalateItem(c, { ...entry, action: 'escalated', round: c.round ?? 1 }, from),
        putAlert(alertId, escalatedAlert(c, c.round ?? 1), at),
      ];
      break;
  }
  await transactOr409(items, caseId);
  logger.info('callback case closed', { caseId, outcome: input.outcome, step: step.kind });
  if (alertId) await deliverOutbox(deps, alertId);
  return getCallbackCase(p, caseId);
}

function assertClosable(c: CallbackCase): void {
  if (c.status === 'closed') throw new ConflictError('the callback case is already closed');
  if (c.status === 'pending_review') {
    throw new ConflictError("the complaint is already closed by an agent and waits for a manager's review");
  }
  if (!CLOSABLE_STATUSES.includes(c.status)) throw new ConflictError(CHANGED_MEANWHILE);
  if (needsContactBeforeClose(c)) {
    throw new ConflictError(
      c.status === 'escalated'
        ? 'the case was escalated to the region: record its contact (a note) before closing it'
        : 'the case was returned to handling: record the new contact (a note) before closing it again',
    );
  }
}

/** The change, or 409 naming what happened when someone else changed the case first. */
async function transactOr409(items: TxItem[], caseId: string): Promise<void> {
  try {
    await transact(items);
  } catch (err) {
    if (!(err instanceof TxConditionFailed)) throw err;
    const now = await getCallback(caseId);
    if (now?.status === 'closed') throw new ConflictError('the callback case is already closed');
    throw new ConflictError(CHANGED_MEANWHILE);
  }
}

/**
 * A manager's (or admin's) review of a complaint whose handling an agent closed (003: 经理审查):
 * `approve` closes it for good with the proposed outcome (recorded on the survey, counted as a
 * callback and a complaint closed) and texts the customer the result (`complaint_result`, out of
 * the quiet hours, delivered by the scheduler); otherwise it goes back to handling (`in_progress`,
 * a new contact deadline). Agents and engineers: 403. Only a case in `pending_review` can be
 * reviewed (409 otherwise); of two racing reviews one wins, the other 409.
 */
export async function reviewCallback(
  deps: Deps,
  p: Principal,
  caseId: string,
  input: { approve: boolean; note: string },
): Promise<CallbackView> {
  if (!mayReviewCases(p)) throw new ForbiddenError();
  const c = await caseFor(p, caseId);
  if (!isReviewable(c.status)) {
    throw new ConflictError(
      c.status === 'closed'
        ? 'the callback case is already closed'
        : 'only a complaint closed by an agent (status pending_review) can be reviewed',
    );
  }
  const at = deps.clock.now();
  const base = { at: at.toISOString(), by: p.subject, note: input.note };
  const outcome = c.proposedOutcome;
  if (input.approve && outcome) {
    await transactOr409(
      [
        ...(await approveReviewItems(c, { ...base, action: 'approved', outcome })),
        ...caseAggregateUpdates(c, callbackClosedDelta(outcome, c.caseKind)),
        ...caseSms(deps.rules, c, resultSmsId(caseId), 'complaint_result', at),
      ],
      caseId,
    );
  } else {
    await transactOr409(
      [rejectReviewItem(c, { ...base, action: 'rejected' }, contactDeadline(deps.rules, at))],
      caseId,
    );
  }
  logger.info('complaint reviewed', { caseId, approved: input.approve });
  return getCallbackCase(p, caseId);
}

/** The result SMS of a complaint: one per case (a case is closed once). */
export const resultSmsId = (caseId: string) => `${caseId}#result`;
