import { overdueAlert, overdueAlertId } from '#shared/app/callbacks/alerts';
import type { Deps } from '#shared/app/deps';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { isPastDeadline } from '#shared/domain/callbacks';
import { callbackOverdueDelta } from '#shared/domain/counters';
import { aggregateUpdates } from '#shared/store/aggregate';
import { type CallbackCase, markOverdueItem } from '#shared/store/callback';
import { putAlert } from '#shared/store/outbox';
import { TxConditionFailed, transact } from '#shared/store/tx';

/**
 * Makes an uncontacted open case overdue, once: status and lists move to overdue, the case leaves
 * the due index, the engineer's day counts it, and one escalation alert to the region level is
 * queued in the same transaction. False when someone got there first (contact, close, overdue).
 */
export async function markOverdue(deps: Deps, c: CallbackCase, at: Date): Promise<boolean> {
  const alertId = overdueAlertId(c.caseId);
  try {
    await transact([
      markOverdueItem(c, at),
      ...aggregateUpdates(c.day, c, callbackOverdueDelta()),
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
