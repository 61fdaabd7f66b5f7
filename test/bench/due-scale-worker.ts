// A due worker in a process of its own (test/bench/due-scale.ts forks eight): the real worker code
// (`runDueSlots`, as functions/due-worker runs it) on the bench's table in DynamoDB Local, capacity
// metered, its own CPU time reported. One process also seeds the backlogs (the timed one and the warm-up
// one, on a table of its own) through the use cases. Commands arrive over IPC.
import { buildDeps } from '#shared/app/deps';
import { runDueSlots } from '#shared/app/scheduler/run-due-work';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { loadConfig } from '#shared/config/config';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import { pinnableClock } from '#shared/runtime/clock';
import { createDbClient, ddb, storeSettings, TABLE, useDb } from '#shared/store/client';
import { dueSlotNumbers } from '#shared/store/due';
import { type MixEntry, runBare, seedBare } from './dynamo-bare.ts';
import { installMeter, measure } from './meter.ts';

export type Command =
  /** Seeds a backlog on `table` (the bench's own when absent). */
  | { cmd: 'seed'; perKind: number; day: string; table?: string }
  /** Works `slots` of `table` (the bench's own when absent), timed and metered. */
  | { cmd: 'work'; slots: number[]; at: string; concurrency: number; table?: string }
  /** Seeds this process's items for the bare load on `table` (test/bench/dynamo-bare.ts). */
  | { cmd: 'bare-seed'; table: string; prefix: string }
  /** The bare load: `mix` for `seconds`, one call in flight, through a client of its own. */
  | { cmd: 'bare'; table: string; prefix: string; mix: MixEntry[]; seconds: number }
  | { cmd: 'exit' };

const clock = pinnableClock();
const deps = buildDeps(loadConfig({ ...process.env }), { clock });
installMeter(ddb);
const send = (m: unknown) => process.send?.(m);
/** The bare load's own SDK client (not the store's), made on first use. */
let bareClient: ReturnType<typeof createDbClient> | undefined;
const bare = () => {
  bareClient ??= createDbClient({
    region: process.env.AWS_REGION ?? 'cn-north-1',
    endpoint: process.env.DYNAMODB_ENDPOINT,
  });
  return bareClient;
};

/** Local time of the bench day: `day` (YYYY-MM-DD) plus days and HH:MM at +08:00. */
const local = (day: string, plusDays: number, hhmm: string) =>
  new Date(Date.parse(`${day}T${hhmm}:00+08:00`) + plusDays * 86_400_000);

let seq = 0;
async function accept(n: number, kind: string, completedAt: Date, acceptedAt: Date): Promise<void> {
  clock.pin(acceptedAt);
  const schema = ticketCompletedSchemaAt(clock);
  const ids = Array.from({ length: n }, () => seq++);
  for (let i = 0; i < ids.length; i += 32) {
    await Promise.all(
      ids.slice(i, i + 32).map(async (k) => {
        const e = k % 500;
        const body = schema.parse({
          ticketId: `DUE-${kind}-${k}`,
          source: 'ossA',
          segment: 'home',
          kind: 'repair',
          area: 'urban',
          faultType: 'line',
          completedAt: completedAt.toISOString(),
          engineer: { id: `E-${e}`, name: '王师傅', team: `T-${e % 25}`, region: `R-${e % 5}` },
          customer: { phone: `135${String(k).padStart(8, '0')}` },
        });
        const r = await acceptTicket(deps, body);
        if (!r.created) throw new Error(`seed: ticket ${k} not created`);
      }),
    );
  }
}

async function runAll(at: Date): Promise<Record<string, number>> {
  clock.pin(at);
  return await runDueSlots(deps, { slots: dueSlotNumbers(), concurrency: 32 });
}

/**
 * The backlog, oldest first so that each stage's runs touch only what they should; at `day` 10:00
 * every item is due for exactly one step: expire (sent day-3, reminded day-2), remind (sent day-1),
 * send (planned today, due 09:30), plan (accepted 09:51).
 */
async function seed(perKind: number, day: string): Promise<Record<string, unknown>> {
  const stages: Record<string, unknown> = {};
  await accept(perKind, 'expire', local(day, -3, '08:50'), local(day, -3, '08:55'));
  stages.expirePlanned = await runAll(local(day, -3, '08:56'));
  stages.expireSent = await runAll(local(day, -3, '09:21'));
  stages.expireReminded = await runAll(local(day, -2, '09:22'));
  await accept(perKind, 'remind', local(day, -1, '09:00'), local(day, -1, '09:01'));
  stages.remindPlanned = await runAll(local(day, -1, '09:02'));
  stages.remindSent = await runAll(local(day, -1, '09:31'));
  await accept(perKind, 'send', local(day, 0, '09:00'), local(day, 0, '09:01'));
  stages.sendPlanned = await runAll(local(day, 0, '09:05'));
  await accept(perKind, 'plan', local(day, 0, '09:50'), local(day, 0, '09:51'));
  return stages;
}

const benchTable = TABLE;
/** Runs fn on `table` (the same client, so the same connections and code), then back on the bench's. */
async function onTable<T>(table: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!table) return await fn();
  useDb({ ...storeSettings(), table });
  try {
    return await fn();
  } finally {
    useDb({ ...storeSettings(), table: benchTable });
  }
}

process.on('message', async (m: Command) => {
  try {
    if (m.cmd === 'exit') process.exit(0);
    if (m.cmd === 'seed') {
      const started = performance.now();
      const stages = await onTable(m.table, () => seed(m.perKind, m.day));
      send({ ok: true, stages, seconds: (performance.now() - started) / 1000 });
      return;
    }
    if (m.cmd === 'bare-seed') {
      await seedBare(bare(), m.table, m.prefix);
      send({ ok: true });
      return;
    }
    if (m.cmd === 'bare') {
      const cpu = process.cpuUsage();
      const r = await runBare(bare(), m.table, m.prefix, m.mix, m.seconds);
      const used = process.cpuUsage(cpu);
      send({ ok: true, calls: r.calls, seconds: r.seconds, cpuMs: (used.user + used.system) / 1000 });
      return;
    }
    clock.pin(new Date(m.at));
    const cpu = process.cpuUsage();
    const started = performance.now();
    const { result, usage } = await onTable(m.table, () =>
      measure(() => runDueSlots(deps, { slots: m.slots, concurrency: m.concurrency })),
    );
    const used = process.cpuUsage(cpu);
    send({
      ok: true,
      ms: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      result,
      usage: {
        rcu: usage.rcu,
        wcu: usage.wcu,
        gsi: usage.gsi,
        calls: usage.calls,
        localCalls: usage.localCalls,
        byLabel: [...usage.byLabel],
      },
    });
  } catch (err) {
    send({ ok: false, error: (err as Error).stack ?? String(err) });
  }
});
// Warm: the SDK loaded and one connection open before the parent starts the clock.
await ddb
  .send(
    new (await import('@aws-sdk/lib-dynamodb')).GetCommand({
      TableName: process.env.TABLE_NAME ?? '',
      Key: { pk: 'warm', sk: 'warm' },
    }),
  )
  .catch(() => undefined);
send({ ready: true });
