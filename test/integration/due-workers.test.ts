import type { Context, SQSEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeScheduler } from '#functions/scheduler/handler';
import { fanOutDue } from '#shared/app/scheduler/fan-out-due';
import { inProcessWorkers } from '#shared/app/scheduler/in-process-workers';
import { runDueSlots } from '#shared/app/scheduler/run-due-work';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import type { DueQueue, DueWorkMessage } from '#shared/gateways/due-queue';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { DUE_SLOTS, dueKeys } from '#shared/store/due';
import { getTicket, ticketKey } from '#shared/store/ticket';
import { dueWorker } from '../../functions/due-worker/handler.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

/**
 * The due work fanned out over workers (shared/app/scheduler/fan-out-due.ts, functions/due-worker):
 * every slot of the due index read whatever the worker count, each item worked once when workers
 * overlap (two on the same slots, or the groups of two different counts at once).
 */
const ACCEPTED = new Date('2026-11-20T02:01:00Z'); // completion 10:00 +08:00; survey due 10:30
const PLAN_AT = new Date('2026-11-20T02:05:00Z');
const SEND_AT = new Date('2026-11-20T02:31:00Z');

let round = 0;
/** One accepted ticket in each of the 64 slots (ids chosen by their slot), distinct phones. */
async function onePerSlot(): Promise<string[]> {
  round++;
  const ids: string[] = [];
  for (let slot = 0; slot < DUE_SLOTS; slot++) {
    let id = '';
    for (let k = 0; ; k++) {
      id = `DW-${round}-${slot}-${k}`;
      if (dueKeys(ticketKey('ossA', id).pk, ACCEPTED).gsi1pk === `DUE#${slot}`) break;
    }
    ids.push(id);
  }
  pinClock(ACCEPTED);
  const deps = testDeps();
  await Promise.all(
    ids.map(async (ticketId, i) => {
      const phone = `137${String(round * 100 + i).padStart(8, '0')}`;
      const body = ticketCompletedSchema.parse(ticketBody({ ticketId, customer: { phone } }));
      expect((await acceptTicket(deps, body)).created).toBe(true);
    }),
  );
  return ids;
}

async function plannedCount(ids: string[]): Promise<number> {
  const items = await Promise.all(ids.map((id) => getTicket('ossA', id)));
  return items.filter((t) => t?.plannedAt).length;
}

/** A queue that keeps what the scheduler sends (SQS itself is AWS's). */
function capturingQueue(): DueQueue & { sent: DueWorkMessage[] } {
  const sent: DueWorkMessage[] = [];
  return { sent, sendAll: async (messages) => void sent.push(...messages) };
}

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;
function sqsEvent(messages: DueWorkMessage[]): SQSEvent {
  return {
    Records: messages.map((m, i) => ({
      messageId: `m-${i}-${m.group}`,
      receiptHandle: `r-${i}`,
      body: JSON.stringify(m),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws-cn:sqs:cn-north-1:123456789012:due-work.fifo',
      awsRegion: 'cn-north-1',
    })) as SQSEvent['Records'],
  };
}

