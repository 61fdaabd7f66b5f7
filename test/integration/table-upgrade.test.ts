import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createTable } from '#shared/store/create-table';
import { table } from '#shared/store/table';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';

/**
 * A table an older version made (the local system's `.data/`) lacks the indexes added since (gsi4,
 * the admins' lists): createTable adds them from the catalogue, once, and says which.
 */
// A DynamoDB Local of its own: building an index on an existing table is DDL that the shared one runs
// behind every other test file's traffic (over a minute on a busy machine), not this test's subject.
const dynamo = await startDynamoDbLocal();
const client = new DynamoDBClient({
  endpoint: dynamo.endpoint,
  region: 'cn-north-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

describe('createTable on an existing table', () => {
  it('adds the catalogue indexes it lacks, then nothing', async () => {
    const name = `old-${randomUUID()}`;
    const old = table.indexes.filter((ix) => ix.indexName !== 'gsi4');
    const attrs = ['pk', 'sk', ...old.flatMap((ix) => [ix.partitionKey, ix.sortKey])];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attrs.map((a) => ({ AttributeName: a, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: old.map((ix) => ({
          IndexName: ix.indexName,
          KeySchema: [
            { AttributeName: ix.partitionKey, KeyType: 'HASH' },
            { AttributeName: ix.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    expect(await createTable(client, name)).toEqual(['gsi4']);
    const d = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(d.Table?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.IndexStatus]).sort()).toEqual(
      table.indexes.map((ix) => [ix.indexName, 'ACTIVE']),
    );
    expect(await createTable(client, name)).toEqual([]);
  }, 90_000);
});
