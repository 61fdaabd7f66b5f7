import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '#shared/store/create-table';
import { type LocalDynamo, startDynamoDbLocal } from './dynamodb-local.ts';
import { privateDir } from './secrets.ts';

/** The local system's DynamoDB: one given by endpoint, or DynamoDB Local started here; the table made. */
export interface LocalDatabase {
  /** The DynamoDB Local started, to stop with the system (none for an external endpoint). */
  dynamo: LocalDynamo | undefined;
  dynamoEndpoint: string;
  /** The DynamoDB data directory, or `in memory`, or `external (<endpoint>)`. */
  dataLocation: string;
  /** Indexes added to a table an older version made (its items then need the backfill). */
  addedIndexes: string[];
}

export async function startDatabase(input: {
  dir: string;
  tableName: string;
  region: string;
  inMemory?: boolean;
  dynamoEndpoint?: string;
  dynamoPort?: number;
}): Promise<LocalDatabase> {
  let db: LocalDatabase;
  if (input.dynamoEndpoint) {
    db = {
      dynamo: undefined,
      dynamoEndpoint: input.dynamoEndpoint,
      dataLocation: `external (${input.dynamoEndpoint})`,
      addedIndexes: [],
    };
  } else {
    const dbPath = input.inMemory ? undefined : join(input.dir, 'dynamodb');
    if (dbPath) privateDir(dbPath);
    const dynamo = await startDynamoDbLocal({
      ...(input.dynamoPort ? { port: input.dynamoPort } : {}),
      ...(dbPath ? { path: dbPath } : {}),
    });
    db = { dynamo, dynamoEndpoint: dynamo.endpoint, dataLocation: dbPath ?? 'in memory', addedIndexes: [] };
  }
  try {
    const client = new DynamoDBClient({
      endpoint: db.dynamoEndpoint,
      region: input.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      db.addedIndexes = await createTable(client, input.tableName);
    } finally {
      client.destroy();
    }
  } catch (err) {
    await db.dynamo?.stop();
    throw err;
  }
  return db;
}
