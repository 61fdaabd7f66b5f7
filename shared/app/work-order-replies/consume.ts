import type { Deps } from '#shared/app/deps';
import { attemptClaimed } from '#shared/app/work-order-replies/attempt';
import type { ReplyQueue } from '#shared/gateways/work-order-queue';
import { logger } from '#shared/runtime/log';
import { getReply, type WorkOrderReplyItem } from '#shared/store/work-order-reply';
import { claimAttempt } from '#shared/store/work-order-reply-delivery';

/**
 * The queue consumer's use case (AWS, functions/work-order-reply): one delivery attempt per
 * message. A message whose attempt failed is made visible again when the next attempt is due (its
 * visibility timeout set to the backoff delay); a dead reply's message is made visible at once and
 * kept until SQS moves it to the DLQ (maxReceiveCount).
 */

/** What the consumer does with one message. */
export type MessageDecision =
  /** Delete it: delivered, or nothing (left) to do. */
  | { kind: 'done'; outcome: string }
  /** Keep it, invisible for this long, for the next attempt. */
  | { kind: 'retry'; delayMs: number }
  /** Keep it, visible at once, so that SQS moves it to the DLQ (maxReceiveCount). */
  | { kind: 'deadLetter' };

export interface ReceivedReply {
  surveyId: string;
  messageId: string;
  /** SQS's ApproximateReceiveCount of this delivery of the message. */
  receiveCount: number;
}

/** One message of the queue: one attempt of the reply it names, and what to do with the message. */
export async function handleReplyMessage(
  deps: Deps,
  msg: ReceivedReply,
  maxReceives: number,
): Promise<MessageDecision> {
  const at = deps.clock.now();
  let item = await getReply(msg.surveyId);
  let claimed: WorkOrderReplyItem | undefined;
  for (let tries = 0; tries < 3 && !claimed; tries++) {
    if (!item) {
      logger.warn('work-order reply message for an unknown reply', { surveyId: msg.surveyId });
      return { kind: 'done', outcome: 'unknown' };
    }
    if (item.status === 'delivered') return { kind: 'done', outcome: 'delivered' };
    if (item.ownerMessageId && item.ownerMessageId !== msg.messageId)
      return { kind: 'done', outcome: 'duplicate' };
    if (item.status === 'dead') return { kind: 'deadLetter' };
    claimed = await claimAttempt(item, at, { messageId: msg.messageId });
    if (!claimed) item = await getReply(msg.surveyId);
  }
  if (!claimed) return { kind: 'retry', delayMs: 60_000 };
  const outcome = await attemptClaimed(deps, claimed, msg.receiveCount >= maxReceives);
  switch (outcome.kind) {
    case 'delivered':
      return { kind: 'done', outcome: 'delivered' };
    case 'retry':
      return { kind: 'retry', delayMs: Math.max(0, outcome.at.getTime() - deps.clock.now().getTime()) };
    case 'dead':
      return { kind: 'deadLetter' };
    case 'lost':
      return { kind: 'retry', delayMs: 60_000 };
  }
}

/**
 * Handles one received message and sets its visibility for what follows; true when the message
 * is done with (to be deleted), false when it stays on the queue (a batch item failure).
 */
export async function consumeReply(
  deps: Deps,
  msg: ReceivedReply & { receiptHandle: string },
  maxReceives: number,
  queue: ReplyQueue,
): Promise<boolean> {
  const decision = await handleReplyMessage(deps, msg, maxReceives);
  if (decision.kind === 'done') return true;
  const seconds = decision.kind === 'retry' ? Math.ceil(decision.delayMs / 1000) : 0;
  try {
    await queue.showAgainIn(msg.receiptHandle, seconds);
  } catch (err) {
    // The message still comes back, after the queue's own visibility timeout.
    logger.warn('could not set the message visibility', { messageId: msg.messageId, error: err as Error });
  }
  return false;
}
