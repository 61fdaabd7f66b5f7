import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { callbackKey } from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';
import { customerPartition } from '#shared/store/retention';
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
