import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/db/client';
import type { TxItem } from '#shared/db/tx';
import type { TicketCompleted } from '#shared/schemas/ticket-completed';

/** The answer given for a ticket, stored with it so that repeats get the very same answer. */
export interface TicketResponse {
  surveyId: string;
  status: 'scheduled' | 'suppressed';
  reason?: string;
}

export interface TicketItem {
  pk: string;
  sk: 'TICKET';
  type: 'ticket';
  ticket: TicketCompleted;
  response: TicketResponse;
  receivedAt: string;
}

export const ticketKey = (source: string, ticketId: string) => ({
  pk: `TICKET#${source}#${ticketId}`,
  sk: 'TICKET',
});

export async function getTicket(source: string, ticketId: string): Promise<TicketItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: ticketKey(source, ticketId), ConsistentRead: true }),
  );
  return res.Item as TicketItem | undefined;
}

export function putTicket(ticket: TicketCompleted, response: TicketResponse, receivedAt: string): TxItem {
  const item: TicketItem = {
    ...ticketKey(ticket.source, ticket.ticketId),
    sk: 'TICKET',
    type: 'ticket',
    ticket,
    response,
    receivedAt,
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}
