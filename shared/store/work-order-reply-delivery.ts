import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import {
  replyDueKeys,
  replyKey,
  replyListKeys,
  type WorkOrderReplyItem,
} from '#shared/store/work-order-reply';

/**
 * The delivery states of a reply to the work order (item and keys: store/work-order-reply.ts), each
 * change conditional on the state it was decided from, so that two workers never make the same
 * attempt nor record over each other:
 *
 *   pending --claim (lease)--> pending, attempts+1 --> delivered | pending (retry) | dead
 *   pending --markQueued--> queued --claim (message)--> queued, attempts+1 --> delivered | queued (retry) | dead
 *
 * A pending reply waits in the due index (at its next attempt, or at the end of a lease); a queued
 * one is there only as the watchdog of its hand-off until a message claims it, after which SQS owns
 * its retries. The list key (gsi2pk) follows the status.
 */

/** One conditional update; the item after it, or undefined when its condition did not hold. */
async function update(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>) {
  try {
    const res = await ddb.send(new UpdateCommand({ TableName: TABLE, ReturnValues: 'ALL_NEW', ...input }));
    return res.Attributes as WorkOrderReplyItem;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

const surveyIdOf = (item: WorkOrderReplyItem) => item.payload.surveyId;
const listKey = (item: WorkOrderReplyItem, status: WorkOrderReplyItem['status']) =>
  replyListKeys(status, item.createdAt, surveyIdOf(item)).gsi2pk;

/** Does the reply wait in the due index (pending, or a hand-off under watch)? */
export const waitsInDueIndex = (item: WorkOrderReplyItem): boolean => Boolean(item.gsi1sk);

/**
 * Takes the next attempt (attempts n -> n+1) if nobody took it first. `lease`: a direct attempt,
 * the reply stays pending and comes due again at `until` if the worker dies; `message`: the SQS
 * message that carries the attempt owns the reply from now on (status queued, out of the due
 * index; a reply owned by another message is not taken). Undefined when someone else has it.
 */
export async function claimAttempt(
  item: WorkOrderReplyItem,
  at: Date,
  by: { leaseUntil: Date } | { messageId: string },
): Promise<WorkOrderReplyItem | undefined> {
  const values: Record<string, unknown> = {
    ':n': item.attempts,
    ':n1': item.attempts + 1,
    ':at': at.toISOString(),
    ':pending': 'pending',
  };
  if ('leaseUntil' in by) {
    const lease = replyDueKeys(surveyIdOf(item), by.leaseUntil);
    return await update({
      Key: replyKey(surveyIdOf(item)),
      UpdateExpression:
        'SET attempts = :n1, firstAttemptAt = if_not_exists(firstAttemptAt, :at), lastAttemptAt = :at, ' +
        'gsi1pk = :g1pk, gsi1sk = :g1sk',
      ConditionExpression: '#status = :pending AND attempts = :n',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':g1pk': lease.gsi1pk, ':g1sk': lease.gsi1sk },
    });
  }
  return await update({
    Key: replyKey(surveyIdOf(item)),
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
      ':mid': by.messageId,
      ':g2pk': listKey(item, 'queued'),
    },
  });
}

/** The claimed attempt was answered 2xx: delivered, out of the due index, its last error gone. */
export async function recordDelivered(claimed: WorkOrderReplyItem, at: Date): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: TABLE,
      Key: replyKey(surveyIdOf(claimed)),
      UpdateExpression:
        'SET #status = :delivered, deliveredAt = :at, gsi2pk = :g2pk REMOVE gsi1pk, gsi1sk, lastError',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':delivered': 'delivered',
        ':at': at.toISOString(),
        ':g2pk': listKey(claimed, 'delivered'),
      },
    }),
  );
}

/**
 * The claimed attempt failed; the next is at `next`: a pending reply comes due again then (a queued
 * one waits for its message). False when someone took the reply over meanwhile (a lapsed lease).
 */
