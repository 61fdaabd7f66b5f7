import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TemplateId } from '#shared/domain/sms/templates';
import type { Alert } from '#shared/gateways/alerts/alert';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { customerKeys, retentionTtl } from '#shared/store/retention';
import { type TxItem, transact, writeIf } from '#shared/store/tx';

/**
 * Transactional outbox for SMS and supervisor alerts: a message is written in the same
 * transaction as the state change that calls for it, then delivered (at once, and by the
 * scheduler if that attempt fails; shared/app/sms/deliver-outbox.ts). Its id is derived from the
 * cause (e.g. `{surveyId}#thanks`), so a cause yields one message. Both kinds share the key
 * SMS#{id} and `type: 'sms'` (one due-item kind for the scheduler); `channel` tells them apart.
 */
interface OutboxItemBase {
  pk: string;
  sk: 'SMS';
  type: 'sms';
  smsId: string;
  /** `failed`: the provider refused it for good (never retried). */
  status: 'pending' | 'sent' | 'failed';
  createdAt: string;
  sentAt?: string;
  messageId?: string;
  failedAt?: string;
  failure?: string;
  /** The provider's delivery receipt (store `recordDelivery`): delivered or not, when, its code. */
  delivery?: 'delivered' | 'undelivered';
  deliveryAt?: string;
  deliveryCode?: string;
  attempts?: number;
  leaseUntil?: number;
  ttl?: number;
  gsi1pk?: string;
  gsi1sk?: string;
}

/** An SMS to a customer. */
export interface SmsItem extends OutboxItemBase {
  channel?: 'sms';
  to: string;
  body: string;
  templateId: TemplateId;
  templateVersion: number;
  /**
   * The template's variables as rendered (providers that send by template need them). Absent on
   * messages written before they were kept: delivery recovers them from `body`.
   */
  params?: Record<string, string>;
  surveyId?: string;
  gsi3pk?: string;
  gsi3sk?: string;
}

/**
 * An alert to supervisors. (Rows written before alerts had their own shape also carry
 * `to`, `body`, `templateId` and `templateVersion`, unused.)
 */
export interface AlertItem extends OutboxItemBase {
  channel: 'alert';
  alert: Alert;
}

export type OutboxItem = SmsItem | AlertItem;

/** A pending outbox message as its delivery needs it. */
export type OutboxMessage =
  | {
      channel: 'sms';
      smsId: string;
      to: string;
      body: string;
      templateId: TemplateId;
      /** Undefined on a message written before params were kept. */
      params?: Record<string, string>;
      surveyId?: string;
    }
  | { channel: 'alert'; smsId: string; alert: Alert };

export const smsKey = (smsId: string) => ({ pk: `SMS#${smsId}`, sk: 'SMS' as const });
export const messageKey = (messageId: string) => ({ pk: `MSG#${messageId}`, sk: 'MSG' as const });

export interface NewSms {
  smsId: string;
  to: string;
  rendered: {
    templateId: TemplateId;
    templateVersion: number;
    body: string;
    params: Record<string, string>;
  };
  surveyId?: string;
}

/**
 * An SMS written at `at`, to be sent at `sendAt` (default: at once; later = out of the quiet hours).
 * `leaseUntil` (epoch ms, real time): written already leased, its first attempt counted, by a step
 * that delivers it itself right after its transaction (`smsMessage`, app/sms/deliver-outbox.ts
 * `deliverLeased`): no other worker can take it meanwhile, and no lease call is needed. If that
 * delivery never happens (a crash), the lease lapses and the scheduler delivers it, as after a
 * lease taken by `leaseOutboxMessage`.
 */
