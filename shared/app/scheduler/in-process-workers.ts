import type { Deps } from '#shared/app/deps';
import type { InProcessWorkers } from '#shared/app/scheduler/fan-out-due';
import { runDueSlots, sumDueWork } from '#shared/app/scheduler/run-due-work';

/** The due workers in this process (no queue: `npm start`, tests): all at once, results summed. */
export function inProcessWorkers(deps: Deps): InProcessWorkers {
  return {
    async run(messages, opts) {
      const results = await Promise.all(
        messages.map((m) =>
          runDueSlots(deps, { slots: m.slots, ...(opts.stopBy ? { stopBy: opts.stopBy } : {}) }),
        ),
      );
      return sumDueWork(results);
    },
  };
}
