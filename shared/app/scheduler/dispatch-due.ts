import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { dispatchAlert, dispatchAlertId } from '#shared/app/tickets/dispatch-alerts';
import { dueDispatchAlert } from '#shared/domain/dispatch-alerts';
import {
  awaitsAlert,
  cancelDispatchAlertsNow,
  type DispatchItem,
  recordDispatchAlert,
} from '#shared/store/dispatch';
import { putAlert } from '#shared/store/outbox';
import { noCompletionYet } from '#shared/store/ticket';
import { TxConditionFailed, transact } from '#shared/store/tx';

/**
 * The scheduler's step for a dispatch in the due index (see run-due-work.ts): the alert it waits
 * for, if due (domain/dispatch-alerts.ts `dueDispatchAlert`), queued in the outbox in one
 * transaction with its record on the dispatch, conditional on the ticket having no completion. A
 * completion that exists by then cancels the alerts still to come instead: nothing is sent.
 * Running twice sends each alert once (the record is conditional on the alert waited for).
 */
export async function dispatchDue(deps: Deps, item: DispatchItem, at: Date): Promise<Outcome> {
  if (!awaitsAlert(item) || item.response.repairLimitHours === null) return 'skipped';
  const kind = dueDispatchAlert(
    item.alerts as 'half_time' | 'limit_exceeded',
    item.dispatch.reportedAt,
    item.response.repairLimitHours,
    at,
  );
  if (!kind) return 'skipped';
  const alertId = dispatchAlertId(item, kind);
  try {
    await transact([
      noCompletionYet(item.dispatch.source, item.dispatch.ticketId),
      recordDispatchAlert(item, kind, at),
      putAlert(alertId, dispatchAlert(item, kind, deps.rules), at),
    ]);
  } catch (err) {
    if (!(err instanceof TxConditionFailed)) throw err;
    if (!err.failed.includes(0)) return 'skipped'; // another run recorded it first
    return (await cancelDispatchAlertsNow(item, at)) ? 'dispatchAlertsCancelled' : 'skipped';
  }
  await deliverOutbox(deps, alertId);
  return kind === 'half_time' ? 'halfTimeAlerts' : 'limitExceededAlerts';
}
