import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '#shared/auth';
import { now } from '#shared/clock';
import { ddb, TABLE } from '#shared/db/client';
import { REGION_INDEX } from '#shared/db/table';
import { callbackKey } from '#shared/entities/callback';
import { getPhoneState, phoneKey } from '#shared/entities/phone-state';
import { surveyKey } from '#shared/entities/survey';
import { ticketKey } from '#shared/entities/ticket';
import { replyKey } from '#shared/entities/work-order-reply';
import { ForbiddenError, ValidationError } from '#shared/errors';
import { logger } from '#shared/log';
import { maskPhone, normalizeCnMobile } from '#shared/phone';

export interface ErasureResult {
  phone: string;
  surveys: number;
  messages: number;
  /** An opted-out number is kept (only the number and the opt-out) so that it is never texted again. */
  optOutKept: boolean;
}

/**
 * Erases one customer's personal data everywhere (domain.md section 7), keeping the figures:
 * surveys, tickets, callback cases and replies keep their ratings and counts but lose the phone
 * (masked) and the free text; SMS records are deleted; the phone state is deleted unless it
 * holds an opt-out. Found through the CUST#{phone} index, never by Scan. Safe to repeat.
 */
export async function eraseCustomer(principal: Principal, rawPhone: string): Promise<ErasureResult> {
  if (principal.role !== 'admin') throw new ForbiddenError();
  const phone = normalizeCnMobile(rawPhone);
  if (!phone)
    throw new ValidationError([{ field: 'phone', message: 'must be a mainland China mobile number' }]);
  const masked = maskPhone(phone);
  const at = now().toISOString();
  let surveys = 0;
  let messages = 0;

  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: REGION_INDEX,
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `CUST#${phone}` },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.type === 'sms') {
        await ddb.send(new DeleteCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }));
        messages++;
      } else if (item.type === 'survey') {
        await eraseSurvey(item as { surveyId: string; source: string; ticketId: string }, masked, at);
        surveys++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);

  const state = await getPhoneState(phone);
  const optOutKept = state.optedOut === true;
  if (!optOutKept && state.version > 0) {
    await ddb.send(new DeleteCommand({ TableName: TABLE, Key: phoneKey(phone) }));
  }
  logger.info('customer erased', { phone: masked, surveys, messages, optOutKept });
  return { phone: masked, surveys, messages, optOutKept };
}

async function ifExists(cmd: UpdateCommand): Promise<void> {
  try {
    await ddb.send(cmd);
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

async function eraseSurvey(
  s: { surveyId: string; source: string; ticketId: string },
  masked: string,
  at: string,
) {
  await ifExists(
    new UpdateCommand({
      TableName: TABLE,
      Key: surveyKey(s.surveyId),
      UpdateExpression: 'SET phone = :m, erasedAt = :at REMOVE #comment, gsi3pk, gsi3sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#comment': 'comment' },
      ExpressionAttributeValues: { ':m': masked, ':at': at },
    }),
  );
  await ifExists(
    new UpdateCommand({
      TableName: TABLE,
      Key: ticketKey(s.source, s.ticketId),
      UpdateExpression: 'SET #t.#c = :c',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#t': 'ticket', '#c': 'customer' },
      ExpressionAttributeValues: { ':c': { phone: masked, erasedAt: at } },
    }),
  );
  await ifExists(
    new UpdateCommand({
      TableName: TABLE,
      Key: callbackKey(s.surveyId),
      UpdateExpression: 'SET phone = :m, erasedAt = :at REMOVE #comment',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#comment': 'comment' },
      ExpressionAttributeValues: { ':m': masked, ':at': at },
    }),
  );
  await ifExists(
    new UpdateCommand({
      TableName: TABLE,
      Key: replyKey(s.surveyId),
      UpdateExpression: 'REMOVE #p.#comment',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#p': 'payload', '#comment': 'comment' },
    }),
  );
}
