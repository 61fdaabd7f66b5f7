import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import type { SmsItem } from '#shared/store/outbox';

/**
 * A pending SMS or alert whose first delivery failed (or never ran): delivered again. One whose
 * lease still holds (a worker is sending it: the step that wrote it, or another run) is left to
 * that worker: not a failure, and no lease attempt.
 */
export async function smsDue(deps: Deps, item: SmsItem): Promise<Outcome> {
  if (item.status !== 'pending') return 'skipped';
  if (item.leaseUntil !== undefined && item.leaseUntil > Date.now()) return 'skipped';
  return (await deliverOutbox(deps, item.smsId)) ? 'smsDelivered' : 'failed';
}
