import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The table the store works on: its client, its name and the few settings of the storage layer.
 * Set once per container by the composition root (shared/app/deps.ts: buildDeps calls useDb);
 * every store module reads it through the live bindings below. Nothing is created at import.
 */
export interface Db {
  client: DynamoDBDocumentClient;
  table: string;
  /** How many partitions of the due index are read at once. */
  dueShards: number;
  /** Days a raw record holding personal data is kept (its TTL). */
  retentionDays: number;
  /** Days a callback or complaint case (the archive) is kept (its TTL); absent = `retentionDays`. */
  caseRetentionDays?: number;
  /** The URL replies to a source's work orders go to, or undefined when it wants none. */
  replyUrl(source: string): string | undefined;
}

/** A DynamoDB document client (DynamoDB Local when `endpoint` is given). */
export function createDbClient(opts: {
  region: string;
  endpoint?: string | undefined;
}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: opts.region,
      maxAttempts: 6,
      ...(opts.endpoint
        ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

const notInitialised = new Proxy({} as DynamoDBDocumentClient, {
  get() {
    throw new Error('the store is not initialised: build the dependencies (buildDeps) first');
  },
});

/** The client of the current table (live: set by useDb). */
export let ddb: DynamoDBDocumentClient = notInitialised;
/** The name of the current table (live: set by useDb). */
export let TABLE = '';
let current: Db | undefined;

/** Points the store at a table (the composition root, once per container). */
export function useDb(db: Db): void {
  current = db;
  ddb = db.client;
  TABLE = db.table;
}

/** The store's settings (throws before useDb). */
export function storeSettings(): Db {
  if (!current) throw new Error('the store is not initialised: build the dependencies (buildDeps) first');
  return current;
}
