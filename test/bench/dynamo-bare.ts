import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/**
 * DynamoDB Local's own ceiling, without our code: the DynamoDB calls a due item makes (the call mix
 * the due-scale runs metered, by label) replayed bare through the SDK, one call in flight per client,
 * on a table of their own. Shapes are approximate: items of about half a KB, a due-index query
 * returning up to 8 of them, a transaction of as many parts (Put / Update / ConditionCheck / Delete)
 * as the metered one. `parseLabel`, `callMix` and `callSequence` are pure
 * (test/bench/dynamo-bare.test.ts); `seedBare` and `runBare` talk to DynamoDB.
 */

export type TxPart = 'Put' | 'Update' | 'ConditionCheck' | 'Delete';
export type BareCall =
  | { op: 'Get' }
  | { op: 'Query'; index?: string }
  | { op: 'Put' }
  | { op: 'Update' }
  | { op: 'Delete' }
  | { op: 'TransactWrite'; parts: TxPart[] };

export interface MixEntry {
  label: string;
  call: BareCall;
  /** Calls of this label per due item. */
  perItem: number;
}

const TX_PARTS = new Set<string>(['Put', 'Update', 'ConditionCheck', 'Delete']);

/**
 * The call a meter label names (test/bench/meter.ts `labelOf`: `Get TICKET`, `Query gsi1 DUE`,
 * `TransactWrite[Put:SURVEY,Update:TICKET]`), or undefined for one the bare load does not replay
 * (batch and transactional reads, scans).
 */
export function parseLabel(label: string): BareCall | undefined {
  const tx = /^TransactWrite\[(.*)\]$/.exec(label);
  if (tx) {
    const parts = (tx[1] ?? '').split(',').map((p) => p.split(':')[0] ?? '');
    if (parts.length === 0 || !parts.every((p) => TX_PARTS.has(p))) return undefined;
    return { op: 'TransactWrite', parts: parts as TxPart[] };
  }
  const [op, second, third] = label.split(' ');
  if (op === 'Get' || op === 'Put' || op === 'Update' || op === 'Delete') return { op };
  if (op === 'Query') return third !== undefined && second ? { op, index: second } : { op };
  return undefined;
}

/** Calls per due item of every label the bare load replays (most frequent first), and those it leaves out. */
export function callMix(
  byLabel: readonly (readonly [string, { calls: number }])[],
  items: number,
): { mix: MixEntry[]; leftOut: string[] } {
  const mix: MixEntry[] = [];
  const leftOut: string[] = [];
  for (const [label, { calls }] of byLabel) {
    const call = parseLabel(label);
    if (!call) leftOut.push(label);
    else if (calls > 0) mix.push({ label, call, perItem: calls / items });
  }
  mix.sort((a, b) => b.perItem - a.perItem);
  return { mix, leftOut };
}

/**
 * A repeating order of `length` calls (indices into `weights`) in proportion to the weights, spread
 * evenly (smooth weighted round robin: each step every entry gains its weight, the richest is called
 * and pays the total). Deterministic.
 */
export function callSequence(weights: readonly number[], length: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return [];
  const credit = weights.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < length; n++) {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      credit[i] = (credit[i] ?? 0) + (weights[i] ?? 0);
      if ((credit[i] ?? 0) > (credit[best] ?? 0)) best = i;
    }
    credit[best] = (credit[best] ?? 0) - total;
    out.push(best);
  }
  return out;
}

const SEEDED = 64;
const PAYLOAD = 'x'.repeat(480);
const seeded = (prefix: string, i: number) => ({ pk: `BARE#${prefix}#${i % SEEDED}`, sk: 'ITEM' });
/** Items this process has written new (their keys unique across runs: a conditional put must not fail). */
let written = 0;

/** The items a client's calls read and update: 64 under its own prefix, in 8 due-index partitions. */
export async function seedBare(doc: DynamoDBDocumentClient, table: string, prefix: string): Promise<void> {
  for (let i = 0; i < SEEDED; i++) {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...seeded(prefix, i),
          gsi1pk: `BAREDUE#${prefix}#${i % 8}`,
          gsi1sk: `2027-01-01T00:00:00.000Z#${i}`,
          n: 0,
          payload: PAYLOAD,
        },
      }),
    );
  }
}

/**
 * Calls `mix` in proportion for `seconds`, one in flight, on `prefix`'s items (seedBare first); returns
 * how many calls it made and in how long.
 */
export async function runBare(
  doc: DynamoDBDocumentClient,
  table: string,
  prefix: string,
  mix: readonly MixEntry[],
  seconds: number,
): Promise<{ calls: number; seconds: number }> {
  const order = callSequence(
    mix.map((m) => m.perItem),
    1000,
  );
  if (order.length === 0) return { calls: 0, seconds: 0 };
  let seq = 0;
  const fresh = () => ({
    pk: `BAREW#${prefix}#${written}`,
    sk: 'ITEM',
    gsi1pk: `BAREW#${prefix}#${written % 8}`,
    gsi1sk: `2027-01-01T00:00:00.000Z#${written++}`,
    payload: PAYLOAD,
  });
  const one = async (call: BareCall): Promise<void> => {
    const key = seeded(prefix, seq++);
    switch (call.op) {
      case 'Get':
        await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
        return;
      case 'Query':
        await doc.send(
          call.index
            ? new QueryCommand({
                TableName: table,
                IndexName: 'gsi1', // any index query is replayed on the due index's shape
                KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :t',
                ExpressionAttributeValues: { ':p': `BAREDUE#${prefix}#${seq % 8}`, ':t': '2027-01-02' },
                Limit: 25,
              })
            : new QueryCommand({
                TableName: table,
                KeyConditionExpression: 'pk = :p',
                ExpressionAttributeValues: { ':p': key.pk },
                ConsistentRead: true,
              }),
        );
        return;
      case 'Put':
      case 'Delete':
        await doc.send(new PutCommand({ TableName: table, Item: fresh() }));
        return;
      case 'Update':
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
        return;
      case 'TransactWrite':
        await doc.send(
          new TransactWriteCommand({
            TransactItems: call.parts.map((p) => {
              // every part on an item of its own (a transaction may not touch one twice)
              const k = seeded(prefix, seq++);
              if (p === 'Put' || p === 'Delete') {
                return {
                  Put: { TableName: table, Item: fresh(), ConditionExpression: 'attribute_not_exists(pk)' },
                };
              }
              if (p === 'ConditionCheck') {
                return {
                  ConditionCheck: { TableName: table, Key: k, ConditionExpression: 'attribute_exists(pk)' },
                };
              }
              return {
                Update: {
                  TableName: table,
                  Key: k,
                  UpdateExpression: 'ADD n :one',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              };
            }),
          }),
        );
        return;
    }
  };
  const started = performance.now();
  const until = started + seconds * 1000;
  let calls = 0;
  while (performance.now() < until) {
    await one((mix[order[calls % order.length] as number] as MixEntry).call);
    calls++;
  }
  return { calls, seconds: (performance.now() - started) / 1000 };
}
