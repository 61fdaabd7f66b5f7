import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global-dynamodb.ts'],
    setupFiles: ['test/setup/table.ts'],
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // DynamoDB Local is one JVM shared by every file: keep the pressure on a 2-core machine sane.
    maxWorkers: 2,
  },
});