describe('due workers', () => {
  beforeEach(() => pinClock(PLAN_AT));

  // First: its surveys are then the only ones due at SEND_AT (the other tests' stay scheduled).
  it('two workers on the same slots at once: each ticket planned once, each survey sent once', async () => {
    const ids = await onePerSlot();
    const deps = testDeps();
    const slots = Array.from({ length: DUE_SLOTS }, (_, i) => i);
    pinClock(PLAN_AT);
    const [a, b] = await Promise.all([
      runDueSlots(deps, { slots, concurrency: 8 }),
      runDueSlots(deps, { slots: [...slots].reverse(), concurrency: 8 }),
    ]);
    expect((a?.planned ?? 0) + (b?.planned ?? 0)).toBe(DUE_SLOTS);
    expect(await plannedCount(ids)).toBe(DUE_SLOTS);

    pinClock(SEND_AT);
    const [c, d] = await Promise.all([
      runDueSlots(deps, { slots, concurrency: 8 }),
      runDueSlots(deps, { slots, concurrency: 3, pageSize: 7 }),
    ]);
    expect((c?.surveysSent ?? 0) + (d?.surveysSent ?? 0)).toBe(DUE_SLOTS);
    const outboxes = await Promise.all(
      ids.map((_, i) => listOutbox(`+86137${String(round * 100 + i).padStart(8, '0')}`)),
    );
    expect(outboxes.map((o) => o.length)).toEqual(ids.map(() => 1));
  }, 90_000);

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    '%i workers (queue -> due-worker): every one of the 64 slots is read, each ticket planned once',
    async (n) => {
      const ids = await onePerSlot();
      pinClock(PLAN_AT);
      const deps = testDeps({ env: { DUE_WORKERS: String(n) } });
      const queue = capturingQueue();
      expect(await fanOutDue(deps, queue, { tick: PLAN_AT })).toEqual({ dueWorkersStarted: n });
      expect(queue.sent).toHaveLength(n);
      expect(queue.sent.flatMap((m) => m.slots).sort((a, b) => a - b)).toEqual(
        Array.from({ length: DUE_SLOTS }, (_, i) => i),
      );
      // Each message to its own worker (as SQS hands each FIFO group to one), all at once.
      const worker = dueWorker(deps);
      const responses = await Promise.all(queue.sent.map((m) => worker(sqsEvent([m]), context)));
      for (const r of responses) expect(r.batchItemFailures).toEqual([]);
      expect(await plannedCount(ids)).toBe(DUE_SLOTS);
    },
    60_000,
  );

  it('locally (no queue) the scheduler runs the workers in-process: all 64 slots, results summed', async () => {
    const ids = await onePerSlot();
    pinClock(PLAN_AT);
    const deps = testDeps({ env: { DUE_WORKERS: '4' } });
    const result = await fanOutDue(deps, inProcessWorkers(deps));
    expect(result.planned).toBe(DUE_SLOTS);
    expect(await plannedCount(ids)).toBe(DUE_SLOTS);
  });

  it("deployed, the scheduler needs the due workers' queue: with no DUE_QUEUE_URL (and no in-process workers) it stops, naming it", () => {
    expect(() => makeScheduler(testDeps())).toThrow(/DUE_QUEUE_URL: required by the scheduler/);
  });

  it('the groups of 3 and of 5 workers at once (DUE_WORKERS changed between ticks): each ticket planned once', async () => {
    const ids = await onePerSlot();
    pinClock(PLAN_AT);
    const three = capturingQueue();
    const five = capturingQueue();
    await fanOutDue(testDeps({ env: { DUE_WORKERS: '3' } }), three, { tick: PLAN_AT });
    await fanOutDue(testDeps({ env: { DUE_WORKERS: '5' } }), five, { tick: PLAN_AT });
    const deps = testDeps();
    const results = await Promise.all(
      [...three.sent, ...five.sent].map((m) => runDueSlots(deps, { slots: m.slots })),
    );
    expect(results.reduce((n, r) => n + (r.planned ?? 0), 0)).toBe(DUE_SLOTS);
    expect(await plannedCount(ids)).toBe(DUE_SLOTS);
  });

  it('out of time: takes nothing, says what it left; the next run does it all', async () => {
    const ids = await onePerSlot();
    pinClock(PLAN_AT);
    const deps = testDeps();
    const slots = Array.from({ length: DUE_SLOTS }, (_, i) => i);
    const late = await runDueSlots(deps, { slots, stopBy: Date.now() - 1 });
    expect(late.planned ?? 0).toBe(0);
    expect(late.leftForNextRun).toBe(DUE_SLOTS);
    expect(late.slotsNotDrained).toBeUndefined(); // one page of each slot holds all it has
    expect(await plannedCount(ids)).toBe(0);
    expect((await runDueSlots(deps, { slots })).planned).toBe(DUE_SLOTS);
  });

  it('a worker reads a slot page by page until it is empty (more entries than a page)', async () => {
    const ids = [...(await onePerSlot()), ...(await onePerSlot()), ...(await onePerSlot())];
    pinClock(PLAN_AT);
    const deps = testDeps();
    const even = Array.from({ length: DUE_SLOTS / 2 }, (_, i) => 2 * i);
    const r = await runDueSlots(deps, { slots: even, pageSize: 2, concurrency: 4 });
    expect(r.planned).toBe(3 * (DUE_SLOTS / 2));
    expect(r.slotsNotDrained).toBeUndefined();
    expect(await plannedCount(ids)).toBe(3 * (DUE_SLOTS / 2));
    // the odd slots' tickets too, so that no later test finds them due
    await runDueSlots(deps, { slots: Array.from({ length: DUE_SLOTS }, (_, i) => i) });
  });

  it('following (DUE_FOLLOW_SECONDS): what falls due after the first reading is worked in a later one', async () => {
    const accept = async (ticketId: string, phone: string, at: Date) => {
      pinClock(at);
      const body = ticketCompletedSchema.parse(ticketBody({ ticketId, customer: { phone } }));
      expect((await acceptTicket(testDeps(), body)).created).toBe(true);
    };
    await accept('DW-follow-0', '13799999998', ACCEPTED); // due in the first reading
    await accept('DW-follow-1', '13799999999', new Date(PLAN_AT.getTime() + 60_000)); // not yet
    // The worker's clock: PLAN_AT for its first reading, two minutes on for every later one.
    let calls = 0;
    const clock = { now: () => new Date(PLAN_AT.getTime() + (calls++ === 0 ? 0 : 120_000)) };
    const slots = Array.from({ length: DUE_SLOTS }, (_, i) => i);
    const r = await runDueSlots(testDeps({ clock }), {
      slots,
      followEveryMs: 50,
      stopBy: Date.now() + 8_000,
    });
    expect(r.readings).toBeGreaterThanOrEqual(2);
    expect(r.planned).toBe(2);
    expect(await plannedCount(['DW-follow-0', 'DW-follow-1'])).toBe(2);
  }, 30_000);

  it('a malformed message is dropped (nothing to retry), a bad slot number too', async () => {
    const worker = dueWorker(testDeps());
    const event = sqsEvent([{ slots: [64], tick: 'x', group: 'g' }]);
    expect(await worker(event, context)).toEqual({ batchItemFailures: [] });
    const garbage = sqsEvent([{ slots: [1], tick: 'x', group: 'g' }]);
    (garbage.Records[0] as { body: string }).body = '{not json';
    expect(await worker(garbage, context)).toEqual({ batchItemFailures: [] });
  });
});