export async function recordRetry(claimed: WorkOrderReplyItem, next: Date, error: string): Promise<boolean> {
  const due = claimed.status === 'pending' ? replyDueKeys(surveyIdOf(claimed), next) : undefined;
  const done = await update({
    Key: replyKey(surveyIdOf(claimed)),
    UpdateExpression: `SET nextAttemptAt = :next, lastError = :err${due ? ', gsi1pk = :g1pk, gsi1sk = :g1sk' : ''}`,
    ConditionExpression: '#status = :expected AND attempts = :n',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':next': next.toISOString(),
      ':err': error,
      ':expected': claimed.status,
      ':n': claimed.attempts,
      ...(due ? { ':g1pk': due.gsi1pk, ':g1sk': due.gsi1sk } : {}),
    },
  });
  return done !== undefined;
}

/** The claimed attempt failed and none follows: dead, kept with `error`. False as for recordRetry. */
export async function recordDead(claimed: WorkOrderReplyItem, at: Date, error: string): Promise<boolean> {
  const done = await update({
    Key: replyKey(surveyIdOf(claimed)),
    UpdateExpression:
      'SET #status = :dead, deadAt = :at, lastError = :err, gsi2pk = :g2pk REMOVE gsi1pk, gsi1sk',
    ConditionExpression: '#status = :expected AND attempts = :n',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':dead': 'dead',
      ':at': at.toISOString(),
      ':err': error,
      ':expected': claimed.status,
      ':n': claimed.attempts,
      ':g2pk': listKey(claimed, 'dead'),
    },
  });
  return done !== undefined;
}

/**
 * A due pending reply (as read: same due entry) handed to the queue at `at`, with a watchdog entry
 * in the due index at `watchdogAt`. False when someone else handed it over, or it changed.
 */
export async function markQueued(item: WorkOrderReplyItem, at: Date, watchdogAt: Date): Promise<boolean> {
  const watchdog = replyDueKeys(surveyIdOf(item), watchdogAt);
  const done = await update({
    Key: replyKey(surveyIdOf(item)),
    UpdateExpression: 'SET #status = :queued, queuedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk, gsi2pk = :g2pk',
    ConditionExpression: '#status = :pending AND gsi1sk = :seen',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':queued': 'queued',
      ':pending': 'pending',
      ':at': at.toISOString(),
      ':seen': item.gsi1sk ?? '',
      ':g1pk': watchdog.gsi1pk,
      ':g1sk': watchdog.gsi1sk,
      ':g2pk': listKey(item, 'queued'),
    },
  });
  return done !== undefined;
}

/**
 * A queued reply no message has claimed, handed over again at `at` with a new watchdog entry.
 * False when a message claimed it meanwhile, or another run renewed it.
 */
export async function renewQueued(item: WorkOrderReplyItem, at: Date, watchdogAt: Date): Promise<boolean> {
  const watchdog = replyDueKeys(surveyIdOf(item), watchdogAt);
  const done = await update({
    Key: replyKey(surveyIdOf(item)),
    UpdateExpression: 'SET queuedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk',
    ConditionExpression: '#status = :queued AND gsi1sk = :seen AND attribute_not_exists(ownerMessageId)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':queued': 'queued',
      ':at': at.toISOString(),
      ':seen': item.gsi1sk ?? '',
      ':g1pk': watchdog.gsi1pk,
      ':g1sk': watchdog.gsi1sk,
    },
  });
  return done !== undefined;
}

/**
 * Undoes a hand-off whose message could not be sent: pending again, due at `dueAt`, if the watchdog
 * entry is still the one set at `watchdogAt` and no message claimed the reply.
 */
export async function unmarkQueued(item: WorkOrderReplyItem, watchdogAt: Date, dueAt: Date): Promise<void> {
  const mine = replyDueKeys(surveyIdOf(item), watchdogAt);
  const due = replyDueKeys(surveyIdOf(item), dueAt);
  await update({
    Key: replyKey(surveyIdOf(item)),
    UpdateExpression:
      'SET #status = :pending, gsi1pk = :g1pk, gsi1sk = :g1sk, gsi2pk = :g2pk REMOVE queuedAt',
    ConditionExpression: '#status = :queued AND gsi1sk = :mine AND attribute_not_exists(ownerMessageId)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pending': 'pending',
      ':queued': 'queued',
      ':mine': mine.gsi1sk,
      ':g1pk': due.gsi1pk,
      ':g1sk': due.gsi1sk,
      ':g2pk': listKey(item, 'pending'),
    },
  });
}
