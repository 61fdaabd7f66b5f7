import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import type { TxItem } from '#shared/store/tx';

/** Inbound SMS already handled, by inboundMessageId: written in the transaction that handles it. */
export const inboundKey = (id: string) => ({ pk: `INBOUND#${id}`, sk: 'INBOUND' as const });

const KEEP_SECONDS = 30 * 24 * 3600;

export function markInbound(id: string, outcome: string, at: Date): TxItem {
  return {
    Put: {
      TableName: TABLE,
      Item: {
        ...inboundKey(id),
        type: 'inbound',
        outcome,
        at: at.toISOString(),
        ttl: Math.floor(Date.now() / 1000) + KEEP_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function inboundHandled(id: string): Promise<boolean> {
  const res = await ddb.send(new GetCommand({ TableName: TABLE, Key: inboundKey(id), ConsistentRead: true }));
  return res.Item !== undefined;
}
