import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { callbackKey } from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';
import { customerPartition } from '#shared/store/retention';
import type { SurveyItem } from '#shared/store/survey';
import { REGION_INDEX } from '#shared/store/table';
import { TICKET_PK_PREFIX, type TicketItem } from '#shared/store/ticket';
import { updateIfExists } from '#shared/store/tx';
import { replyKey } from '#shared/store/work-order-reply';

/**
 * One customer's raw records, for erasure: every item holding their phone carries the index
 * entry gsi3pk=CUST#{phone}, gsi3sk={its pk} (store/retention.ts `customerKeys`), so they are
 * found without a Scan. A callback case has an entry of its own (store/case-customer.ts: it outlives
 * the survey); work-order replies are found through their survey.
 */

/** A raw record as listed: its keys and its type ('sms', 'survey', 'ticket'). */
export interface CustomerRecord {
  pk: string;
  sk: string;
  type: string;
  [field: string]: unknown;
}

function customerQuery<T>(phone: string, skPrefix?: string): Promise<T[]> {
  return queryAll<T>({
    IndexName: REGION_INDEX,
    KeyConditionExpression: skPrefix ? 'gsi3pk = :pk AND begins_with(gsi3sk, :sk)' : 'gsi3pk = :pk',
    ExpressionAttributeValues: {
      ':pk': customerPartition(phone),
      ...(skPrefix ? { ':sk': skPrefix } : {}),
    },
  });
}

/** Every raw record still listed under the customer's phone. */
export function customerRecords(phone: string): Promise<CustomerRecord[]> {
  return customerQuery<CustomerRecord>(phone);
}

/** The customer's completions accepted and not planned yet (planned ones leave the listing). */
export function customerTickets(phone: string): Promise<TicketItem[]> {
  return customerQuery<TicketItem>(phone, TICKET_PK_PREFIX);
}

/** What a case's customer history (app/callbacks/customer-history.ts) reads of a survey listed under the phone. */
export type CustomerSurvey = Pick<
  SurveyItem,
  | 'surveyId'
  | 'ticketId'
  | 'status'
  | 'completedAt'
  | 'answeredAt'
  | 'rating'
  | 'engineerId'
  | 'engineerName'
  | 'team'
  | 'region'
>;

/**
 * The customer's surveys and the ids of the cases their texts opened or joined (a complaint that no
 * survey owned is found only through its text; newest text first), read from the CUST#{phone}
 * index (never a Scan), at most `max` of each: one Query per page, stopping once `max` are read.
 */
export async function customerCaseListing(
  phone: string,
  max: number,
): Promise<{ surveys: CustomerSurvey[]; textCaseIds: string[] }> {
  const [surveys, texts] = await Promise.all([
    customerQueryUpTo<CustomerSurvey>(phone, 'SURVEY#', max, [
      'surveyId',
      'ticketId',
      'status',
      'completedAt',
      'answeredAt',
      'rating',
      'engineerId',
      'engineerName',
      'team',
      'region',
    ]),
    customerQueryUpTo<{ caseId?: string; receivedAt: string }>(phone, 'TEXT#', max, ['caseId', 'receivedAt']),
  ]);
  // Newest text first (text ids are hashes: the listing is in no time order).
  texts.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0));
  const textCaseIds = [...new Set(texts.flatMap((t) => (typeof t.caseId === 'string' ? [t.caseId] : [])))];
  return { surveys, textCaseIds };
}

/** At most `max` items of the customer's listing under one key prefix, only the named attributes. */
async function customerQueryUpTo<T>(phone: string, skPrefix: string, max: number, attributes: string[]) {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: REGION_INDEX,
        KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :sk)',
        ExpressionAttributeValues: { ':pk': customerPartition(phone), ':sk': skPrefix },
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        Limit: max - out.length,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...((res.Items ?? []) as T[]));
    start = res.LastEvaluatedKey;
  } while (start && out.length < max);
  return out;
}

/** Deletes one listed record (an SMS: nothing in it is kept). */
export async function deleteRecord(record: { pk: string; sk: string }): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: TABLE, Key: { pk: record.pk, sk: record.sk } }));
}

/**
 * Erasure of a callback case, if it exists (a survey's case has the survey's id; a complaint no
 * survey owned, `CMP-...`, is found through the customer's kept text): the phone masked, the free
 * text removed.
 */
export async function maskCallbackCase(caseId: string, masked: string, at: string): Promise<void> {
  await updateIfExists(
    callbackKey(caseId),
    'SET phone = :m, erasedAt = :at REMOVE #comment',
    { '#comment': 'comment' },
    { ':m': masked, ':at': at },
  );
}

/** Erasure of the survey's work-order reply, if it has one: the customer's comment removed. */
export async function dropWorkOrderReplyComment(surveyId: string): Promise<void> {
  await updateIfExists(replyKey(surveyId), 'REMOVE #p.#comment', { '#p': 'payload', '#comment': 'comment' });
}
