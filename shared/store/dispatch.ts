import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DispatchAlertKind } from '#shared/domain/dispatch-alerts';
import type { TicketDispatched } from '#shared/http/schemas/ticket-dispatched';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { retentionTtl } from '#shared/store/retention';
import { ticketKey } from '#shared/store/ticket';
import { type TxItem, writeIf } from '#shared/store/tx';

/**
 * The dispatch of a ticket (POST /v1/tickets/dispatched), stored beside the ticket in its
 * partition: pk=TICKET#{source}#{ticketId}, sk=DISPATCH. One per ticket, written once with a
 * conditional put (a repeat gets the first answer). While an alert is to come (`alerts` names the
 * next one) it sits in the due index at that alert's time; the scheduler sends it unless a
 * completion of the ticket exists (shared/app/scheduler/dispatch-due.ts), and the planning of a
 * completion takes it out of the index (`cancelDispatchAlerts`). No personal data: the customer of
 * the dispatch is not stored.
 */

/** What the dispatch answered, stored so that a repeat gets the very same answer. */
export interface DispatchResponse {
  ticketId: string;
  source: string;
  alerts: 'scheduled' | 'none';
  repairLimitHours: number | null;
  halfTimeAt?: string;
  limitAt?: string;
}

/** The next alert to come, or why none will: sent both, a completion came first, no limit. */
export type DispatchAlertState = DispatchAlertKind | 'done' | 'cancelled' | 'none';

export type StoredDispatch = Omit<TicketDispatched, 'customer'>;

export interface DispatchItem {
  pk: string;
  sk: 'DISPATCH';
  type: 'dispatch';
  dispatch: StoredDispatch;
  response: DispatchResponse;
  receivedAt: string;
  alerts: DispatchAlertState;
  halfTimeAlertAt?: string;
  limitAlertAt?: string;
  cancelledAt?: string;
  ttl?: number;
  gsi1pk?: string;
  gsi1sk?: string;
}

export const dispatchKey = (source: string, ticketId: string) => ({
  pk: ticketKey(source, ticketId).pk,
  sk: 'DISPATCH' as const,
});

/** The due-index id of a dispatch (its pk is the ticket's, which the ticket's entry uses). */
const dueId = (pk: string) => `${pk}#DISPATCH`;

/** The fields a repeat of a dispatch must match (names are labels and may differ). */
export const dispatchCountedFields = [
  'segment',
  'kind',
  'area',
  'faultType',
  'serviceLevel',
  'crossProvince',
  'reportedAt',
  'dispatchedAt',
  'engineer.id',
  'engineer.team',
  'engineer.region',
] as const;
export type DispatchCountedField = (typeof dispatchCountedFields)[number];

/** The counted fields as comparable values: instants as UTC ISO strings, absent ones null. */
export function dispatchCountedOf(d: StoredDispatch): Record<DispatchCountedField, string | null> {
  const str = (v: string | boolean | undefined) => (v === undefined ? null : String(v));
  return {
    segment: d.segment,
    kind: d.kind,
    area: str(d.area),
    faultType: str(d.faultType),
    serviceLevel: str(d.serviceLevel),
    crossProvince: str(d.crossProvince),
    reportedAt: new Date(d.reportedAt).toISOString(),
    dispatchedAt: new Date(d.dispatchedAt).toISOString(),
    'engineer.id': d.engineer.id,
    'engineer.team': d.engineer.team,
    'engineer.region': d.engineer.region,
  };
}

/** The item a dispatch is stored as: in the due index at its half-time alert when it has one. */
export function dispatchItem(
  d: TicketDispatched,
  response: DispatchResponse,
  receivedAt: Date,
): DispatchItem {
  const { customer: _notStored, ...dispatch } = d;
  const { pk, sk } = dispatchKey(d.source, d.ticketId);
  const item: DispatchItem = {
    pk,
    sk,
    type: 'dispatch',
    dispatch,
    response,
    receivedAt: receivedAt.toISOString(),
    alerts: response.halfTimeAt ? 'half_time' : 'none',
    ttl: retentionTtl(receivedAt),
  };
  return response.halfTimeAt ? { ...item, ...dueKeys(dueId(pk), new Date(response.halfTimeAt)) } : item;
}

/** Stores a new dispatch; false when the ticket already has one (the caller reads and compares). */
export function putDispatch(item: DispatchItem): Promise<boolean> {
  return writeIf(() =>
    ddb.send(
      new PutCommand({ TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  );
}

export async function getDispatch(source: string, ticketId: string): Promise<DispatchItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: dispatchKey(source, ticketId), ConsistentRead: true }),
  );
  return res.Item as DispatchItem | undefined;
}

/**
 * A transaction item recording that `sent` went out, valid once (conditional on the dispatch still
 * waiting for `item.alerts`): after the half-time alert it waits in the due index for the limit;
 * after the limit alert it leaves the index.
 */
export function recordDispatchAlert(item: DispatchItem, sent: DispatchAlertKind, at: Date): TxItem {
  const limitAt = item.response.limitAt as string;
  const next = sent === 'half_time' ? dueKeys(dueId(item.pk), new Date(limitAt)) : undefined;
  const stamp = sent === 'half_time' ? 'halfTimeAlertAt' : 'limitAlertAt';
  return {
    Update: {
      TableName: TABLE,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: next
        ? `SET alerts = :next, ${stamp} = :at, gsi1pk = :gpk, gsi1sk = :gsk`
        : `SET alerts = :next, ${stamp} = :at REMOVE gsi1pk, gsi1sk`,
      ConditionExpression: 'alerts = :waiting',
      ExpressionAttributeValues: {
        ':waiting': item.alerts,
        ':next': next ? 'limit_exceeded' : 'done',
        ':at': at.toISOString(),
        ...(next ? { ':gpk': next.gsi1pk, ':gsk': next.gsi1sk } : {}),
      },
    },
  };
}

const CANCEL = 'SET alerts = :cancelled, cancelledAt = :at REMOVE gsi1pk, gsi1sk';

/**
 * A transaction item for the planning of a completion: the dispatch's alerts still to come are
 * cancelled and it leaves the due index (conditional only on the dispatch existing: the alerts
 * step cannot send once a completion exists, so whatever it did meanwhile, cancelled is right).
 */
export function cancelDispatchAlerts(item: DispatchItem, at: Date): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: CANCEL,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': at.toISOString() },
    },
  };
}

/** The alerts step found a completion: the alerts still to come are cancelled (once). */
export function cancelDispatchAlertsNow(item: DispatchItem, at: Date): Promise<boolean> {
  return writeIf(() =>
    ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: CANCEL,
        ConditionExpression: 'alerts = :waiting',
        ExpressionAttributeValues: {
          ':waiting': item.alerts,
          ':cancelled': 'cancelled',
          ':at': at.toISOString(),
        },
      }),
    ),
  );
}

/** Whether the dispatch still waits for an alert. */
export const awaitsAlert = (item: DispatchItem): boolean =>
  item.alerts === 'half_time' || item.alerts === 'limit_exceeded';
