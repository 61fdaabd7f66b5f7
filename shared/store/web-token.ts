import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import type { TxItem } from '#shared/store/tx';

/**
 * The web survey's token: pk=WEBTOKEN#{token}, sk=WEBTOKEN -> surveyId, written in the
 * transaction that sends the survey, marked used (`usedAt`) in the answer's own transaction.
 */
export interface WebTokenItem {
  pk: string;
  sk: 'WEBTOKEN';
  type: 'web_token';
  surveyId: string;
  createdAt: string;
  usedAt?: string;
  /** TTL (epoch seconds). */
  ttl: number;
}

/** The lookup item outlives the survey this long, so a late visitor still gets "already closed". */
const KEEP_AFTER_EXPIRY_SECONDS = 90 * 24 * 3600;

export const webTokenKey = (token: string) => ({ pk: `WEBTOKEN#${token}`, sk: 'WEBTOKEN' as const });

/** The item that makes `token` lead to the survey; conditional so a token is never reused. */
export function putWebToken(token: string, surveyId: string, surveyExpiresAt: Date, at: Date): TxItem {
  const item: WebTokenItem = {
    ...webTokenKey(token),
    type: 'web_token',
    surveyId,
    createdAt: at.toISOString(),
    ttl: Math.floor(surveyExpiresAt.getTime() / 1000) + KEEP_AFTER_EXPIRY_SECONDS,
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Marks the token used, in the answer's transaction: it succeeds once. */
export function useWebToken(token: string, at: Date): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: webTokenKey(token),
      UpdateExpression: 'SET usedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
      ExpressionAttributeValues: { ':at': at.toISOString() },
    },
  };
}

export async function getWebToken(token: string): Promise<WebTokenItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: webTokenKey(token), ConsistentRead: true }),
  );
  return res.Item as WebTokenItem | undefined;
}
