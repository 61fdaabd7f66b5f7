import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config/config';

/** One client per container, created at module load. */
export const ddb = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    maxAttempts: 6,
    ...(config.DYNAMODB_ENDPOINT
      ? {
          endpoint: config.DYNAMODB_ENDPOINT,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

export const TABLE = config.TABLE_NAME;
