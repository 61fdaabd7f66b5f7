import type { SqsPort } from '#shared/gateways/work-order-queue';

/**
 * The due workers' queue (AWS only): an SQS FIFO queue, one message per slot group and tick
 * (`{ slots, tick }`), consumed by functions/due-worker. The message group is the slot group, so
 * SQS hands a group's messages to one worker at a time, in order; the deduplication id is the tick
 * (the schedule event's time, the same on a retry) and the group, so a retried scheduler run sends
 * nothing twice within SQS's five-minute window.
 */
export interface DueWorkMessage {
  /** The due index's slots this worker reads. */
  slots: number[];
  /** The scheduler run (ISO time) that sent it. */
  tick: string;
  /** The slot group, e.g. `3of8` (the FIFO message group). */
  group: string;
}

export interface DueQueue {
  /** Sends the messages (all of them, or throws). */
  sendAll(messages: readonly DueWorkMessage[]): Promise<void>;
}

export function dueQueue(port: SqsPort, queueUrl: string): DueQueue {
  return {
    async sendAll(messages) {
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await Promise.all(
        messages.map((m) =>
          port.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: JSON.stringify(m),
              MessageGroupId: m.group,
              // ISO time, '#', group: characters SQS allows, under its 128.
              MessageDeduplicationId: `${m.tick}#${m.group}`,
            }),
          ),
        ),
      );
    },
  };
}
