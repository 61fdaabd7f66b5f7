import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createTable } from '../../shared/store/create-table.ts';

/**
 * Runs in each test file's process before the file is imported: points the configuration at
 * DynamoDB Local and at a fresh table of this file's own, so files never see each other's data.
 */
const endpoint = inject('dynamoEndpoint');
const tableName = `test-${randomUUID()}`;
process.env.DYNAMODB_ENDPOINT = endpoint;
process.env.TABLE_NAME = tableName;
process.env.SMS_GATEWAY = 'outbox';
process.env.AWS_REGION = 'cn-north-1';
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.WEBHOOK_SECRET ??= 'whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS13ZWJob29rLXRlc3Rz';

const client = new DynamoDBClient({
  endpoint,
  region: 'cn-north-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
await createTable(client, tableName);
client.destroy();
