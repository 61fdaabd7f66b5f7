import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';

/**
 * The local stand-ins for SNS keep what they "sent" in one partition per kind, ordered by the
 * domain clock and then by a monotonic sequence: `sms` (the SMS outbox gateway, pk=LOCAL#OUTBOX)
 * and `alerts` (the supervisors' alerts, pk=LOCAL#ALERTS). Local only; nothing on AWS writes them.
 */
export type LocalLogKind = 'sms' | 'alerts';

const LOG_PK: Record<LocalLogKind, string> = { sms: 'LOCAL#OUTBOX', alerts: 'LOCAL#ALERTS' };

/** Appends a record to a local log, filed under `when` (the domain clock's time); returns it. */
export async function appendLocal(
  kind: LocalLogKind,
  record: Record<string, unknown>,
  when: Date,
): Promise<string> {
  const at = when.toISOString();
  const seq = process.hrtime.bigint().toString().padStart(20, '0');
  await ddb.send(
    new PutCommand({ TableName: TABLE, Item: { ...record, pk: LOG_PK[kind], sk: `${at}#${seq}` } }),
  );
  return at;
}

/** Every record of a local log, oldest first, without its keys (optionally only those whose `to` matches). */
export async function listLocal(kind: LocalLogKind, to?: string): Promise<Record<string, unknown>[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': LOG_PK[kind], ...(to ? { ':to': to } : {}) },
    ...(to ? { FilterExpression: '#to = :to', ExpressionAttributeNames: { '#to': 'to' } } : {}),
  });
  return items.map(({ pk: _pk, sk: _sk, ...rest }) => rest);
}
