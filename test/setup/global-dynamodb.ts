import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';

/** Starts DynamoDB Local once per test run; every test file gets its own table in it. */
export default async function setup(project: TestProject) {
  const local = process.env.DYNAMODB_ENDPOINT
    ? { endpoint: process.env.DYNAMODB_ENDPOINT, stop: async () => {} }
    : await startDynamoDbLocal();
  project.provide('dynamoEndpoint', local.endpoint);
  return async () => {
    await local.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
