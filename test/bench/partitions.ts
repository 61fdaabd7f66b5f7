import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildDeps } from '#shared/app/deps';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { maskPhone } from '#shared/domain/phone';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import { pinnableClock } from '#shared/runtime/clock';
import { createDbClient, storeSettings, useDb } from '#shared/store/client';
import { createTable } from '#shared/store/create-table';
import { AGG_SHARDS, table as tableDef } from '#shared/store/table';
import type { LocalSystem } from '../../infra/local/server.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { itemBytes } from './report-cost.ts';
import { fixed, pool, table } from './stats.ts';

/**
 * Section 5 (issue 14, goal 2): which partition keys the writes land on. A workload of its own on a
 * table of its own (same definition, same DynamoDB Local): 400 engineers in 20 teams, each with the
 * one completion, every one through its whole life in-process through the
 * use cases (completion and plan, survey sent by the scheduler, rating, reasons after 基本满意/不满意,
 * 85/10/5%). A middleware on that table's document client records every write the SDK sends (PutItem,
 * UpdateItem, DeleteItem, BatchWriteItem, every item of a TransactWriteItems, ConditionChecks included,
 * failed conditions too) with its partition key. Write units per write: the item's size by DynamoDB's
 * rules (itemBytes: the Put's own item; for an update or delete the item as it stands after the run,
 * at least 1 KB counted), 1 WCU per KB rounded up, doubled inside a transaction; each GSI whose key the
 * item carries gets the same units once more on that index's partition. Scaled to 100 completions/s:
 * the key's units in the run / completions in the run x 100. The local stand-ins' logs (`LOCAL#...`,
 * SNS on AWS) are left out.
 */
export const ENGINEERS = 400;
export const TEAMS = 20;
// One completion per engineer: a shard's load is then in proportion to its engineers, as at scale.
const PER_ENGINEER = 1;
const MONTH_DAYS = ['2027-03-02'];
const GOAL_WCU = 500;
const RATE = 100;

interface Write {
  pk: string;
  sk: string;
  tx: boolean;
  /** The item, for a Put. */
  item?: Record<string, unknown>;
}

export interface KeyLoad {
  key: string;
  writes: number;
  wcu: number;
  /** WCU per second at RATE completions per second. */
  atRate: number;
}

export interface PartitionsResult {
  seconds: number;
  completions: number;
  writes: number;
  wcuPerCompletion: number;
  table: KeyLoad[];
  gsi: KeyLoad[];
  /** The same writes with the aggregate shards folded back into one key per month (the old layout). */
  unsharded: KeyLoad[];
}

type Input = Record<string, unknown>;

function recordWrites(client: DynamoDBDocumentClient, out: Write[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Input;
      const cmd = context.commandName ?? '';
      const key = (k: unknown, tx: boolean, item?: Input) => {
        const o = (k ?? {}) as Input;
        out.push({ pk: String(o.pk), sk: String(o.sk), tx, ...(item ? { item } : {}) });
      };
      if (cmd === 'PutItemCommand') key(input.Item, false, input.Item as Input);
      else if (cmd === 'UpdateItemCommand' || cmd === 'DeleteItemCommand') key(input.Key, false);
      else if (cmd === 'TransactWriteItemsCommand') {
        for (const t of (input.TransactItems ?? []) as Input[]) {
          const [kind, body] = Object.entries(t)[0] ?? ['', {}];
          const b = body as Input;
          if (kind === 'Put') key(b.Item, true, b.Item as Input);
          else key(b.Key, true);
        }
      } else if (cmd === 'BatchWriteItemCommand') {
        for (const reqs of Object.values((input.RequestItems ?? {}) as Record<string, Input[]>)) {
          for (const r of reqs) {
            const put = r.PutRequest as Input | undefined;
            if (put) key(put.Item, false, put.Item as Input);
            else key((r.DeleteRequest as Input | undefined)?.Key, false);
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchPartitionRecorder' },
  );
}

/** The items as they stand now, by `pk sk`. */
async function currentItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: { pk: string; sk: string }[],
): Promise<Map<string, Input>> {
  const out = new Map<string, Input>();
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Input[] }> | undefined = {
      [tableName]: { Keys: keys.slice(i, i + 100) },
    };
    while (request && Object.keys(request).length > 0) {
      const res: { Responses?: Record<string, Input[]>; UnprocessedKeys?: Record<string, unknown> } =
        await client.send(new BatchGetCommand({ RequestItems: request }));
      for (const it of res.Responses?.[tableName] ?? []) out.set(`${it.pk} ${it.sk}`, it);
      request = res.UnprocessedKeys as typeof request;
    }
  }
  return out;
}

