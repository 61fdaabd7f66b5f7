import { GetCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/db/client';
import { dueKeys } from '#shared/db/due';
import type { TxItem } from '#shared/db/tx';
import { customerKeys, retentionTtl } from '#shared/retention';
import type { TicketCompleted } from '#shared/schemas/ticket-completed';

/**
 * The answer given for a ticket's completion, stored so that repeats get the very same answer.
 * `scheduled` means accepted with a survey planned; the survey may still end suppressed when it
 * is planned (opted out, surveyed lately), which the work-order reply reports.
 */
export interface TicketResponse {
  surveyId: string;
  status: 'scheduled' | 'suppressed';
  reason?: string;
}

/**
 * One ticket per source + ticketId. `state` moves completed -> reopened -> completed ...;
 * `completions` counts the completions accepted, and every write is conditional on both, so a
 * repeated or racing delivery can never start a second survey for the same completion.
 *
 * A completion is accepted with one conditional write of this item alone (the webhook's only
 * DynamoDB call) and planned later by the scheduler: until then the item sits in the due index
 * (gsi1) and in the customer's erasure index (gsi3); `plannedAt` is set, and both index entries
 * removed, in the transaction that creates its survey and counts it.
 */
export interface TicketItem {
  pk: string;
  sk: 'TICKET';
  type: 'ticket';
  state: 'completed' | 'reopened';
  completions: number;
  ticket: TicketCompleted;
  response: TicketResponse;
  receivedAt: string;
  plannedAt?: string;
  reopenedAt?: string;
  ttl?: number;
}

export const ticketKey = (source: string, ticketId: string) => ({
  pk: `TICKET#${source}#${ticketId}`,
  sk: 'TICKET' as const,
});

export async function getTicket(source: string, ticketId: string): Promise<TicketItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: ticketKey(source, ticketId), ConsistentRead: true }),
  );
  return res.Item as TicketItem | undefined;
}

/**
 * The one write that accepts a completion: the first one (no item yet) or the next one after a
 * reopen (conditional on the reopened state and the count read). The item is due at once, so the
 * next scheduler run plans it.
 */
export function acceptCompletion(
  previous: TicketItem | undefined,
  ticket: TicketCompleted,
  response: TicketResponse,
  receivedAt: Date,
): PutCommandInput {
  const { pk, sk } = ticketKey(ticket.source, ticket.ticketId);
  const item: TicketItem = {
    pk,
    sk,
    type: 'ticket',
    state: 'completed',
    completions: (previous?.completions ?? 0) + 1,
    ticket,
    response,
    receivedAt: receivedAt.toISOString(),
    ttl: retentionTtl(receivedAt),
  };
  return {
    TableName: TABLE,
    Item: {
      ...item,
      ...dueKeys(pk, receivedAt),
      ...customerKeys(ticket.customer.phone, pk),
    },
    ...(previous
      ? {
          ConditionExpression: '#state = :reopened AND completions = :n',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':reopened': 'reopened', ':n': previous.completions },
        }
      : { ConditionExpression: 'attribute_not_exists(pk)' }),
  };
}

/** A transaction item marking the accepted completion planned, valid once per completion. */
export function markPlanned(t: TicketItem, at: Date): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: ticketKey(t.ticket.source, t.ticket.ticketId),
      UpdateExpression: 'SET plannedAt = :at REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk',
      ConditionExpression: 'completions = :n AND attribute_not_exists(plannedAt)',
      ExpressionAttributeValues: { ':at': at.toISOString(), ':n': t.completions },
    },
  };
}

export function markReopened(t: TicketItem, reopenedAt: string): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: ticketKey(t.ticket.source, t.ticket.ticketId),
      UpdateExpression: 'SET #state = :reopened, reopenedAt = :at',
      ConditionExpression: '#state = :completed AND completions = :n AND attribute_exists(plannedAt)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':reopened': 'reopened',
        ':completed': 'completed',
        ':at': reopenedAt,
        ':n': t.completions,
      },
    },
  };
}
