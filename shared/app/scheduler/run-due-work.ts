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
import { type DueItem, type DueRef, getDueItem, queryDue } from '#shared/store/due';

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

/**
 * The scheduler's dispatcher: everything that has fallen due by now (tickets to plan, surveys to
 * send, defer out of quiet hours or queue behind another open survey on the same phone, open
 * surveys to remind or expire, SMS to (re)deliver, providers' pushes (replies, receipts), work-order
 * replies, callback deadlines, complaints' progress notices), fanned
 * out over `concurrency` workers, outcomes counted. Each step is a conditional transaction, so
 * running this twice, or in two places at once, does each thing once.
 */
export async function runDueWork(
  deps: Deps,
  opts: { concurrency?: number; stopBy?: number } = {},
): Promise<DueWorkResult> {
  const { concurrency = 8, stopBy = Number.POSITIVE_INFINITY } = opts;
  const at = deps.clock.now();
  const refs = await queryDue(at);
  const result: DueWorkResult = { surveysSent: 0, queued: 0, expired: 0, failed: 0 };
  const queue = [...refs];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) {
        if (Date.now() >= stopBy) {
          // Out of time: what is left stays due and the next run takes it.
          result.leftForNextRun = (result.leftForNextRun ?? 0) + 1 + queue.length;
          queue.length = 0;
          break;
        }
        const outcome = await handleDue(deps, ref, at).catch((err: unknown) => {
          logger.error('due work failed; will retry on a later run', { pk: ref.pk, error: err as Error });
          return 'failed' as const;
        });
        if (outcome !== 'skipped') result[outcome] = (result[outcome] ?? 0) + 1;
      }
    }),
  );
  return result;
}

async function handleDue(deps: Deps, ref: DueRef, at: Date): Promise<Outcome> {
  const item: DueItem | undefined = await getDueItem(ref);
  const handler = item ? dueHandlers[item.type] : undefined;
  return handler ? await handler(deps, item, at) : 'skipped';
}
