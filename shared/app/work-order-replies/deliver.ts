import type { Deps } from '#shared/app/deps';
import { attemptClaimed } from '#shared/app/work-order-replies/attempt';
import { forwardReply } from '#shared/app/work-order-replies/forward';
import type { WorkOrderReplyItem } from '#shared/store/work-order-reply';
import { claimAttempt } from '#shared/store/work-order-reply-delivery';

/**
 * Delivery of the reply to the work order (回复工单) when it falls due: a Standard Webhooks POST of
 * the closed survey's result to its source's replyUrl (gateways/work-order-http.ts), retried on
 * the schedule of shared/domain/backoff.ts (attempt.ts).
 *
 * Two drivers share the attempt and the bookkeeping:
 * - locally (no WORK_ORDER_QUEUE_URL) the scheduler attempts due replies itself and puts a failed
 *   one back in the due index at its next attempt time (`deliverDirect`);
 * - on AWS the scheduler hands each due reply to the SQS queue once (status 'queued', forward.ts)
 *   and functions/work-order-reply attempts it (consume.ts), retrying through the message's
 *   visibility timeout; a dead reply's message goes on to the queue's DLQ (maxReceiveCount).
 */

/** A direct attempt in flight holds the reply this long; after a crash it is attempted again. */
const LEASE_MS = 5 * 60_000;

/**
 * The scheduler's handler of a due reply (run-due-work's `dueHandlers`): hands it to the queue on
 * AWS, attempts it directly locally.
 */
export async function workOrderReplyDue(deps: Deps, item: WorkOrderReplyItem, at: Date): Promise<string> {
  if (deps.replyQueue) return await forwardReply(item, at, deps.replyQueue);
  return await deliverDirect(deps, item, at);
}

/** One direct attempt of a due pending reply, under a lease. */
export async function deliverDirect(deps: Deps, item: WorkOrderReplyItem, at: Date): Promise<string> {
  if (item.status !== 'pending' || Date.parse(item.nextAttemptAt) > at.getTime()) return 'skipped';
  const claimed = await claimAttempt(item, at, { leaseUntil: new Date(at.getTime() + LEASE_MS) });
  if (!claimed) return 'skipped';
  const outcome = await attemptClaimed(deps, claimed);
  return outcome.kind === 'delivered'
    ? 'repliesDelivered'
    : outcome.kind === 'retry'
      ? 'repliesRetrying'
      : outcome.kind === 'dead'
        ? 'repliesDead'
        : 'skipped';
}
