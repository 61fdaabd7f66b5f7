import type { Clock } from '#shared/runtime/clock';
import { arn, buildScheduledEvent } from './events.ts';
import { errorLine } from './http-io.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';

/**
 * The schedule (EventBridge's rule, locally): the scheduler function every `tickSeconds`, and on
 * demand (POST /local/tick); one tick at a time, whichever started it.
 */
export interface LocalScheduler {
  /** Runs the scheduler once (after any tick in progress); resolves to its result. */
  tick(): Promise<unknown>;
  /** Stops the timer and waits for the tick in progress. */
  stop(): Promise<void>;
}

export function startScheduler(input: {
  runtime: LambdaRuntime;
  region: string;
  tickSeconds: number;
  clock: Clock;
  log: (line: string) => void;
}): LocalScheduler {
  const ruleArn = arn('events', input.region, 'rule/feedback-local-scheduler');
  let tickChain: Promise<unknown> = Promise.resolve();
  function tick(): Promise<unknown> {
    const run = tickChain.then(() =>
      input.runtime.invoke('scheduler', buildScheduledEvent(ruleArn, input.clock.now())),
    );
    tickChain = run.catch(() => undefined);
    return run;
  }
  let timerTickBusy = false;
  const timer =
    input.tickSeconds > 0
      ? setInterval(() => {
          if (timerTickBusy) return;
          timerTickBusy = true;
          const started = Date.now();
          tick()
            .then(
              () => input.log(`tick ${input.clock.now().toISOString()} done in ${Date.now() - started}ms`),
              (err: unknown) => input.log(`tick failed: ${errorLine(err)}`),
            )
            .finally(() => {
              timerTickBusy = false;
            });
        }, input.tickSeconds * 1000)
      : undefined;
  timer?.unref();
  return {
    tick,
    stop: async () => {
      if (timer) clearInterval(timer);
      await tickChain;
    },
  };
}
