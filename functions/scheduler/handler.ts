import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { fanOutDue, type InProcessWorkers } from '#shared/app/scheduler/fan-out-due';
import type { DueWorkResult } from '#shared/app/scheduler/run-due-work';
import { acceptInbound } from '#shared/app/sms/inbox';
import { type AcceptInbound, reconcileSms, reconcileTotals } from '#shared/app/sms/reconcile';
import { ConfigError } from '#shared/config/check';
import { type DueQueue, dueQueue } from '#shared/gateways/due-queue';
import { type SmsPuller, smsPullers } from '#shared/gateways/sms-pull';
import { sqsPort } from '#shared/gateways/work-order-queue';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** Time kept back from the function's timeout: an item started just before it can still finish. */
const MARGIN_MS = 15_000;

/** The SMS reconcile of a container: the configured pull sources and the inbox they feed. */
export interface SmsReconcile {
  pullers: readonly SmsPuller[];
  accept: AcceptInbound;
}

/**
 * Every minute: the due work (plan accepted tickets, send due surveys, expire unanswered ones,
 * redeliver pending SMS, ...) fanned out to DUE_WORKERS due workers, one per group of the due
 * index's slots (shared/app/scheduler/fan-out-due.ts): on AWS one message each to the due workers'
 * queue (functions/due-worker), locally run here side by side; and (independently) pull from the
 * SMS providers what their push callbacks may have missed. Workers run here take no new item once
 * the timeout is near; what is left stays due for the next run.
 */
export const scheduler =
  (deps: Deps, sms: SmsReconcile | undefined, due: DueQueue | InProcessWorkers) =>
  async (event: ScheduledEvent, context: Context): Promise<DueWorkResult> => {
    const stopBy = Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS;
    // The rule's time: the same on EventBridge's retries of this tick (the queue's deduplication).
    const tick = event?.time ? new Date(event.time) : undefined;
    const [result, pulled] = await Promise.all([
      fanOutDue(deps, due, { stopBy, ...(tick && !Number.isNaN(tick.getTime()) ? { tick } : {}) }),
      sms && sms.pullers.length > 0 ? reconcileSms(sms.pullers, sms.accept, { stopBy }) : {},
    ]);
    const all = { ...result, ...reconcileTotals(pulled) };
    logger.info('due work done', { ...all });
    return all;
  };

/**
 * The Lambda handler on the given dependencies (the local server and tests build their own);
 * `sms` replaces the configured reconcile (tests). The due workers: `due` when given (locally, the
 * workers in this process: shared/app/scheduler/in-process-workers.ts), else the due workers' queue
 * (DUE_QUEUE_URL), which every deployed stack sets. The in-process workers are not imported here, so
 * the deployed bundle carries none of the due work's code (issue 14, goal 3: cold start).
 */
export const makeHandler = (deps: Deps, sms?: SmsReconcile, due?: DueQueue | InProcessWorkers) => {
  const accept: AcceptInbound = (events) => acceptInbound(deps, events);
  const reconcile = sms ?? { pullers: smsPullers(deps.config), accept };
  const queueUrl = deps.config.DUE_QUEUE_URL;
  const workers = due ?? (queueUrl ? dueQueue(sqsPort(deps.config), queueUrl) : undefined);
  if (!workers) throw new ConfigError(["DUE_QUEUE_URL: required by the scheduler (the due workers' queue)"]);
  return middy(scheduler(deps, reconcile, workers)).use(injectLambdaContext(logger));
};

export const handler = perContainer(depsFromProcessEnv, makeHandler);
