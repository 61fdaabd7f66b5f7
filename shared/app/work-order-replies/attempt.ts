import type { Deps } from '#shared/app/deps';
import { replyBody } from '#shared/app/work-order-replies/reply-body';
import { nextAttemptAt } from '#shared/domain/backoff';
import type { PostResult } from '#shared/gateways/work-order-http';
import { logger } from '#shared/runtime/log';
import type { WorkOrderReplyItem } from '#shared/store/work-order-reply';
import { recordDead, recordDelivered, recordRetry } from '#shared/store/work-order-reply-delivery';

/**
 * One attempt of a reply to the work order, already claimed (store/work-order-reply-delivery.ts
 * `claimAttempt`), and its bookkeeping, shared by both drivers (the scheduler locally, the queue
 * consumer on AWS): a 2xx delivers it; a failure is retried on the schedule of
 * shared/domain/backoff.ts for 24 hours from the first attempt, then the reply is dead (kept,
 * with its last error); a permanent failure (gateways/work-order-http.ts) is dead at once.
 */
export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; at: Date }
  | { kind: 'dead'; error: string }
  /** Someone else took the reply over meanwhile (a lapsed lease): their result stands. */
  | { kind: 'lost' };

/** POSTs the claimed reply and records the result. */
export async function attemptClaimed(
  deps: Pick<Deps, 'clock' | 'workOrderHttp'>,
  claimed: WorkOrderReplyItem,
  lastChance = false,
): Promise<AttemptOutcome> {
  const result = await deps.workOrderHttp.post({
    source: claimed.source,
    url: claimed.url,
    webhookId: claimed.webhookId,
    body: replyBody(claimed.payload),
  });
  return await record(deps.clock.now(), claimed, result, lastChance);
}

/**
 * Records the result of the claimed attempt. `lastChance`: no further attempt will be made
 * whatever the schedule says (SQS is about to dead-letter the message).
 */
async function record(
  at: Date,
  claimed: WorkOrderReplyItem,
  result: PostResult,
  lastChance: boolean,
): Promise<AttemptOutcome> {
  const surveyId = claimed.payload.surveyId;
  const log = { surveyId, source: claimed.source, attempts: claimed.attempts };
  if (result.ok) {
    await recordDelivered(claimed, at);
    logger.info('work-order reply delivered', log);
    return { kind: 'delivered' };
  }
  const firstAt = new Date(claimed.firstAttemptAt ?? claimed.lastAttemptAt ?? at.toISOString());
  const next =
    result.permanent || lastChance ? undefined : nextAttemptAt(firstAt, claimed.attempts, at, Math.random());
  if (next) {
    if (!(await recordRetry(claimed, next, result.error))) return { kind: 'lost' };
    logger.warn('work-order reply failed; will retry', {
      ...log,
      error: result.error,
      nextAttemptAt: next.toISOString(),
    });
    return { kind: 'retry', at: next };
  }
  const why = result.permanent
    ? `${result.error} (not retried)`
    : lastChance
      ? `${result.error} (out of deliveries)`
      : `${result.error} (retried for 24 hours)`;
  if (!(await recordDead(claimed, at, why))) return { kind: 'lost' };
  logger.error('work-order reply dead', { ...log, error: why });
  return { kind: 'dead', error: why };
}
