import type { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '#shared/config/config';

/**
 * The SQS side of the reply to the work order (AWS only): the scheduler sends one message per
 * due reply (`{ surveyId }`, ids only), functions/work-order-reply consumes them. The port is the
 * one thing tests replace (SQS has no local stand-in here). The SDK is loaded on first use.
 */
export interface SqsPort {
  send(command: SendMessageCommand | ChangeMessageVisibilityCommand): Promise<unknown>;
}

/** The SQS client (once per container, by the composition root; created on the first send). */
export function sqsPort(config: Pick<Config, 'AWS_REGION'>): SqsPort {
  let client: Promise<SQSClient> | undefined;
  return {
    async send(command) {
      client ??= import('@aws-sdk/client-sqs').then(
        (m) => new m.SQSClient({ region: config.AWS_REGION, maxAttempts: 4 }),
      );
      return await (await client).send(command as SendMessageCommand);
    },
  };
}

/** What a queue message carries: ids only (the reply itself stays in the table). */
export interface ReplyMessage {
  surveyId: string;
}

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;

/** The replies' queue as the use cases see it. */
export interface ReplyQueue {
  /** Sends one message naming the reply. */
  send(message: ReplyMessage): Promise<void>;
  /** Makes a received message visible again after `seconds` (capped at 12 hours; 0 = at once). */
  showAgainIn(receiptHandle: string, seconds: number): Promise<void>;
}

export function replyQueue(port: SqsPort, queueUrl: string): ReplyQueue {
  return {
    async send(message) {
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await port.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
    },
    async showAgainIn(receiptHandle, seconds) {
      const { ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
      await port.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, seconds),
        }),
      );
    },
  };
}
