import type { Deps } from '#shared/app/deps';
import type { DueWorkResult } from '#shared/app/scheduler/run-due-work';
import { slotGroupId, slotGroups } from '#shared/domain/due-slots';
import type { DueQueue, DueWorkMessage } from '#shared/gateways/due-queue';
import { DUE_SLOTS } from '#shared/store/due';

/**
 * The due workers run in this process (locally: `npm start`, tests), each on its message's slots,
 * their results summed (shared/app/scheduler/in-process-workers.ts). On AWS the scheduler has the
 * due workers' queue instead, and its bundle carries none of the due work's code.
 */
export interface InProcessWorkers {
  run(messages: readonly DueWorkMessage[], opts: { stopBy?: number }): Promise<DueWorkResult>;
}

/**
 * The scheduler's fan-out of due work, once a tick: the due index's slots split into DUE_WORKERS
 * groups (domain/due-slots.ts: every slot in exactly one group), one due worker per group. The
 * groups are computed afresh on every tick, so a changed DUE_WORKERS leaves no slot unread.
 */
export function dueWorkMessages(tick: Date, workers: number): DueWorkMessage[] {
  const groups = slotGroups(workers, DUE_SLOTS);
  return groups.map((slots, i) => ({
    slots,
    tick: tick.toISOString(),
    group: slotGroupId(i, groups.length),
  }));
}

/**
 * On AWS (a queue): one message per group to the due workers' queue (functions/due-worker runs
 * each); the result counts the messages sent. Locally (in-process workers): the same workers run
 * here, side by side, each on its group, and the result is theirs, summed.
 */
export async function fanOutDue(
  deps: Deps,
  workers: DueQueue | InProcessWorkers,
  opts: { stopBy?: number; tick?: Date } = {},
): Promise<DueWorkResult> {
  const messages = dueWorkMessages(opts.tick ?? deps.clock.now(), deps.config.DUE_WORKERS);
  if ('sendAll' in workers) {
    await workers.sendAll(messages);
    return { dueWorkersStarted: messages.length };
  }
  return workers.run(messages, opts.stopBy ? { stopBy: opts.stopBy } : {});
}
