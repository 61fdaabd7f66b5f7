import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { type DueWorkResult, runDueSlots, sumDueWork } from '#shared/app/scheduler/run-due-work';
import { perContainer } from '#shared/runtime/container';
import { lazy } from '#shared/runtime/lazy';
import { logger } from '#shared/runtime/log';
import * as z from '#shared/runtime/zod';
import { DUE_SLOTS } from '#shared/store/due';

/** Time kept back from the function's timeout: an item started just before it can still finish. */
const MARGIN_MS = 15_000;

const messageSchema = lazy(() =>
  z.object({
    slots: z
      .array(z.int().check(z.gte(0), z.lte(DUE_SLOTS - 1)))
      .check(z.minLength(1), z.maxLength(DUE_SLOTS)),
    tick: z.optional(z.string().check(z.maxLength(40))),
    group: z.optional(z.string().check(z.maxLength(20))),
  }),
);

/**
 * A due worker (AWS: the consumer of the due workers' FIFO queue, one message per slot group and
 * tick from the scheduler, shared/app/scheduler/fan-out-due.ts): reads the message's slots of the
 * due index until nothing in them is due now or its time is nearly up (`runDueSlots`), and with
 * DUE_FOLLOW_SECONDS again every so many seconds until then. Items that
 * fail are logged and stay due (a later run takes them); a message that cannot be read is dropped
 * with an error (the next tick's message covers its slots); a read of the index that fails is
 * reported as the message's failure and SQS gives it again.
 */
export const dueWorker =
  (deps: Deps) =>
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const stopBy = Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS;
    const failures: string[] = [];
    const results: DueWorkResult[] = [];
    for (const record of event.Records) {
      // A FIFO queue: after a failure, the rest of the batch goes back too, in order.
      if (failures.length > 0) {
        failures.push(record.messageId);
        continue;
      }
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {}
      const msg = messageSchema().safeParse(body);
      if (!msg.success) {
        logger.error('malformed due work message dropped', { messageId: record.messageId });
        continue;
      }
      try {
        const followEveryMs = deps.config.DUE_FOLLOW_SECONDS * 1000;
        results.push(await runDueSlots(deps, { slots: msg.data.slots, stopBy, followEveryMs }));
      } catch (err) {
        logger.error('due worker could not read its slots; SQS will retry', {
          messageId: record.messageId,
          group: msg.data.group,
          error: err as Error,
        });
        failures.push(record.messageId);
      }
    }
    const result = sumDueWork(results);
    logger.info('due work done', { ...result });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(dueWorker(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
