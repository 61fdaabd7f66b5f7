import type { ReplyQueue } from '#shared/gateways/work-order-queue';
import type { WorkOrderReplyItem } from '#shared/store/work-order-reply';
import {
  markQueued,
  renewQueued,
  unmarkQueued,
  waitsInDueIndex,
} from '#shared/store/work-order-reply-delivery';

/** A reply handed to the queue and never received by the consumer is sent again after this. */
export const QUEUE_WATCHDOG_MS = 15 * 60_000;

/**
 * Hands a due reply to the queue (AWS): marked 'queued' first (conditionally, so one run sends
 * it), then one message with its id. If the send fails the mark is undone and the next run tries
 * again; if the process dies in between, the watchdog entry in the due index sends it again
 * (a duplicate message is dropped by the consumer: the first message to claim the reply owns it).
 */
export async function forwardReply(item: WorkOrderReplyItem, at: Date, queue: ReplyQueue): Promise<string> {
  const watchdogAt = new Date(at.getTime() + QUEUE_WATCHDOG_MS);
  let outcome: string;
  if (item.status === 'pending' && Date.parse(item.nextAttemptAt) <= at.getTime()) {
    if (!(await markQueued(item, at, watchdogAt))) return 'skipped';
    outcome = 'repliesQueued';
  } else if (
    item.status === 'queued' &&
    !item.ownerMessageId &&
    waitsInDueIndex(item) &&
    Date.parse(item.queuedAt ?? '') + QUEUE_WATCHDOG_MS <= at.getTime()
  ) {
    if (!(await renewQueued(item, at, watchdogAt))) return 'skipped';
    outcome = 'repliesRequeued';
  } else {
    return 'skipped';
  }
  try {
    await queue.send({ surveyId: item.payload.surveyId });
  } catch (err) {
    await unmarkQueued(item, watchdogAt, at);
    throw err;
  }
  return outcome;
}
