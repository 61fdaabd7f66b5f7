import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { type InboxOutcome, processInboxKeys } from '#shared/app/sms/inbox';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/**
 * The fast path of the SMS providers' pushes: DynamoDB Streams hands over the keys of each inbox
 * item as it is inserted (filtered on its key prefix, infra/functions.ts) and it is handled at
 * once. The scheduler handles whatever this misses (the item is due from the start), so a failure
 * here only delays it.
 */
export const smsInbox =
  (deps: Deps) =>
  async (event: DynamoDBStreamEvent): Promise<InboxOutcome[]> => {
    const keys = event.Records.map((r) => ({
      pk: r.dynamodb?.Keys?.pk?.S,
      sk: r.dynamodb?.Keys?.sk?.S,
    }));
    return processInboxKeys(deps, keys);
  };

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(smsInbox(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
