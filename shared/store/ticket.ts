import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { customerKeys, retentionTtl } from '#shared/store/retention';
import { type TxItem, updateIfExists, writeIf } from '#shared/store/tx';

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
  /** The earlier completions, each ended by a reopen, oldest first (see `PastCompletion`). */
  history?: PastCompletion[];
  ttl?: number;
}

/**
 * What a repeat must match: the fields of a completion that are counted or decide what is sent
 * to whom. The names (`engineer.name`, `customer.name`) are labels and may differ in a repeat.
 */
export const countedFields = [
  'segment',
  'kind',
  'area',
  'faultType',
  'serviceLevel',
  'crossProvince',
  'reportedAt',
  'dispatchedAt',
  'firstContactAt',
  'appointmentAt',
  'appointmentChangedAt',
  'originalAppointmentAt',
  'appointmentChangedBy',
  'arrivedAt',
  'completedAt',
  'excludedMinutes',
  'engineer.id',
  'engineer.team',
  'engineer.region',
  'customer.phone',
] as const;
export type CountedField = (typeof countedFields)[number];
/** The counted fields as comparable values: instants as UTC ISO strings, absent ones null. */
export type Counted = Partial<Record<CountedField, string | null>>;

export function countedOf(t: TicketCompleted): Counted {
  const at = (v: string | undefined) => (v ? new Date(v).toISOString() : null);
  const str = (v: string | number | boolean | undefined) => (v === undefined ? null : String(v));
  return {
    segment: t.segment,
    kind: t.kind,
    area: str(t.area),
    faultType: str(t.faultType),
    serviceLevel: str(t.serviceLevel),
    crossProvince: str(t.crossProvince),
    reportedAt: at(t.reportedAt),
    dispatchedAt: at(t.dispatchedAt),
    firstContactAt: at(t.firstContactAt),
    appointmentAt: at(t.appointmentAt),
    appointmentChangedAt: at(t.appointmentChangedAt),
    originalAppointmentAt: at(t.originalAppointmentAt),
    appointmentChangedBy: str(t.appointmentChangedBy),
    arrivedAt: at(t.arrivedAt),
    completedAt: at(t.completedAt),
    excludedMinutes: str(t.excludedMinutes),
    'engineer.id': t.engineer.id,
    'engineer.team': t.engineer.team,
    'engineer.region': t.engineer.region,
    'customer.phone': t.customer.phone,
  };
}

/**
 * An earlier completion of the ticket, ended by the reopen at `reopenedAt`: kept so that a late
 * repeat of it, or of its reopen, is recognised and answered as the first time. Its counted
 * fields are kept without the customer's phone (personal data lives in `ticket` alone, where an
 * erasure masks it).
 */
export interface PastCompletion {
  completedAt: string;
  counted: Counted;
  response: TicketResponse;
  reopenedAt: string;
}

/** The start of every ticket's pk (customers' listings are filtered by it). */
export const TICKET_PK_PREFIX = 'TICKET#';

export const ticketKey = (source: string, ticketId: string) => ({
  pk: `${TICKET_PK_PREFIX}${source}#${ticketId}`,
  sk: 'TICKET' as const,
});

export async function getTicket(source: string, ticketId: string): Promise<TicketItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: ticketKey(source, ticketId), ConsistentRead: true }),
  );
  return res.Item as TicketItem | undefined;
}

/** The ticket item a completion is accepted as: due at once, so the next scheduler run plans it. */
export function completionItem(
  previous: TicketItem | undefined,
  ticket: TicketCompleted,
  response: TicketResponse,
  receivedAt: Date,
): TicketItem {
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
    ...(previous ? { history: [...(previous.history ?? []), pastCompletion(previous)] } : {}),
    ttl: retentionTtl(receivedAt),
  };
  return { ...item, ...dueKeys(pk, receivedAt), ...customerKeys(ticket.customer.phone, pk) };
}

/**
 * The one write that accepts a completion: the first one (no item yet) or the next one after a
 * reopen (conditional on the reopened state and the count read). `accepted`, or `changed` when
 * the ticket is not as read (it exists, or changed since): the caller reads it and decides again.
 */
export async function putCompletion(
  previous: TicketItem | undefined,
  ticket: TicketCompleted,
  response: TicketResponse,
  receivedAt: Date,
): Promise<'accepted' | 'changed'> {
  const written = await writeIf(() =>
    ddb.send(
      new PutCommand({
        TableName: TABLE,
        Item: completionItem(previous, ticket, response, receivedAt),
        ...(previous
          ? {
              ConditionExpression: '#state = :reopened AND completions = :n',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':reopened': 'reopened', ':n': previous.completions },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    ),
  );
  return written ? 'accepted' : 'changed';
}

function pastCompletion(t: TicketItem): PastCompletion {
  const { 'customer.phone': _phone, ...counted } = countedOf(t.ticket);
  return {
    completedAt: new Date(t.ticket.completedAt).toISOString(),
    counted,
    response: t.response,
    reopenedAt: t.reopenedAt ?? '',
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

/**
 * A transaction condition that the ticket has no completion yet (no item): the dispatch alerts
 * (store/dispatch.ts) are sent only while it holds.
 */
export function noCompletionYet(source: string, ticketId: string): TxItem {
  return {
    ConditionCheck: {
      TableName: TABLE,
      Key: ticketKey(source, ticketId),
      ConditionExpression: 'attribute_not_exists(pk)',
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

/** Erasure: the ticket keeps what was counted but its customer is replaced by the masked phone. */
export async function maskTicketCustomer(
  source: string,
  ticketId: string,
  masked: string,
  at: string,
): Promise<void> {
  await updateIfExists(
    ticketKey(source, ticketId),
    'SET #t.#c = :c',
    { '#t': 'ticket', '#c': 'customer' },
    { ':c': { phone: masked, erasedAt: at } },
  );
}
