import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { config } from '#shared/config/config';
import { nextAttemptAt } from '#shared/domain/backoff';
import { type ReplyMessage, type SqsPort, sqs } from '#shared/gateways/work-order-queue';
import { replySecret } from '#shared/gateways/work-order-reply-secrets';
import { now } from '#shared/runtime/clock';
import { logger } from '#shared/runtime/log';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { LIST_INDEX } from '#shared/store/table';
import {
  type ReplyStatus,
  replyKey,
  replyListKeys,
  replyStatuses,
  type WorkOrderReplyItem,
  type WorkOrderReplyPayload,
} from '#shared/store/work-order-reply';

/**
 * Delivery of the reply to the work order (回复工单): a Standard Webhooks POST of the closed
 * survey's result to its source's replyUrl, signed with our secret for that source, with the
 * same webhook-id on every attempt; retried on the schedule of shared/domain/backoff.ts for 24 hours
 * from the first attempt, then dead (kept, with its last error).
 *
 * Two drivers share the attempt and the bookkeeping here:
 * - locally (no WORK_ORDER_QUEUE_URL) the scheduler attempts due replies itself and puts a failed
 *   one back in the due index at its next attempt time;
 * - on AWS the scheduler hands each due reply to the SQS queue once (status 'queued') and
 *   functions/work-order-reply attempts it, retrying through the message's visibility timeout;
 *   a dead reply's message goes on to the queue's DLQ (maxReceiveCount).
 *
 * What counts as delivered: a 2xx answer. A 4xx other than 408, 425 and 429 is the receiver
 * refusing this request as such (wrong URL, unknown ticket, our signature rejected): retrying the
 * same request cannot help, so the reply is dead at once, kept for an operator to look at.
 * 3xx (redirects are not followed), 408, 425, 429, 5xx, network errors and timeouts are retried.
 */

/** How long one POST may take (real time). */
export const REPLY_TIMEOUT_MS = 10_000;
/** A direct attempt in flight holds the reply this long; after a crash it is attempted again. */
const LEASE_MS = 5 * 60_000;
/** A reply handed to the queue and never received by the consumer is sent again after this. */
const QUEUE_WATCHDOG_MS = 15 * 60_000;

const dueId = (surveyId: string) => `REPLY#${surveyId}`;

export type PostResult =
  | { ok: true; status: number }
  | { ok: false; permanent: boolean; status?: number; error: string };

/** A 4xx the receiver will answer again to the same request (see above). */
export function isPermanentFailure(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
}

/** The JSON body, fields in a fixed order (the same bytes on every attempt). */
export function replyBody(p: WorkOrderReplyPayload): string {
  return JSON.stringify({
    ticketId: p.ticketId,
    surveyId: p.surveyId,
    status: p.status,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p.rating !== undefined ? { rating: p.rating } : {}),
    ...(p.reasons !== undefined ? { reasons: p.reasons } : {}),
    ...(p.comment !== undefined ? { comment: p.comment } : {}),
    closedAt: p.closedAt,
  });
}