export function putSms(sms: NewSms, at: Date, sendAt: Date = at, leaseUntil?: number): TxItem {
  const item: SmsItem = {
    ...smsKey(sms.smsId),
    type: 'sms',
    smsId: sms.smsId,
    to: sms.to,
    body: sms.rendered.body,
    templateId: sms.rendered.templateId,
    templateVersion: sms.rendered.templateVersion,
    params: sms.rendered.params,
    ...(sms.surveyId ? { surveyId: sms.surveyId } : {}),
    status: 'pending',
    ...(leaseUntil === undefined ? {} : { leaseUntil, attempts: 1 }),
    createdAt: at.toISOString(),
    ttl: retentionTtl(at),
    ...dueKeys(`SMS#${sms.smsId}`, sendAt),
    ...customerKeys(sms.to, `SMS#${sms.smsId}`),
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The message `putSms` writes, as its delivery needs it (for the step that wrote it leased). */
export function smsMessage(sms: NewSms): OutboxMessage {
  return {
    channel: 'sms',
    smsId: sms.smsId,
    to: sms.to,
    body: sms.rendered.body,
    templateId: sms.rendered.templateId,
    params: sms.rendered.params,
    ...(sms.surveyId ? { surveyId: sms.surveyId } : {}),
  };
}

/** An alert to supervisors, delivered like an SMS (once per id). */
export function putAlert(alertId: string, alert: Alert, at: Date): TxItem {
  const item: AlertItem = {
    ...smsKey(alertId),
    type: 'sms',
    channel: 'alert',
    alert,
    smsId: alertId,
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

/**
 * Takes a short lease on a pending message (until `untilMs`, real time) so that no other worker
 * sends it meanwhile, counting the attempt. Undefined when it is not pending or already leased.
 */
export async function leaseOutboxMessage(
  smsId: string,
  nowMs: number,
  untilMs: number,
): Promise<OutboxMessage | undefined> {
  let item: OutboxItem;
  try {
    const res = await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: smsKey(smsId),
        UpdateExpression: 'SET leaseUntil = :until ADD attempts :one',
        ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':until': untilMs, ':one': 1, ':pending': 'pending', ':now': nowMs },
        ReturnValues: 'ALL_NEW',
      }),
    );
    item = res.Attributes as OutboxItem;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
  if (item.channel === 'alert' && item.alert) {
    return { channel: 'alert', smsId: item.smsId, alert: item.alert };
  }
  const sms = item as SmsItem;
  return {
    channel: 'sms',
    smsId: sms.smsId,
    to: sms.to,
    body: sms.body,
    templateId: sms.templateId,
    ...(sms.params ? { params: sms.params } : {}),
    ...(sms.surveyId ? { surveyId: sms.surveyId } : {}),
  };
}

/**
 * Extends this worker's lease on a pending message (`held`: the lease it wrote or took) to `untilMs`.
 * False when the lease is no longer its own: another worker took the message after it lapsed, or
 * it was sent.
 */
export async function renewOutboxLease(smsId: string, held: number, untilMs: number): Promise<boolean> {
  return await writeIf(() =>
    ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: smsKey(smsId),
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: '#status = :pending AND leaseUntil = :held',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':until': untilMs, ':pending': 'pending', ':held': held },
      }),
    ),
  );
}

/** Gives a leased message back (its send failed for now): the next run may try again. */
export async function releaseOutboxLease(smsId: string, leaseUntil: number): Promise<void> {
  // Only the holder's own lease: one that lapsed and was taken by another worker stays.
  await writeIf(() =>
    ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: smsKey(smsId),
        UpdateExpression: 'REMOVE leaseUntil',
        ConditionExpression: 'leaseUntil = :mine',
        ExpressionAttributeValues: { ':mine': leaseUntil },
      }),
    ),
  );
}

/**
 * Records that the gateway accepted the message under `messageId`: it leaves the due index. A
 * customer SMS also files the message id (MSG#{messageId}: our smsId and its survey), so that a
 * reply quoting it finds its survey and a delivery receipt naming it finds the message (Tencent's
 * receipts name only the provider's id). Both in one transaction: a message is never `sent`
 * without its mapping, whatever fails in between (a receipt would stay unmatched for good).
 */
export async function recordOutboxSent(message: OutboxMessage, messageId: string, at: Date): Promise<void> {
  const sent = {
    TableName: TABLE,
    Key: smsKey(message.smsId),
    UpdateExpression: 'SET #status = :sent, sentAt = :at, messageId = :mid REMOVE gsi1pk, gsi1sk, leaseUntil',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':sent': 'sent', ':at': at.toISOString(), ':mid': messageId },
  };
  if (message.channel !== 'sms') {
    await ddb.send(new UpdateCommand(sent));
    return;
  }
  await transact([
    { Update: sent },
    {
      Put: {
        TableName: TABLE,
        Item: {
          ...messageKey(messageId),
          smsId: message.smsId,
          ...(message.surveyId ? { surveyId: message.surveyId } : {}),
          ttl: retentionTtl(at),
        },
      },
    },
  ]);
}

/** A customer SMS by our id (consistent read), or undefined (an alert, or no such message). */
export async function getSms(smsId: string): Promise<SmsItem | undefined> {
  const res = await ddb.send(new GetCommand({ TableName: TABLE, Key: smsKey(smsId), ConsistentRead: true }));
  const item = res.Item as OutboxItem | undefined;
  return item && item.channel !== 'alert' ? (item as SmsItem) : undefined;
}

/** Our id of the SMS the provider accepted as `messageId` (recorded on send), if recorded yet. */
export async function smsIdForMessage(messageId: string): Promise<string | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: messageKey(messageId), ConsistentRead: true }),
  );
  return res.Item?.smsId as string | undefined;
}

/** What the provider's delivery receipt said about a sent SMS (a transaction item). */
export function recordDelivery(
  smsId: string,
  receipt: { delivered: boolean; code?: string | undefined; at: string },
): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: smsKey(smsId),
      UpdateExpression: 'SET delivery = :d, deliveryAt = :at, deliveryCode = :code',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':d': receipt.delivered ? 'delivered' : 'undelivered',
        ':at': receipt.at,
        ':code': (receipt.code ?? '').slice(0, 64),
      },
    },
  };
}

/** Records that the gateway refused the message for good: it leaves the due index, never retried. */
export async function recordOutboxFailed(smsId: string, reason: string, at: Date): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: smsKey(smsId),
      UpdateExpression:
        'SET #status = :failed, failedAt = :at, failure = :reason REMOVE gsi1pk, gsi1sk, leaseUntil',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':failed': 'failed',
        ':at': at.toISOString(),
        ':reason': reason.slice(0, 500),
      },
    }),
  );
}
