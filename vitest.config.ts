import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit`: pure rules and formats, no DynamoDB and no global setup (`npm run test:unit`,
 * seconds). `dynamodb`: everything else (integration, local server, end-to-end, infra, browser) on
 * one DynamoDB Local started once per run, each file on a table of its own. `npm test` runs both.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // DynamoDB Local is one JVM shared by every file: keep the pressure on a 2-core machine sane.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The configuration is read at import; a unit test never reaches a table (an endpoint
          // nothing listens on makes one that tries fail at once rather than look for AWS).
          env: {
            TABLE_NAME: 'unit-tests-have-no-table',
            DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
            AWS_REGION: 'cn-north-1',
            SMS_GATEWAY: 'outbox',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'dynamodb',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          globalSetup: ['test/setup/global-dynamodb.ts'],
          setupFiles: ['test/setup/table.ts'],
        },
      },
    ],
  },
});
