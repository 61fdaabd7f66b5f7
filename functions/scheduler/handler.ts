import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { type DueWorkResult, runDueWork } from '#shared/app/scheduler/run-due-work';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** Time kept back from the function's timeout: an item started just before it can still finish. */
const MARGIN_MS = 15_000;

/**
 * Every minute: plan accepted tickets, send due surveys, expire unanswered ones, redeliver pending
 * SMS. Takes no new item once the timeout is near; what is left stays due for the next run.
 */
export const scheduler =
  (deps: Deps) =>
  async (_event: ScheduledEvent, context: Context): Promise<DueWorkResult> => {
    const result = await runDueWork(deps, {
      stopBy: Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS,
    });
    logger.info('due work done', { ...result });
    return result;
  };

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(scheduler(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
