import { overdueAlert, overdueAlertId } from '#shared/app/callbacks/alerts';
import { caseAggregateUpdates } from '#shared/app/callbacks/case-counts';
import type { Deps } from '#shared/app/deps';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { isPastDeadline } from '#shared/domain/callbacks';
import { callbackOverdueDelta } from '#shared/domain/counters';
import { type CallbackCase, markOverdueItem } from '#shared/store/callback';
import { putAlert } from '#shared/store/outbox';
import { TxConditionFailed, transact } from '#shared/store/tx';

/**
 * Makes a case awaiting its contact (`open`, or `in_progress` after a return to handling)
 * overdue, once per round: status and lists move to overdue, the case leaves the due index, and
 * one escalation alert to the region level is queued in the same transaction. The engineer's day
 * counts it the first time the case goes overdue only (a case is overdue-counted once, however
 * many rounds it is late in). False when someone got there first (contact, close, overdue).
 */
export async function markOverdue(deps: Deps, c: CallbackCase, at: Date): Promise<boolean> {
  const alertId = overdueAlertId(c);
  try {
    await transact([
      markOverdueItem(c, at),
      ...(c.overdueAt ? [] : caseAggregateUpdates(c, callbackOverdueDelta(c.caseKind))),
      putAlert(alertId, overdueAlert(c, deps.rules), at),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed) return false;
    throw err;
  }
  await deliverOutbox(deps, alertId);
  return true;
}

/** The scheduler's step for a callback case in the due index (see run-due-work.ts). */
export async function callbackDue(deps: Deps, item: CallbackCase, at: Date): Promise<string> {
  if (!isPastDeadline(item, at)) return 'skipped';
  return (await markOverdue(deps, item, at)) ? 'callbacksOverdue' : 'skipped';
}
