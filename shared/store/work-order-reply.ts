import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, storeSettings, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { retentionTtl } from '#shared/store/retention';
import type { SurveyItem } from '#shared/store/survey';
import { LIST_INDEX } from '#shared/store/table';
import type { TxItem } from '#shared/store/tx';

/**
 * The reply to the work order (回复工单, docs/domain.md section 6): when a survey closes, its result is
 * posted back to the source's `replyUrl`, signed per Standard Webhooks with the same webhook-id
 * on every retry. The item is written in the transaction that closes the survey (so a close is
 * never without its reply, and never has two); delivery and retries happen afterwards.
 * Keys: pk=REPLY#{surveyId}, sk=REPLY; in the due index while it waits for (re)delivery;
 * listed by status in gsi2 (gsi2pk=REPLIES#{status}, gsi2sk={createdAt}#{surveyId}).
 * Delivery: shared/app/work-order-replies/; its state changes: store/work-order-reply-delivery.ts.
 */
export type ClosedStatus = 'answered' | 'expired' | 'suppressed' | 'cancelled' | 'undelivered';

export interface WorkOrderReplyPayload {
  ticketId: string;
  surveyId: string;
  status: ClosedStatus;
  reason?: string;
  rating?: 1 | 2 | 3;
  reasons?: number[];
  comment?: string;
  closedAt: string;
}

export interface WorkOrderReplyItem {
  pk: string;
  sk: 'REPLY';
  type: 'work_order_reply';
  source: string;
  url: string;
  webhookId: string;
  payload: WorkOrderReplyPayload;
  /** pending: waits in the due index; queued: handed to the SQS queue (AWS), which owns its retries. */
  status: ReplyStatus;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  queuedAt?: string;
  /** The SQS message that carries this reply's retries (later duplicates are dropped). */
  ownerMessageId?: string;
  deliveredAt?: string;
  deadAt?: string;
  lastError?: string;
  ttl?: number;
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
}

export const replyStatuses = ['pending', 'queued', 'delivered', 'dead'] as const;
export type ReplyStatus = (typeof replyStatuses)[number];

/** The list of the replies in a status (gsi2pk). */
const repliesIn = (status: ReplyStatus) => `REPLIES#${status}`;

/** Listing keys of a reply in the given status (gsi2). */
export const replyListKeys = (status: ReplyStatus, createdAt: string, surveyId: string) => ({
  gsi2pk: repliesIn(status),
  gsi2sk: `${createdAt}#${surveyId}`,
});

export const replyKey = (surveyId: string) => ({ pk: `REPLY#${surveyId}`, sk: 'REPLY' as const });

/** The reply's entry in the due index, at `at`. */
export const replyDueKeys = (surveyId: string, at: Date) => dueKeys(`REPLY#${surveyId}`, at);

export interface SurveyClose {
  status: ClosedStatus;
  reason?: string;
  rating?: 1 | 2 | 3;
  reasons?: number[];
  comment?: string;
}

/** The reply item for a closing survey, or nothing when its source wants no reply. */
export function workOrderReplyOnClose(
  survey: Pick<SurveyItem, 'surveyId' | 'ticketId' | 'source'>,
  close: SurveyClose,
  at: Date,
): TxItem[] {
  const url = storeSettings().replyUrl(survey.source);
  if (!url) return [];
  const payload: WorkOrderReplyPayload = {
    ticketId: survey.ticketId,
    surveyId: survey.surveyId,
    status: close.status,
    ...(close.reason ? { reason: close.reason } : {}),
    ...(close.rating ? { rating: close.rating } : {}),
    ...(close.reasons?.length ? { reasons: close.reasons } : {}),
    ...(close.comment ? { comment: close.comment } : {}),
    closedAt: at.toISOString(),
  };
  const item: WorkOrderReplyItem = {
    ...replyKey(survey.surveyId),
    type: 'work_order_reply',
    source: survey.source,
    url,
    webhookId: `msg_wo_${survey.surveyId}`,
    payload,
    status: 'pending',
    attempts: 0,
    createdAt: at.toISOString(),
    nextAttemptAt: at.toISOString(),
    ttl: retentionTtl(at),
    ...replyDueKeys(survey.surveyId, at),
    ...replyListKeys('pending', at.toISOString(), survey.surveyId),
  };
  return [{ Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }];
}

/** What the work order hears about a survey closed after its rating. */
export function answeredClose(survey: SurveyItem): SurveyClose {
  return {
    status: 'answered',
    ...(survey.rating ? { rating: survey.rating } : {}),
    ...(survey.reasons ? { reasons: survey.reasons } : {}),
    ...(survey.comment ? { comment: survey.comment } : {}),
  };
}

export async function getReply(surveyId: string): Promise<WorkOrderReplyItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: replyKey(surveyId), ConsistentRead: true }),
  );
  return res.Item as WorkOrderReplyItem | undefined;
}

/** A reply as operators read it: no storage keys. */
export type ReplyRecord = Omit<WorkOrderReplyItem, 'pk' | 'sk' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk'>;

/** Up to `limit` replies in the given status (all statuses when none), newest first within each status. */
export async function listReplies(status: ReplyStatus | undefined, limit: number): Promise<ReplyRecord[]> {
  const out: ReplyRecord[] = [];
  for (const s of status ? [status] : replyStatuses) {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: LIST_INDEX,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': repliesIn(s) },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: limit - out.length,
        }),
      );
      for (const it of res.Items ?? []) {
        const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...record } = it;
        out.push(record as ReplyRecord);
      }
      start = res.LastEvaluatedKey;
    } while (start && out.length < limit);
    if (out.length >= limit) break;
  }
  return out;
}