/** One signed POST of the reply. Never throws. */
export async function postReply(
  item: Pick<WorkOrderReplyItem, 'source' | 'url' | 'webhookId' | 'payload'>,
): Promise<PostResult> {
  let secret: string | undefined;
  try {
    secret = await replySecret(item.source);
  } catch (err) {
    return { ok: false, permanent: false, error: `reply secrets unreadable: ${(err as Error).message}` };
  }
  // A missing secret is a configuration gap an operator can close within the retry window.
  if (!secret) return { ok: false, permanent: false, error: `no reply secret for source ${item.source}` };
  const body = replyBody(item.payload);
  // The signature's timestamp is the real time, not the domain clock: receivers check it against
  // their own clock (Standard Webhooks allows 5 minutes), so a pinned local clock must not leak in.
  const sentAt = new Date();
  const signature = new Webhook(secret).sign(item.webhookId, sentAt, body);
  try {
    const res = await fetch(item.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': item.webhookId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REPLY_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return {
      ok: false,
      permanent: isPermanentFailure(res.status),
      status: res.status,
      error: `HTTP ${res.status}`,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const error =
      e.name === 'TimeoutError'
        ? `timeout after ${REPLY_TIMEOUT_MS / 1000}s`
        : `network error: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
    return { ok: false, permanent: false, error };
  }
}

export async function getReply(surveyId: string): Promise<WorkOrderReplyItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: replyKey(surveyId), ConsistentRead: true }),
  );
  return res.Item as WorkOrderReplyItem | undefined;
}

async function update(
  input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
): Promise<WorkOrderReplyItem | undefined> {
  try {
    const res = await ddb.send(new UpdateCommand({ TableName: TABLE, ReturnValues: 'ALL_NEW', ...input }));
    return res.Attributes as WorkOrderReplyItem;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

type Driver = { kind: 'direct' } | { kind: 'queue'; messageId: string };

/**
 * Takes the next attempt of the reply: attempts n -> n+1 only if nobody took it first, so two
 * workers never make the same attempt. Undefined when someone else has it.
 */
async function claim(item: WorkOrderReplyItem, at: Date, driver: Driver) {
  const values: Record<string, unknown> = {
    ':n': item.attempts,
    ':n1': item.attempts + 1,
    ':at': at.toISOString(),
    ':pending': 'pending',
  };
  if (driver.kind === 'direct') {
    const lease = dueKeys(dueId(item.payload.surveyId), new Date(at.getTime() + LEASE_MS));
    return await update({
      Key: replyKey(item.payload.surveyId),
      UpdateExpression:
        'SET attempts = :n1, firstAttemptAt = if_not_exists(firstAttemptAt, :at), lastAttemptAt = :at, ' +
        'gsi1pk = :g1pk, gsi1sk = :g1sk',
      ConditionExpression: '#status = :pending AND attempts = :n',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':g1pk': lease.gsi1pk, ':g1sk': lease.gsi1sk },
    });
  }
  // From here on SQS owns the retries: the reply leaves the due index.
  return await update({
    Key: replyKey(item.payload.surveyId),
    UpdateExpression:
      'SET attempts = :n1, firstAttemptAt = if_not_exists(firstAttemptAt, :at), lastAttemptAt = :at, ' +
      '#status = :queued, ownerMessageId = :mid, gsi2pk = :g2pk REMOVE gsi1pk, gsi1sk',
    ConditionExpression:
      '#status IN (:pending, :queued) AND attempts = :n AND ' +
      '(attribute_not_exists(ownerMessageId) OR ownerMessageId = :mid)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ...values,
      ':queued': 'queued',
      ':mid': driver.messageId,
      ':g2pk': replyListKeys('queued', item.createdAt, item.payload.surveyId).gsi2pk,
    },
  });
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; at: Date }
  | { kind: 'dead'; error: string }
  /** Someone else took the reply over meanwhile (a lapsed lease): their result stands. */
  | { kind: 'lost' };

/**
 * Records the result of the claimed attempt. `lastChance`: no further attempt will be made
 * whatever the schedule says (SQS is about to dead-letter the message).
 */
async function record(
  claimed: WorkOrderReplyItem,
  result: PostResult,
  driver: Driver,
  lastChance = false,
): Promise<AttemptOutcome> {
  const surveyId = claimed.payload.surveyId;
  const at = now();
  const iso = at.toISOString();
  const names = { '#status': 'status' };
  if (result.ok) {
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: replyKey(surveyId),
        UpdateExpression:
          'SET #status = :delivered, deliveredAt = :at, gsi2pk = :g2pk REMOVE gsi1pk, gsi1sk, lastError',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':delivered': 'delivered',
          ':at': iso,
          ':g2pk': replyListKeys('delivered', claimed.createdAt, surveyId).gsi2pk,
        },
      }),
    );
    logger.info('work-order reply delivered', {
      surveyId,
      source: claimed.source,
      attempts: claimed.attempts,
    });
    return { kind: 'delivered' };
  }
  const firstAt = new Date(claimed.firstAttemptAt ?? claimed.lastAttemptAt ?? iso);
  const next =
    result.permanent || lastChance ? undefined : nextAttemptAt(firstAt, claimed.attempts, at, Math.random());
  const expectedStatus = driver.kind === 'direct' ? 'pending' : 'queued';
  if (next) {
    const due = driver.kind === 'direct' ? dueKeys(dueId(surveyId), next) : undefined;
    const done = await update({
      Key: replyKey(surveyId),
      UpdateExpression: `SET nextAttemptAt = :next, lastError = :err${due ? ', gsi1pk = :g1pk, gsi1sk = :g1sk' : ''}`,
      ConditionExpression: '#status = :expected AND attempts = :n',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ':next': next.toISOString(),
        ':err': result.error,
        ':expected': expectedStatus,
        ':n': claimed.attempts,
        ...(due ? { ':g1pk': due.gsi1pk, ':g1sk': due.gsi1sk } : {}),
      },
    });
    if (!done) return { kind: 'lost' };
    logger.warn('work-order reply failed; will retry', {
      surveyId,
      source: claimed.source,
      attempts: claimed.attempts,
      error: result.error,
      nextAttemptAt: next.toISOString(),
    });
    return { kind: 'retry', at: next };
  }
  const why = result.permanent
    ? `${result.error} (not retried)`
    : lastChance
      ? `${result.error} (out of deliveries)`
      : `${result.error} (retried for 24 hours)`;
  const done = await update({
    Key: replyKey(surveyId),
    UpdateExpression:
      'SET #status = :dead, deadAt = :at, lastError = :err, gsi2pk = :g2pk REMOVE gsi1pk, gsi1sk',
    ConditionExpression: '#status = :expected AND attempts = :n',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: {
      ':dead': 'dead',
      ':at': iso,
      ':err': why,
      ':expected': expectedStatus,
      ':n': claimed.attempts,
      ':g2pk': replyListKeys('dead', claimed.createdAt, surveyId).gsi2pk,
    },
  });
  if (!done) return { kind: 'lost' };
  logger.error('work-order reply dead', {
    surveyId,
    source: claimed.source,
    attempts: claimed.attempts,
    error: why,
  });
  return { kind: 'dead', error: why };
}

// --- The scheduler ----------------------------------------------------------------------------

/**
 * The scheduler's handler of a due reply (run-due-work's `dueHandlers`): hands it to the queue on
 * AWS, attempts it directly locally.
 */
export async function replyDue(item: WorkOrderReplyItem, at: Date): Promise<string> {
  if (config.WORK_ORDER_QUEUE_URL && sqs)
    return await forwardReply(item, at, sqs, config.WORK_ORDER_QUEUE_URL);
  return await deliverDirect(item, at);
}

async function deliverDirect(item: WorkOrderReplyItem, at: Date): Promise<string> {
  if (item.status !== 'pending' || Date.parse(item.nextAttemptAt) > at.getTime()) return 'skipped';
  const claimed = await claim(item, at, { kind: 'direct' });
  if (!claimed) return 'skipped';
  const outcome = await record(claimed, await postReply(claimed), { kind: 'direct' });
  return outcome.kind === 'delivered'
    ? 'repliesDelivered'
    : outcome.kind === 'retry'
      ? 'repliesRetrying'
      : outcome.kind === 'dead'
        ? 'repliesDead'
        : 'skipped';
}

/**
 * Hands a due reply to the queue: marked 'queued' first (conditionally, so one run sends it),
 * then one message with its id. If the send fails the mark is undone and the next run tries
 * again; if the process dies in between, the watchdog entry in the due index sends it again
 * (a duplicate message is dropped by the consumer: the first message to claim the reply owns it).
 */
export async function forwardReply(
  item: WorkOrderReplyItem,
  at: Date,
  port: SqsPort,
  queueUrl: string,
): Promise<string> {
  const surveyId = item.payload.surveyId;
  const watchdog = dueKeys(dueId(surveyId), new Date(at.getTime() + QUEUE_WATCHDOG_MS));
  let outcome: string;
  if (item.status === 'pending' && Date.parse(item.nextAttemptAt) <= at.getTime()) {
    const marked = await update({
      Key: replyKey(surveyId),
      UpdateExpression:
        'SET #status = :queued, queuedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk, gsi2pk = :g2pk',
      ConditionExpression: '#status = :pending AND gsi1sk = :seen',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':queued': 'queued',
        ':pending': 'pending',
        ':at': at.toISOString(),
        ':seen': item.gsi1sk ?? '',
        ':g1pk': watchdog.gsi1pk,
        ':g1sk': watchdog.gsi1sk,
        ':g2pk': replyListKeys('queued', item.createdAt, surveyId).gsi2pk,
      },
    });
    if (!marked) return 'skipped';
    outcome = 'repliesQueued';
  } else if (
    item.status === 'queued' &&
    !item.ownerMessageId &&
    item.gsi1sk &&
    Date.parse(item.queuedAt ?? '') + QUEUE_WATCHDOG_MS <= at.getTime()
  ) {
    const again = await update({
      Key: replyKey(surveyId),
      UpdateExpression: 'SET queuedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk',
      ConditionExpression: '#status = :queued AND gsi1sk = :seen AND attribute_not_exists(ownerMessageId)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':queued': 'queued',
        ':at': at.toISOString(),
        ':seen': item.gsi1sk,
        ':g1pk': watchdog.gsi1pk,
        ':g1sk': watchdog.gsi1sk,
      },
    });
    if (!again) return 'skipped';
    outcome = 'repliesRequeued';
  } else {
    return 'skipped';
  }
  const message: ReplyMessage = { surveyId };
  try {
    await port.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  } catch (err) {
    const due = dueKeys(dueId(surveyId), at);
    await update({
      Key: replyKey(surveyId),
      UpdateExpression:
        'SET #status = :pending, gsi1pk = :g1pk, gsi1sk = :g1sk, gsi2pk = :g2pk REMOVE queuedAt',
      ConditionExpression: '#status = :queued AND gsi1sk = :mine AND attribute_not_exists(ownerMessageId)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'pending',
        ':queued': 'queued',
        ':mine': watchdog.gsi1sk,
        ':g1pk': due.gsi1pk,
        ':g1sk': due.gsi1sk,
        ':g2pk': replyListKeys('pending', item.createdAt, surveyId).gsi2pk,
      },
    });
    throw err;
  }
  return outcome;
}

// --- The queue consumer -----------------------------------------------------------------------

/** What the consumer does with one message. */
export type MessageDecision =
  /** Delete it: delivered, or nothing (left) to do. */
  | { kind: 'done'; outcome: string }
  /** Keep it, invisible for this long, for the next attempt. */
  | { kind: 'retry'; delayMs: number }
  /** Keep it, visible at once, so that SQS moves it to the DLQ (maxReceiveCount). */
  | { kind: 'deadLetter' };

export interface ReceivedReply {
  surveyId: string;
  messageId: string;
  /** SQS's ApproximateReceiveCount of this delivery of the message. */
  receiveCount: number;
}

/** One message of the queue: one attempt of the reply it names, and what to do with the message. */
export async function handleReplyMessage(msg: ReceivedReply, maxReceives: number): Promise<MessageDecision> {
  const at = now();
  const driver: Driver = { kind: 'queue', messageId: msg.messageId };
  let item = await getReply(msg.surveyId);
  let claimed: WorkOrderReplyItem | undefined;
  for (let tries = 0; tries < 3 && !claimed; tries++) {
    if (!item) {
      logger.warn('work-order reply message for an unknown reply', { surveyId: msg.surveyId });
      return { kind: 'done', outcome: 'unknown' };
    }
    if (item.status === 'delivered') return { kind: 'done', outcome: 'delivered' };
    if (item.ownerMessageId && item.ownerMessageId !== msg.messageId)
      return { kind: 'done', outcome: 'duplicate' };
    if (item.status === 'dead') return { kind: 'deadLetter' };
    claimed = await claim(item, at, driver);
    if (!claimed) item = await getReply(msg.surveyId);
  }
  if (!claimed) return { kind: 'retry', delayMs: 60_000 };
  const result = await postReply(claimed);
  const outcome = await record(claimed, result, driver, msg.receiveCount >= maxReceives);
  switch (outcome.kind) {
    case 'delivered':
      return { kind: 'done', outcome: 'delivered' };
    case 'retry':
      return { kind: 'retry', delayMs: Math.max(0, outcome.at.getTime() - now().getTime()) };
    case 'dead':
      return { kind: 'deadLetter' };
    case 'lost':
      return { kind: 'retry', delayMs: 60_000 };
  }
}

// --- Listing (operators; locally GET /local/work-order-replies) ---------------------------------

export type ReplyView = Omit<WorkOrderReplyItem, 'pk' | 'sk' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk'>;

/** Replies in the given status (all statuses when none), newest first within each status. */
export async function listWorkOrderReplies(status?: ReplyStatus, limit = 200): Promise<ReplyView[]> {
  const out: ReplyView[] = [];
  for (const s of status ? [status] : replyStatuses) {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await ddb.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: LIST_INDEX,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `REPLIES#${s}` },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: limit - out.length,
        }),
      );
      for (const it of res.Items ?? []) {
        const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...view } = it;
        out.push(view as ReplyView);
      }
      start = res.LastEvaluatedKey;
    } while (start && out.length < limit);
    if (out.length >= limit) break;
  }
  return out;
}
