import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { handleReplyMessage, type MessageDecision } from '#shared/app/work-order-replies/deliver';
import { config } from '#shared/config/config';
import { replyQueueMaxReceives } from '#shared/domain/backoff';
import { type SqsPort, sqs } from '#shared/gateways/work-order-queue';
import { logger } from '#shared/runtime/log';

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;

const messageSchema = z.object({ surveyId: z.string().min(1).max(200) });

/**
 * Consumer of the work-order replies queue (AWS): one delivery attempt per message. A message
 * whose attempt failed is reported as a batch item failure with its visibility timeout set to the
 * backoff delay, so SQS hands it back when the next attempt is due; a dead reply's message is made
 * visible at once and reported failed until SQS moves it to the DLQ (maxReceiveCount).
 */
export function consumeReplies(port: SqsPort, queueUrl: string, maxReceives = replyQueueMaxReceives()) {
  async function one(record: SQSRecord): Promise<boolean> {
    let decision: MessageDecision;
    try {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
      const msg = messageSchema.safeParse(body);
      if (!msg.success) {
        // Nothing can make it deliverable: it goes to the DLQ for a person to look at.
        logger.error('malformed work-order reply message', { messageId: record.messageId });
        return false;
      }
      decision = await handleReplyMessage(
        {
          surveyId: msg.data.surveyId,
          messageId: record.messageId,
          receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        },
        maxReceives,
      );
    } catch (err) {
      // Table or secret trouble: SQS retries after the queue's visibility timeout.
      logger.error('work-order reply attempt failed', { messageId: record.messageId, error: err as Error });
      return false;
    }
    if (decision.kind === 'done') return true;
    const seconds =
      decision.kind === 'retry' ? Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(decision.delayMs / 1000)) : 0;
    try {
      await port.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (err) {
      // The message still comes back, after the queue's own visibility timeout.
      logger.warn('could not set the message visibility', {
        messageId: record.messageId,
        error: err as Error,
      });
    }
    return false;
  }

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const results = await Promise.all(event.Records.map(async (r) => ((await one(r)) ? undefined : r)));
    const batchItemFailures: SQSBatchItemFailure[] = results
      .filter((r): r is SQSRecord => r !== undefined)
      .map((r) => ({ itemIdentifier: r.messageId }));
    return { batchItemFailures };
  };
}

export const workOrderReply = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!sqs || !config.WORK_ORDER_QUEUE_URL) throw new Error('WORK_ORDER_QUEUE_URL is not set');
  return await consumeReplies(sqs, config.WORK_ORDER_QUEUE_URL)(event);
};

export const handler = middy(workOrderReply).use(injectLambdaContext(logger));
