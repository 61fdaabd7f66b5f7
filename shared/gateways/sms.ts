import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { config } from '#shared/config/config';
import { smsSegments } from '#shared/domain/sms/segments';
import { now } from '#shared/runtime/clock';
import { newId } from '#shared/runtime/ids';
import { appendLocal, listLocal } from '#shared/store/local-log';

/**
 * The one way out for SMS. On AWS: SNS Publish straight to the phone number, Transactional.
 * Locally (SMS_GATEWAY=outbox): the message is kept in the local outbox (GET /local/sms/outbox).
 */
export interface OutboxEntry {
  messageId: string;
  to: string;
  body: string;
  segments: number;
  sentAt: string;
}

const sns = config.SMS_GATEWAY === 'sns' ? new SNSClient({ region: config.AWS_REGION }) : undefined;

const OUTBOX_PK = 'LOCAL#OUTBOX';

export async function sendSms(to: string, body: string): Promise<{ messageId: string }> {
  if (sns) {
    const res = await sns.send(
      new PublishCommand({
        PhoneNumber: to,
        Message: body,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        },
      }),
    );
    if (!res.MessageId) throw new Error('SNS returned no MessageId');
    return { messageId: res.MessageId };
  }
  const messageId = newId();
  await appendLocal(OUTBOX_PK, {
    messageId,
    to,
    body,
    segments: smsSegments(body),
    sentAt: now().toISOString(),
  });
  return { messageId };
}

/** Local only: every SMS the outbox gateway has sent, oldest first. */
export async function listOutbox(phone?: string): Promise<OutboxEntry[]> {
  return (await listLocal(OUTBOX_PK, phone)).map((it) => ({
    messageId: it.messageId as string,
    to: it.to as string,
    body: it.body as string,
    segments: it.segments as number,
    sentAt: it.sentAt as string,
  }));
}