/** A key as shown: phone numbers masked (the bench's are made up, but keys are shown as a person reads them). */
const shown = (key: string) => key.replace(/\+86\d{11}/g, (p) => maskPhone(p));
const foldShards = (pk: string) => pk.replace(/^(AGGM?#\d{4}-\d{2})#\d+$/, '$1');

function loads(units: Map<string, { writes: number; wcu: number }>, completions: number): KeyLoad[] {
  return [...units]
    .map(([key, u]) => ({ key, writes: u.writes, wcu: u.wcu, atRate: (u.wcu / completions) * RATE }))
    .sort((a, b) => b.wcu - a.wcu || a.key.localeCompare(b.key));
}

export async function runPartitions(sys: LocalSystem, log: (s: string) => void): Promise<PartitionsResult> {
  const tableName = `${sys.tableName}-partitions`;
  const raw = new DynamoDBClient({
    region: sys.deps.config.AWS_REGION,
    endpoint: sys.dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(raw, tableName);
  raw.destroy();
  const before = storeSettings();
  const clock = pinnableClock();
  // The local system's configuration on a table of its own (buildDeps points the store at it).
  const config = { ...sys.deps.config, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: sys.dynamoEndpoint };
  const client = createDbClient({ region: config.AWS_REGION, endpoint: sys.dynamoEndpoint });
  const writes: Write[] = [];
  recordWrites(client, writes);
  const t0 = performance.now();
  let completions = 0;
  try {
    const deps = buildDeps(config, { clock, sms: sys.deps.sms, alerts: sys.deps.alerts });
    useDb({ ...storeSettings(), client });
    const engineers = Array.from({ length: ENGINEERS }, (_, i) => ({
      id: `PE${String(i).padStart(4, '0')}`,
      name: `钱师傅${i}`,
      team: `PT${String(i % TEAMS).padStart(2, '0')}`,
      region: `PR${i % 4}`,
    }));
    let seq = 0;
    for (const day of MONTH_DAYS) {
      clock.pin(new Date(`${day}T10:00:00+08:00`));
      const tickets = engineers.map((e, i) => {
        seq++;
        const local = `151${String(10_000_000 + seq).slice(-8)}`;
        return {
          phone: `+86${local}`,
          rating: seq % 20 === 0 ? 3 : seq % 10 === 5 || seq % 20 === 10 ? 2 : 1,
          body: ticketCompletedSchemaAt(clock).parse({
            ticketId: `PB-${day}-${e.id}`,
            source: 'ossA',
            segment: 'home',
            kind: 'repair',
            area: 'urban',
            faultType: 'equipment',
            reportedAt: `${day}T06:${String(10 + (i % 40)).padStart(2, '0')}:00+08:00`,
            firstContactAt: `${day}T07:${String(10 + (i % 40)).padStart(2, '0')}:00+08:00`,
            completedAt: `${day}T09:${String(i % 50).padStart(2, '0')}:00+08:00`,
            engineer: e,
            customer: { phone: local },
          }),
        };
      });
      await pool(8, tickets, (t) => completeAndPlan(deps, t.body));
      completions += tickets.length;
      clock.pin(new Date(`${day}T10:30:00+08:00`));
      let sent = 0;
      for (let i = 0; i < 20 && sent < tickets.length; i++) {
        const r = await runDueWork(deps);
        sent += r.surveysSent ?? 0;
        if ((r.surveysSent ?? 0) === 0) break;
      }
      if (sent !== tickets.length)
        throw new Error(`${day}: ${sent} surveys sent, expected ${tickets.length}`);
      clock.pin(new Date(`${day}T10:40:00+08:00`));
      const rated = await pool(8, tickets, (t) =>
        handleInboundSms(deps, {
          originationNumber: t.phone,
          messageBody: String(t.rating),
          inboundMessageId: `pb-${randomUUID()}`,
        }),
      );
      if (rated.some((o) => o !== 'rated')) throw new Error(`${day}: not every reply was rated`);
      clock.pin(new Date(`${day}T10:45:00+08:00`));
      await pool(
        8,
        tickets.filter((t) => t.rating !== 1),
        (t) =>
          handleInboundSms(deps, {
            originationNumber: t.phone,
            messageBody: t.rating === 3 ? '1 5' : '2',
            inboundMessageId: `pb-${randomUUID()}`,
          }),
      );
      log(`  ${completions} completions through their lives, ${writes.length} writes recorded`);
    }
    const seconds = (performance.now() - t0) / 1000;

    // Units of each write, from the item's size (the Put's item, else the item as it is now).
    const ours = writes.filter((w) => !w.pk.startsWith('LOCAL#'));
    const unique = new Map(
      ours.filter((w) => !w.item).map((w) => [`${w.pk} ${w.sk}`, { pk: w.pk, sk: w.sk }]),
    );
    const now = await currentItems(client, tableName, [...unique.values()]);
    const byPk = new Map<string, { writes: number; wcu: number }>();
    const byGsi = new Map<string, { writes: number; wcu: number }>();
    const folded = new Map<string, { writes: number; wcu: number }>();
    const add = (m: Map<string, { writes: number; wcu: number }>, k: string, wcu: number) => {
      const u = m.get(k) ?? { writes: 0, wcu: 0 };
      u.writes++;
      u.wcu += wcu;
      m.set(k, u);
    };
    let total = 0;
    for (const w of ours) {
      const item = w.item ?? now.get(`${w.pk} ${w.sk}`);
      const units = Math.max(1, Math.ceil((item ? itemBytes(item) : 1024) / 1024));
      const wcu = units * (w.tx ? 2 : 1);
      total += wcu;
      add(byPk, w.pk, wcu);
      add(folded, foldShards(w.pk), wcu);
      for (const ix of tableDef.indexes) {
        const v = item?.[ix.partitionKey];
        if (typeof v === 'string') {
          add(byGsi, `${ix.indexName} ${v}`, units);
          total += units;
        }
      }
    }
    return {
      seconds,
      completions,
      writes: ours.length,
      wcuPerCompletion: total / completions,
      table: loads(byPk, completions),
      gsi: loads(byGsi, completions),
      unsharded: loads(folded, completions).filter((l) => /^AGGM?#/.test(l.key)),
    };
  } finally {
    clock.pin(undefined);
    useDb(before);
    client.destroy();
  }
}

/** Section 5 of BENCHMARKS.md. */
export function partitionsSection(r: PartitionsResult): string[] {
  const top = r.table[0];
  const topGsi = r.gsi[0];
  const old = r.unsharded[0];
  const met =
    top !== undefined && top.atRate < GOAL_WCU && (topGsi === undefined || topGsi.atRate < GOAL_WCU);
  const rows = (list: KeyLoad[], n: number) =>
    list
      .slice(0, n)
      .map((l) => [
        `\`${shown(l.key)}\``,
        l.writes,
        fixed(l.wcu, 0),
        fixed(l.wcu / r.completions, 2),
        `**${fixed(l.atRate, 0)}**`,
      ]);
  const head = [
    'partition key',
    'writes in the run',
    'WCU in the run',
    'WCU per completion',
    `WCU/s at ${RATE} completions/s`,
  ];
  return [
    '## 5. Write partitions',
    '',
    `${r.completions.toLocaleString('en-US')} completions (${ENGINEERS} engineers in ${TEAMS} teams, ${PER_ENGINEER} each, on ${MONTH_DAYS.length} day),`,
    'each through its whole life in-process through the use cases (completion and plan, survey sent by the scheduler,',
    'rating, reasons after 基本满意/不满意: 85/10/5%), on a table of their own, in ' +
      `${fixed(r.seconds, 0)} s. A middleware on that table's document client records every write the SDK sends`,
    '(PutItem, UpdateItem, DeleteItem, BatchWriteItem, each item of a TransactWriteItems, ConditionChecks and failed',
    "conditions included) with its partition key. Units of a write: the item's size by DynamoDB's rules (a Put's own item;",
    'for an update or delete the item as it is after the run, at least 1 KB), 1 WCU per KB rounded up, doubled in a',
    'transaction; each GSI whose key the item carries gets the units once more on that partition of the index.',
    `Scaled to ${RATE} completions/s (about ${fixed((RATE * 86_400) / 1e6, 1)} million a day): the key's units in the run / completions in the run x ${RATE}.`,
    `Local stand-ins' logs (\`LOCAL#...\`, SNS on AWS) left out. ${r.writes.toLocaleString('en-US')} writes, ` +
      `${fixed(r.wcuPerCompletion, 1)} WCU per completion in all (table and indexes).`,
    '',
    'Busiest partition keys of the table:',
    '',
    table(head, rows(r.table, 6)),
    '',
    'Busiest partitions of the indexes:',
    '',
    table(head, rows(r.gsi, 4)),
    '',
    `The same writes with the aggregate shards folded back into one key a month (the layout before, \`AGG#{yyyy-mm}\`, \`AGGM#{yyyy-mm}\`):`,
    '',
    table(head, rows(r.unsharded, 2)),
    '',
    `**Goal: busiest partition key under ${GOAL_WCU} WCU/s (50% of 1,000) at ${RATE} completions/s: ${met ? 'met' : 'not met'}** ` +
      `(table: \`${shown(top?.key ?? '-')}\` ${fixed(top?.atRate ?? 0, 0)} WCU/s; indexes: \`${shown(topGsi?.key ?? '-')}\` ${fixed(topGsi?.atRate ?? 0, 0)} WCU/s; ` +
      `before the shards: \`${old?.key ?? '-'}\` ${fixed(old?.atRate ?? 0, 0)} WCU/s).`,
    `Every counted event writes the engineer's daily item and month roll-up (\`aggregateUpdates\`); they are now under`,
    `\`AGG#{yyyy-mm}#{shard}\` and \`AGGM#{yyyy-mm}#{shard}\`, the shard from the engineer id (FNV-1a, ${AGG_SHARDS} shards,`,
    "`AGG_SHARDS` in shared/store/table.ts), so a month's events spread over that many keys of each kind, in proportion",
    `to the engineers on each shard (${ENGINEERS} here). Readers query every shard and the unsharded key of items written`,
    `before the shards (${AGG_SHARDS + 1} Queries in parallel, each at least 0.5 RCU on AWS: a month report of a team costs`,
    `about ${fixed((AGG_SHARDS + 1) * 0.5, 1)} RCU instead of 1.5; section 2 shows it still costs the same at 1k and 100k responses).`,
    'Every other key is one ticket, survey, phone or message, or a slot of the due index (64 slots): none grows with the',
    `national volume. Peaks: at 3x the average rate in the busiest hour the busiest shard key takes ${fixed(3 * (top?.atRate ?? 0), 0)} WCU/s,`,
    `still under ${GOAL_WCU}; one month key would have taken ${fixed(3 * (old?.atRate ?? 0), 0)}, past the 1,000 a partition serves.`,
    '',
  ];
}
