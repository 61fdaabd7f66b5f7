import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { now } from '#shared/runtime/clock';
import { ddb, TABLE } from '#shared/store/client';
import { queryAll } from '#shared/store/query';

/**
 * The local stand-ins for SNS (the SMS outbox, the alert log) keep what they "sent" in one
 * partition each, ordered by the domain clock and then by a monotonic sequence.
 */
export async function appendLocal(pk: string, record: Record<string, unknown>): Promise<string> {
  const at = now().toISOString();
  const seq = process.hrtime.bigint().toString().padStart(20, '0');
  await ddb.send(new PutCommand({ TableName: TABLE, Item: { ...record, pk, sk: `${at}#${seq}` } }));
  return at;
}

/** Every record of a local log, oldest first, without its keys (optionally only those whose `to` matches). */
export async function listLocal(pk: string, to?: string): Promise<Record<string, unknown>[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk, ...(to ? { ':to': to } : {}) },
    ...(to ? { FilterExpression: '#to = :to', ExpressionAttributeNames: { '#to': 'to' } } : {}),
  });
  return items.map(({ pk: _pk, sk: _sk, ...rest }) => rest);
}
