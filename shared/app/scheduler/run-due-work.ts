import { callbackDue } from '#shared/app/callbacks/overdue';
import { caseProgressDue } from '#shared/app/callbacks/progress';
import type { Deps } from '#shared/app/deps';
import { dispatchDue } from '#shared/app/scheduler/dispatch-due';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { smsDue } from '#shared/app/scheduler/sms-due';
import { smsInboxDue } from '#shared/app/scheduler/sms-inbox-due';
import { surveyDue } from '#shared/app/scheduler/survey-due';
import { ticketDue } from '#shared/app/scheduler/ticket-due';
import { workOrderReplyDue } from '#shared/app/work-order-replies/deliver';
import { logger } from '#shared/runtime/log';
import {
  type DueCursor,
  type DueItem,
  type DueRef,
  dueSlotNumbers,
  getDueItem,
  queryDueSlot,
} from '#shared/store/due';

/** How many due items ended in each outcome (e.g. surveysSent, queued, expired, failed). */
export type DueWorkResult = Record<string, number>;

/**
 * Handlers of due items by their `type`, one module each: each decides on the item as read now
 * and does its step with a conditional write, returning its outcome.
 */
// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own item type, read by `type`
const dueHandlers: Record<string, (deps: Deps, item: any, at: Date) => Promise<Outcome>> = {
  sms: smsDue,
  sms_inbox: smsInboxDue,
  ticket: ticketDue,
  survey: surveyDue,
  work_order_reply: workOrderReplyDue,
  callback: callbackDue,
  dispatch: dispatchDue,
  case_progress: caseProgressDue,
};

/** Options of a run over some slots of the due index. */
export interface DueSlotsOptions {
  /** The slots read (0 .. DUE_SLOTS - 1); every one until nothing in it is due, or the deadline. */
  slots: readonly number[];
  /** Items worked at once. @default 8 */
  concurrency?: number;
  /** Epoch ms from which no new item is taken: what is left stays due for the next run. */
  stopBy?: number;
  /** Entries read from a slot per query. @default 100 */
  pageSize?: number;
  /**
   * Once every slot is read, read them again this many ms later (what fell due meanwhile), and so
   * on until `stopBy` (a due worker on AWS, DUE_FOLLOW_SECONDS: an item falling due between two
   * ticks waits this long, not a minute). 0 = one reading. @default 0
   */
  followEveryMs?: number;
}

/**
 * A due worker: reads its slots of the due index (up to DUE_SHARDS of them at once, a page each,
 * round robin) and works what is due now (`at` = the clock when it starts), `concurrency` items at
 * a time, reading the next pages while it works, until no slot has anything due or `stopBy`. Each
 * item is worked at most once per run (entries a step moves to a later time that is still due are
 * left for the next run); each step is a conditional transaction, so two workers on the same
 * slots (an overlap, a changed worker count) still do each thing once. A failed read stops the
 * run once the items in hand are done, and is thrown: nothing is lost, the entries stay due.
 */
export async function runDueSlots(deps: Deps, opts: DueSlotsOptions): Promise<DueWorkResult> {
  const { stopBy = Number.POSITIVE_INFINITY, followEveryMs = 0 } = opts;
  const results: DueWorkResult[] = [];
  for (;;) {
    const result = await readingOfSlots(deps, opts, deps.clock.now());
    results.push(result);
    const next = Date.now() + followEveryMs;
    if (followEveryMs <= 0 || next >= stopBy || result.leftForNextRun) break;
    await new Promise((resolve) => setTimeout(resolve, followEveryMs));
  }
  return results.length === 1
    ? (results[0] as DueWorkResult)
    : { ...sumDueWork(results), readings: results.length };
}

