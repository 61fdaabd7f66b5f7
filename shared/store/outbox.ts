import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { maskPhone } from '#shared/domain/phone';
import type { TemplateId } from '#shared/domain/sms/templates';
import { type Alert, publishAlert } from '#shared/gateways/alerts';
import { sendSms } from '#shared/gateways/sms';
import { logger } from '#shared/runtime/log';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { customerKeys, retentionTtl } from '#shared/store/retention';
import type { TxItem } from '#shared/store/tx';

/**
 * Transactional outbox for SMS and supervisor alerts: a message is written in the same
 * transaction as the state change that calls for it, then delivered (at once, and by the
 * scheduler if that attempt fails). Its id is derived from the cause (e.g. `{surveyId}#thanks`),
 * so a cause yields one message.
 */
export interface SmsItem {
  pk: string;
  sk: 'SMS';
  type: 'sms';
  channel?: 'sms' | 'alert';
  alert?: Alert;
  smsId: string;
  to: string;
  body: string;
  templateId: TemplateId;
  templateVersion: number;
  surveyId?: string;
  status: 'pending' | 'sent';
  createdAt: string;
  sentAt?: string;
  messageId?: string;
  attempts?: number;
  leaseUntil?: number;
  ttl?: number;
  gsi3pk?: string;
  gsi3sk?: string;
  gsi1pk?: string;
  gsi1sk?: string;
}

export const smsKey = (smsId: string) => ({ pk: `SMS#${smsId}`, sk: 'SMS' as const });
export const messageKey = (messageId: string) => ({ pk: `MSG#${messageId}`, sk: 'MSG' as const });

export interface NewSms {
  smsId: string;
  to: string;
  rendered: { templateId: TemplateId; templateVersion: number; body: string };
  surveyId?: string;
}

export function putSms(sms: NewSms, at: Date): TxItem {
  const item: SmsItem = {
    ...smsKey(sms.smsId),
    type: 'sms',
    smsId: sms.smsId,
    to: sms.to,
    body: sms.rendered.body,
    templateId: sms.rendered.templateId,
    templateVersion: sms.rendered.templateVersion,
    ...(sms.surveyId ? { surveyId: sms.surveyId } : {}),
    status: 'pending',
    createdAt: at.toISOString(),
    ttl: retentionTtl(at),
    ...dueKeys(`SMS#${sms.smsId}`, at),
    ...customerKeys(sms.to, `SMS#${sms.smsId}`),
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** An alert to supervisors, delivered like an SMS (once per id). */
export function putAlert(alertId: string, alert: Alert, at: Date): TxItem {
  const item: SmsItem = {
    ...smsKey(alertId),
    type: 'sms',
    channel: 'alert',
    alert,
    smsId: alertId,
    to: alert.level,
    body: alert.message,
    templateId: 'no_open_survey',
    templateVersion: 0,
    status: 'pending',
    createdAt: at.toISOString(),
    ttl: retentionTtl(at),
    ...dueKeys(`SMS#${alertId}`, at),
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Which survey a published message belonged to (for previousPublishedMessageId). */
export async function surveyIdForMessage(messageId: string): Promise<string | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: TABLE, Key: messageKey(messageId) }));
  return res.Item?.surveyId as string | undefined;
}

const LEASE_MS = 60_000;

/**
 * Delivers one pending SMS. A short lease (real time) keeps two workers from sending it at once;
 * the send is recorded right after the gateway accepts it. Only a crash between the gateway's
 * acceptance and that record can send a message twice (the lease then lapses and it is retried).
 * Returns false when the message was not delivered now (already sent, leased, or the gateway failed).
 */
export async function deliverOutbox(smsId: string): Promise<boolean> {
  const nowMs = Date.now();
  let sms: SmsItem;
  try {
    const res = await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: smsKey(smsId),
        UpdateExpression: 'SET leaseUntil = :until ADD attempts :one',
        ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':until': nowMs + LEASE_MS,
          ':one': 1,
          ':pending': 'pending',
          ':now': nowMs,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    sms = res.Attributes as SmsItem;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
  let messageId: string;
  try {
    ({ messageId } =
      sms.channel === 'alert' && sms.alert ? await publishAlert(sms.alert) : await sendSms(sms.to, sms.body));
  } catch (err) {
    logger.warn('gateway failed; will retry', { smsId, error: err as Error });
    await ddb.send(
      new UpdateCommand({ TableName: TABLE, Key: smsKey(smsId), UpdateExpression: 'REMOVE leaseUntil' }),
    );
    return false;
  }
  await ddb.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: smsKey(smsId),
      UpdateExpression:
        'SET #status = :sent, sentAt = :at, messageId = :mid REMOVE gsi1pk, gsi1sk, leaseUntil',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':at': new Date().toISOString(), ':mid': messageId },
    }),
  );
  if (sms.surveyId && sms.channel !== 'alert') {
    await ddb.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...messageKey(messageId), surveyId: sms.surveyId, ttl: retentionTtl(new Date()) },
      }),
    );
  }
  logger.info('outbox message sent', {
    smsId,
    channel: sms.channel ?? 'sms',
    ...(sms.channel === 'alert' ? {} : { templateId: sms.templateId, to: maskPhone(sms.to) }),
  });
  return true;
}
