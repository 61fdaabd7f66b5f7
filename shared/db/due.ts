import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';
import { ddb, TABLE } from '#shared/db/client';
import { DUE_INDEX } from '#shared/db/table';

/**
 * The due-work index: an item that has something to happen at a time carries
 * gsi1pk=DUE#{shard} and gsi1sk={iso time}#{id}; the scheduler queries every shard for
 * gsi1sk <= now. Items leave the index (REMOVE gsi1pk, gsi1sk) when nothing is left to do.
 */
export function dueKeys(id: string, at: Date): { gsi1pk: string; gsi1sk: string } {
  const shard = createHash('sha1').update(id).digest().readUInt16BE(0) % config.DUE_SHARDS;
  return { gsi1pk: `DUE#${shard}`, gsi1sk: `${at.toISOString()}#${id}` };
}

export interface DueRef {
  pk: string;
  sk: string;
}

/** Keys of the items due at or before `at`, oldest first within each shard. */
export async function queryDue(at: Date, limitPerShard = 500): Promise<DueRef[]> {
  const upper = `${at.toISOString()}#\uffff`;
  const shards = Array.from({ length: config.DUE_SHARDS }, (_, i) => i);
  const results = await Promise.all(
    shards.map(async (shard) => {
      const refs: DueRef[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: DUE_INDEX,
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :upper',
            ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':upper': upper },
            ProjectionExpression: 'pk, sk',
            ExclusiveStartKey: start,
            Limit: Math.min(100, limitPerShard - refs.length),
          }),
        );
        for (const it of res.Items ?? []) refs.push({ pk: it.pk as string, sk: it.sk as string });
        start = res.LastEvaluatedKey;
      } while (start && refs.length < limitPerShard);
      return refs;
    }),
  );
  return results.flat();
}