/** One reading of the slots: what is due at `at`, each item once. */
async function readingOfSlots(deps: Deps, opts: DueSlotsOptions, at: Date): Promise<DueWorkResult> {
  const { concurrency = 8, stopBy = Number.POSITIVE_INFINITY, pageSize = 100 } = opts;
  const readAtOnce = Math.max(1, deps.config.DUE_SHARDS);
  const result: DueWorkResult = { surveysSent: 0, queued: 0, expired: 0, failed: 0 };
  /** Slots with more to read, each with where its reading stopped. */
  const open: { slot: number; cursor: DueCursor | undefined }[] = [...new Set(opts.slots)].map((slot) => ({
    slot,
    cursor: undefined,
  }));
  const queue: DueRef[] = [];
  const seen = new Set<string>();
  let reading: Promise<void> | undefined;
  let readError: unknown;

  /** Reads pages, up to `readAtOnce` slots in flight, until work is in hand or every slot is read. */
  async function readMore(): Promise<void> {
    const lane = async () => {
      for (let s = open.shift(); s; s = queue.length >= concurrency ? undefined : open.shift()) {
        const page = await queryDueSlot(s.slot, at, s.cursor, pageSize);
        for (const ref of page.refs) {
          const key = `${ref.pk}\n${ref.sk}`;
          if (seen.has(key)) continue;
          seen.add(key);
          queue.push(ref);
        }
        if (page.next) open.push({ slot: s.slot, cursor: page.next });
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(readAtOnce, open.length) }, lane));
    const failed = lanes.find((l) => l.status === 'rejected');
    if (failed) throw failed.reason;
  }
  function startReading(): Promise<void> {
    reading ??= readMore()
      .catch((err: unknown) => {
        readError ??= err;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  async function runner(): Promise<void> {
    for (;;) {
      if (readError !== undefined) return;
      if (Date.now() >= stopBy) return;
      const ref = queue.shift();
      if (!ref) {
        if (open.length === 0 && !reading) return;
        await startReading();
        continue;
      }
      // Read ahead while there is work in hand.
      if (queue.length < concurrency && open.length > 0) void startReading();
      const outcome = await handleDue(deps, ref, at).catch((err: unknown) => {
        logger.error('due work failed; will retry on a later run', { pk: ref.pk, error: err as Error });
        return 'failed' as const;
      });
      if (outcome !== 'skipped') result[outcome] = (result[outcome] ?? 0) + 1;
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, runner));
  if (reading) await reading;
  if (readError !== undefined) throw readError;
  // Out of time: what is left stays due and the next run takes it. Counted from what was read, and
  // one page of each slot not read to its end (slotsNotDrained: those with more than that page).
  let left = queue.length;
  let notDrained = 0;
  const pages = await Promise.all(open.map((s) => queryDueSlot(s.slot, at, s.cursor, pageSize)));
  for (const page of pages) {
    left += page.refs.filter((ref) => !seen.has(`${ref.pk}\n${ref.sk}`)).length;
    if (page.next) notDrained++;
  }
  if (left > 0) result.leftForNextRun = left;
  if (notDrained > 0) result.slotsNotDrained = notDrained;
  return result;
}

/** Sums the results of runs (workers) by outcome. */
export function sumDueWork(results: readonly DueWorkResult[]): DueWorkResult {
  const sum: DueWorkResult = {};
  for (const r of results) for (const [k, v] of Object.entries(r)) sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

/**
 * Everything that has fallen due by now (tickets to plan, surveys to send, defer out of quiet hours
 * or queue behind another open survey on the same phone, open surveys to remind or expire, SMS to
 * (re)deliver, providers' pushes (replies, receipts), work-order replies, callback deadlines,
 * complaints' progress notices), in one run over every slot of the due index (`runDueSlots`),
 * outcomes counted. Each step is a conditional transaction, so running this twice, or in two
 * places at once, does each thing once.
 */
export async function runDueWork(
  deps: Deps,
  opts: { concurrency?: number; stopBy?: number } = {},
): Promise<DueWorkResult> {
  return await runDueSlots(deps, { ...opts, slots: dueSlotNumbers() });
}

async function handleDue(deps: Deps, ref: DueRef, at: Date): Promise<Outcome> {
  const item: DueItem | undefined = await getDueItem(ref);
  const handler = item ? dueHandlers[item.type] : undefined;
  return handler ? await handler(deps, item, at) : 'skipped';
}
