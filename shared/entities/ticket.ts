import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/db/client';
import type { TxItem } from '#shared/db/tx';
import { retentionTtl } from '#shared/retention';
import type { TicketCompleted } from '#shared/schemas/ticket-completed';
import type { Timeliness } from '#shared/timeliness';

/** The answer given for a ticket's completion, stored so that repeats get the very same answer. */
export interface TicketResponse {
  surveyId: string;
  status: 'scheduled' | 'suppressed';
  reason?: string;
}

/**
 * One ticket per source + ticketId. `state` moves completed -> reopened -> completed ...;
 * `completions` counts the completions accepted, and every write is conditional on both, so a
 * repeated or racing delivery can never start a second survey for the same completion.
 */
export interface TicketItem {
  pk: string;
  sk: 'TICKET';
  type: 'ticket';
  state: 'completed' | 'reopened';
  completions: number;
  ticket: TicketCompleted;
  timeliness: Timeliness;
  response: TicketResponse;
  receivedAt: string;
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

/** Records a completion: the first one (no item yet) or the next one after a reopen. */
export function putCompletion(
  previous: TicketItem | undefined,
  ticket: TicketCompleted,
  timeliness: Timeliness,
  response: TicketResponse,
  receivedAt: string,
): TxItem {
  const item: TicketItem = {
    ...ticketKey(ticket.source, ticket.ticketId),
    type: 'ticket',
    state: 'completed',
    completions: (previous?.completions ?? 0) + 1,
    ticket,
    timeliness,
    response,
    receivedAt,
    ttl: retentionTtl(new Date(receivedAt)),
  };
  return {
    Put: {
      TableName: TABLE,
      Item: item,
      ...(previous
        ? {
            ConditionExpression: '#state = :reopened AND completions = :n',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':reopened': 'reopened', ':n': previous.completions },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

export function markReopened(t: TicketItem, reopenedAt: string): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: ticketKey(t.ticket.source, t.ticket.ticketId),
      UpdateExpression: 'SET #state = :reopened, reopenedAt = :at',
      ConditionExpression: '#state = :completed AND completions = :n',
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
