import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { processInbox } from '#shared/app/sms/inbox';
import type { InboxItem } from '#shared/store/sms-inbox';

/**
 * A provider's push (replies, receipts) accepted and not handled yet, or a receipt waiting for our
 * record of its send: handled now (the guarantee behind the fast path). Skipped while the fast
 * path holds it; it stays due and the next run takes it.
 */
export async function smsInboxDue(deps: Deps, item: InboxItem): Promise<Outcome> {
  if (item.status !== 'pending') return 'skipped';
  return processInbox(deps, item.batchId);
}
