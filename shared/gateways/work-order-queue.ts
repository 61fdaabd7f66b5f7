import { type ChangeMessageVisibilityCommand, type SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config } from '#shared/config/config';

/**
 * The SQS side of the reply to the work order (AWS only): the scheduler sends one message per
 * due reply (`{ surveyId }`, ids only), functions/work-order-reply consumes them. The port is the
 * one thing tests replace (SQS has no local stand-in here).
 */
export interface SqsPort {
  send(command: SendMessageCommand | ChangeMessageVisibilityCommand): Promise<unknown>;
}

/** One client per container; only created where the queue is configured. */
export const sqs: SqsPort | undefined = config.WORK_ORDER_QUEUE_URL
  ? new SQSClient({ region: config.AWS_REGION, maxAttempts: 4 })
  : undefined;

/** What a queue message carries: ids only (the reply itself stays in the table). */
export interface ReplyMessage {
  surveyId: string;
}
