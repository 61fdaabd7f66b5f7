import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { retentionTtl } from '#shared/store/retention';
import type { TxItem } from '#shared/store/tx';

/**
 * The last repair known for one customer phone (返修, domain/repeat-repair.ts): which survey
 * (completion) it was and when it was completed, so that planning the next repair finds the
 * previous one with one GetItem (no Scan). pk=REPAIR#{e164}, sk=LAST.
 *
 * Written only in the planning transaction of a repair (plan-ticket.ts), conditional on the
 * record as read (`version`), so two repairs of one phone planned at once serialise: the loser's
 * transaction fails and its ticket is planned again on the next scheduler run, on the new record.
 * Holds the phone in clear: expires with the raw records (`retention.days`) and is deleted when
 * the customer is erased.
 */
export interface LastRepair {
  pk: string;
  sk: 'LAST';
  phone: string;
  version: number;
  surveyId: string;
  source: string;
  ticketId: string;
  completedAt: string;
  ttl?: number;
}

export type LastRepairFields = Pick<LastRepair, 'surveyId' | 'source' | 'ticketId' | 'completedAt'>;

export const lastRepairKey = (phone: string) => ({ pk: `REPAIR#${phone}`, sk: 'LAST' as const });

/** The phone's last repair, or undefined (never repaired, expired or erased). */
export async function getLastRepair(phone: string): Promise<LastRepair | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: lastRepairKey(phone), ConsistentRead: true }),
  );
  return res.Item as LastRepair | undefined;
}

/** The record's condition: unchanged since it was read (same version), or still absent. */
function asRead(read: LastRepair | undefined) {
  return read
    ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': read.version } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };
}

/** A transaction item making `next` the phone's last repair, valid only on the record as read. */
export function saveLastRepair(
  phone: string,
  read: LastRepair | undefined,
  next: LastRepairFields,
  at: Date,
): TxItem {
  const item: LastRepair = {
    ...lastRepairKey(phone),
    phone,
    version: (read?.version ?? 0) + 1,
    ...next,
    ttl: retentionTtl(at),
  };
  return { Put: { TableName: TABLE, Item: item, ...asRead(read) } };
}

/** A transaction item asserting the record is as read (a decision taken on it changes nothing). */
export function lastRepairUnchanged(phone: string, read: LastRepair | undefined): TxItem {
  return { ConditionCheck: { TableName: TABLE, Key: lastRepairKey(phone), ...asRead(read) } };
}

/** Erasure: the phone's last-repair record goes (it holds the phone in clear). */
export async function deleteLastRepair(phone: string): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: TABLE, Key: lastRepairKey(phone) }));
}
