import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { consumeReply } from '#shared/app/work-order-replies/consume';
import { replyQueueMaxReceives } from '#shared/domain/backoff';
import type { ReplyQueue } from '#shared/gateways/work-order-queue';
import { perContainer } from '#shared/runtime/container';
import { lazy } from '#shared/runtime/lazy';
import { logger } from '#shared/runtime/log';
import * as z from '#shared/runtime/zod';

const messageSchema = lazy(() => z.object({ surveyId: z.string().check(z.minLength(1), z.maxLength(200)) }));

function parseMessage(body: string): z.infer<ReturnType<typeof messageSchema>> | undefined {
  try {
    const msg = messageSchema().safeParse(JSON.parse(body));
    return msg.success ? msg.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Consumer of the work-order replies queue (AWS): each message is parsed and handed to the use
 * case (shared/app/work-order-replies/consume.ts), which makes one delivery attempt and sets the
 * message's visibility for the next. A message not done with is reported as a batch item failure;
 * so is one that cannot be read (it goes to the DLQ for a person to look at) and one whose attempt
 * threw (table or secret trouble: SQS retries after the queue's visibility timeout).
 */
export function consumeReplies(deps: Deps, maxReceives = replyQueueMaxReceives()) {
  async function one(queue: ReplyQueue, record: SQSRecord): Promise<boolean> {
    const msg = parseMessage(record.body);
    if (!msg) {
      logger.error('malformed work-order reply message', { messageId: record.messageId });
      return false;
    }
    try {
      return await consumeReply(
        deps,
        {
          surveyId: msg.surveyId,
          messageId: record.messageId,
          receiptHandle: record.receiptHandle,
          receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        },
        maxReceives,
        queue,
      );
    } catch (err) {
      logger.error('work-order reply attempt failed', { messageId: record.messageId, error: err as Error });
      return false;
    }
  }

  // Checked on each invocation, as a container without the queue would fail its first message.
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const queue = deps.replyQueue;
    if (!queue) throw new Error('WORK_ORDER_QUEUE_URL is not set');
    const done = await Promise.all(event.Records.map((record) => one(queue, record)));
    return {
      batchItemFailures: event.Records.filter((_, i) => !done[i]).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    };
  };
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(consumeReplies(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
