import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '#shared/log';
import { type DueWorkResult, runDueWork } from '#shared/usecases/run-due-work';

/** Every minute: send due surveys, expire unanswered ones, redeliver pending SMS. */
export const scheduler = async (_event: ScheduledEvent): Promise<DueWorkResult> => {
  const result = await runDueWork();
  logger.info('due work done', { ...result });
  return result;
};

export const handler = middy(scheduler).use(injectLambdaContext(logger));
