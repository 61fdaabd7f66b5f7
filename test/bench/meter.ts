import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Consumed capacity of every DynamoDB call, from DynamoDB itself: a middleware on the document
 * client sets `ReturnConsumedCapacity: 'INDEXES'` (the total plus the part spent on each GSI) while
 * a measurement is running and sums what the outputs report. Calls are also grouped by a label
 * (operation and the entity prefixes of the keys it touches, e.g. `TransactWrite[TICKET,SURVEY,AGG]`).
 * Items under `LOCAL#...` are the local stand-ins for SNS (SMS outbox, alerts): counted apart,
 * since on AWS they cost no DynamoDB capacity.
 */
export interface LabelUsage {
  calls: number;
  rcu: number;
  wcu: number;
  gsi: number;
}

export interface Usage {
  rcu: number;
  wcu: number;
  /** Part of rcu + wcu spent on global secondary indexes. */
  gsi: number;
  calls: number;
  /** Items a Query examined or a GetItem found. */
  itemsRead: number;
  /** Capacity of the local-only stand-ins for SNS (not on AWS). */
  localOnly: number;
  /** Calls to the local-only stand-ins (not on AWS; DynamoDB Local serves them here all the same). */
  localCalls: number;
  byLabel: Map<string, LabelUsage>;
}

const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

export function emptyUsage(): Usage {
  return { rcu: 0, wcu: 0, gsi: 0, calls: 0, itemsRead: 0, localOnly: 0, localCalls: 0, byLabel: new Map() };
}

let current: Usage | undefined;
/** Errors by name (e.g. TransactionCanceledException), counted whether or not a measurement runs. */
export const errorCounts = new Map<string, number>();

type Input = Record<string, unknown>;

function entity(pk: unknown): string {
  return typeof pk === 'string' ? (pk.split('#')[0] ?? pk) : '?';
}

function pkOf(input: Input): unknown {
  const key = (input.Key ?? input.Item) as Input | undefined;
  if (key?.pk !== undefined) return key.pk;
  const values = input.ExpressionAttributeValues as Input | undefined;
  return values?.[':pk'];
}

function labelOf(command: string, input: Input): string {
  const op = command.replace(/(Item|Items)?Command$/, '');
  const tx = input.TransactItems as Input[] | undefined;
  if (tx) {
    const parts = tx.map((t) => {
      const [kind, body] = Object.entries(t)[0] ?? ['?', {}];
      return `${kind}:${entity(pkOf(body as Input))}`;
    });
    return `${op}[${parts.join(',')}]`;
  }
  const index = typeof input.IndexName === 'string' ? ` ${input.IndexName}` : '';
  return `${op}${index} ${entity(pkOf(input))}`;
}

interface Capacity {
  CapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

function add(u: Usage, label: string, read: boolean, cap: Capacity[], itemsRead: number): void {
  const units = cap.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
  const gsi = cap.reduce(
    (n, c) =>
      n + Object.values(c.GlobalSecondaryIndexes ?? {}).reduce((m, g) => m + (g.CapacityUnits ?? 0), 0),
    0,
  );
  if (label.includes(' LOCAL')) {
    u.localOnly += units;
    u.localCalls++;
    return;
  }
  u.calls++;
  u.itemsRead += itemsRead;
  u.gsi += gsi;
  if (read) u.rcu += units;
  else u.wcu += units;
  const l = u.byLabel.get(label) ?? { calls: 0, rcu: 0, wcu: 0, gsi: 0 };
  l.calls++;
  l.gsi += gsi;
  if (read) l.rcu += units;
  else l.wcu += units;
  u.byLabel.set(label, l);
}

export function installMeter(client: DynamoDBDocumentClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const usage = current;
      const input = args.input as Input;
      if (usage) input.ReturnConsumedCapacity = 'INDEXES';
      let out: Awaited<ReturnType<typeof next>>;
      try {
        out = await next(args);
      } catch (err) {
        const name = err instanceof Error ? err.name : 'Error';
        errorCounts.set(name, (errorCounts.get(name) ?? 0) + 1);
        throw err;
      }
      if (usage) {
        const output = out.output as {
          ConsumedCapacity?: Capacity | Capacity[];
          ScannedCount?: number;
          Item?: unknown;
        };
        const cc = output.ConsumedCapacity;
        const list = cc === undefined ? [] : Array.isArray(cc) ? cc : [cc];
        const command = context.commandName ?? '?';
        const itemsRead = output.ScannedCount ?? (output.Item ? 1 : 0);
        add(usage, labelOf(command, input), READS.has(command), list, itemsRead);
      }
      return out;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
}

/** Runs fn and returns what DynamoDB says it consumed. Measurements must not overlap. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  if (current) throw new Error('measurements must not overlap');
  const usage = emptyUsage();
  current = usage;
  try {
    return { result: await fn(), usage };
  } finally {
    current = undefined;
  }
}

export function sumUsage(list: Usage[]): Usage {
  const t = emptyUsage();
  for (const u of list) {
    t.rcu += u.rcu;
    t.wcu += u.wcu;
    t.gsi += u.gsi;
    t.calls += u.calls;
    t.itemsRead += u.itemsRead;
    t.localOnly += u.localOnly;
    t.localCalls += u.localCalls;
    for (const [k, v] of u.byLabel) {
      const l = t.byLabel.get(k) ?? { calls: 0, rcu: 0, wcu: 0, gsi: 0 };
      l.calls += v.calls;
      l.rcu += v.rcu;
      l.wcu += v.wcu;
      l.gsi += v.gsi;
      t.byLabel.set(k, l);
    }
  }
  return t;
}
