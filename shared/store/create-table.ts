import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { table } from '#shared/store/table';

/**
 * Creates the table (local system and tests) from the same definition the CDK stack uses. A table
 * that exists already gets the catalogue's indexes it lacks (a local table made by an older
 * version), one at a time as DynamoDB allows; their names are returned (their items need
 * `npm run backfill-lists`, infra/ops/backfill-lists.ts).
 */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const keyAttrs = new Set<string>([table.partitionKey, table.sortKey]);
  for (const ix of table.indexes) {
    keyAttrs.add(ix.partitionKey);
    keyAttrs.add(ix.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: table.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.map((ix) => ({
          IndexName: ix.indexName,
          KeySchema: [
            { AttributeName: ix.partitionKey, KeyType: 'HASH' },
            { AttributeName: ix.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    return addMissingIndexes(client, tableName);
  }
  for (let i = 0; i < 50; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    }),
  );
  return [];
}

async function addMissingIndexes(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((ix) => ix.IndexName));
  const added: string[] = [];
  for (const ix of table.indexes.filter((i) => !present.has(i.indexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [ix.partitionKey, ix.sortKey].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: ix.indexName,
              KeySchema: [
                { AttributeName: ix.partitionKey, KeyType: 'HASH' },
                { AttributeName: ix.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
    // poll with a deadline until the index can be queried
    const deadline = Date.now() + 60_000;
    for (;;) {
      const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const status = d.Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === ix.indexName)?.IndexStatus;
      if (status === 'ACTIVE' && d.Table?.TableStatus === 'ACTIVE') break;
      if (Date.now() > deadline)
        throw new Error(`index ${ix.indexName} of ${tableName} not active after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    added.push(ix.indexName);
  }
  return added;
}
