import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { ddb, TABLE } from '#shared/store/client';
import { getTicket, ticketKey } from '#shared/store/ticket';
import { auditTable } from '../../infra/ops/verify.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

let deps = testDeps();
/** The dependencies of a container started with DUE_SHARDS=n. */
const withShards = (n: number) => testDeps({ env: { DUE_SHARDS: String(n) } });

/**
 * DUE_SHARDS is configuration: changing it between runs (a redeploy, a restart) must never strand
 * what was accepted under the old value, in either direction.
 */
let batch = 0;
async function acceptTwenty(): Promise<string[]> {
  batch++;
  const ids = Array.from({ length: 20 }, (_, i) => `SHARDS-${batch}-${i}`);
  for (const [i, ticketId] of ids.entries()) {
    const phone = `136${String(10_000_000 + batch * 1000 + i * 37).slice(-8)}`;
    const body = ticketCompletedSchema.parse(ticketBody({ ticketId, customer: { phone } }));
    expect((await acceptTicket(deps, body)).created).toBe(true);
  }
  return ids;
}

async function planned(ids: string[]): Promise<number> {
  const items = await Promise.all(ids.map((id) => getTicket('ossA', id)));
  return items.filter((t) => t?.plannedAt).length;
}

describe('the due index under a changed DUE_SHARDS', () => {
  beforeEach(() => {
    deps = testDeps();
    pinClock(new Date('2026-11-20T02:30:00Z'));
  });

  it('plans all 20 tickets accepted with 8 shards after a restart with 4', async () => {
    deps = withShards(8);
    const ids = await acceptTwenty();
    deps = withShards(4);
    await runDueWork(deps);
    expect(await planned(ids)).toBe(20);
  });

  it('plans all 20 tickets accepted with 4 shards after a restart with 8', async () => {
    deps = withShards(4);
    const ids = await acceptTwenty();
    deps = withShards(8);
    await runDueWork(deps);
    expect(await planned(ids)).toBe(20);
  });

  it('still finds items an older version placed by hash % n (n <= 64)', async () => {
    const ids = await acceptTwenty();
    // as written before the placement was fixed: every shard number a deployment could have used
    for (const [i, id] of ids.entries()) {
      await ddb.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: ticketKey('ossA', id),
          UpdateExpression: 'SET gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `DUE#${(i * 13) % 64}` },
        }),
      );
    }
    deps = withShards(1);
    await runDueWork(deps);
    expect(await planned(ids)).toBe(20);
  });
});

describe('npm run verify and stranded work', () => {
  const run = promisify(execFile);
  /** The CLI's exit code and output, with "now" given (the test's clock is pinned). */
  const cli = (at: Date, ...args: string[]) =>
    run('npx', ['tsx', 'infra/ops/verify.ts', '--at', at.toISOString(), ...args], { env: process.env }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
  const setSlot = (id: string, slot: string) =>
    ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: ticketKey('ossA', id),
        UpdateExpression: 'SET gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': slot },
      }),
    );

  it('reports a completion accepted and never planned, and exits 1; nothing once it is planned', async () => {
    const accepted = new Date('2026-11-21T02:00:00Z');
    pinClock(accepted);
    const ticketId = 'STRANDED-1';
    const body = ticketCompletedSchema.parse(
      ticketBody({ ticketId, completedAt: '2026-11-21T09:30:00+08:00', customer: { phone: '13612340000' } }),
    );
    await acceptTicket(deps, body);
    await setSlot(ticketId, 'DUE#stray'); // a partition no scheduler reads: stranded
    const later = new Date(accepted.getTime() + 20 * 60_000);
    pinClock(later);
    await runDueWork(deps);
    expect((await getTicket('ossA', ticketId))?.plannedAt).toBeUndefined();

    // younger than the allowed age: not reported yet
    expect((await auditTable(deps, { at: later, staleAfterMinutes: 30 })).stranded).toEqual([]);
    const report = await auditTable(deps, { at: later });
    expect(report.differences).toEqual([]);
    expect(report.stranded).toEqual([
      {
        pk: `TICKET#ossA#${ticketId}`,
        sk: 'TICKET',
        type: 'ticket',
        since: accepted.toISOString(),
        message: 'accepted, never planned',
      },
    ]);
    const bad = await cli(later);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^1 stranded item /m);
    expect(bad.stdout).toContain(`TICKET#ossA#${ticketId}`);
    expect(bad.stdout).toMatch(/^0 differences$/m);

    await setSlot(ticketId, 'DUE#0');
    await runDueWork(deps);
    expect((await getTicket('ossA', ticketId))?.plannedAt).toBeDefined();
    expect((await auditTable(deps, { at: later })).stranded).toEqual([]);
    const good = await cli(later);
    expect(good.stdout).toMatch(/^0 stranded items$/m);
    expect(good.code).toBe(0);
  }, 60_000);

  it('reports an item left in the due index past the allowed age', async () => {
    const at = new Date('2026-11-21T03:00:00Z');
    pinClock(at);
    const ticketId = 'STRANDED-2';
    await acceptTicket(
      deps,
      ticketCompletedSchema.parse(
        ticketBody({
          ticketId,
          completedAt: '2026-11-21T10:55:00+08:00',
          customer: { phone: '13612340001' },
        }),
      ),
    );
    await runDueWork(deps); // planned: its survey falls due at 11:15 Beijing (20 minutes after completion)
    // nobody runs the scheduler for an hour
    const late = new Date(at.getTime() + 60 * 60_000);
    const stranded = (await auditTable(deps, { at: late })).stranded;
    expect(stranded.map((s) => [s.type, s.message])).toEqual([['survey', 'due, not handled']]);
    expect((await auditTable(deps, { at: late, staleAfterMinutes: 120 })).stranded).toEqual([]);
  });
});
