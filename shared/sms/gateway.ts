import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '#shared/clock';
import { config } from '#shared/config';
import { ddb, TABLE } from '#shared/db/client';
import { newId } from '#shared/ids';
import { smsSegments } from '#shared/sms/segments';

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
  const sentAt = now().toISOString();
  const seq = process.hrtime.bigint().toString().padStart(20, '0');
  await ddb.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        pk: OUTBOX_PK,
        sk: `${sentAt}#${seq}`,
        messageId,
        to,
        body,
        segments: smsSegments(body),
        sentAt,
      },
    }),
  );
  return { messageId };
}

/** Local only: every SMS the outbox gateway has sent, oldest first. */
export async function listOutbox(phone?: string): Promise<OutboxEntry[]> {
  const out: OutboxEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': OUTBOX_PK, ...(phone ? { ':to': phone } : {}) },
        ...(phone ? { FilterExpression: '#to = :to', ExpressionAttributeNames: { '#to': 'to' } } : {}),
        ExclusiveStartKey: start,
      }),
    );
    for (const it of res.Items ?? []) {
      out.push({
        messageId: it.messageId,
        to: it.to,
        body: it.body,
        segments: it.segments,
        sentAt: it.sentAt,
      });
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}
