import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { type DueWorkResult, runDueWork } from '#shared/app/scheduler/run-due-work';
import { acceptInbound } from '#shared/app/sms/inbox';
import { type AcceptInbound, reconcileSms, reconcileTotals } from '#shared/app/sms/reconcile';
import { type SmsPuller, smsPullers } from '#shared/gateways/sms-pull';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** Time kept back from the function's timeout: an item started just before it can still finish. */
const MARGIN_MS = 15_000;

/** The SMS reconcile of a container: the configured pull sources and the inbox they feed. */
export interface SmsReconcile {
  pullers: readonly SmsPuller[];
  accept: AcceptInbound;
}

/**
 * Every minute: plan accepted tickets, send due surveys, expire unanswered ones, redeliver pending
 * SMS, and (side by side, independently) pull from the SMS providers what their push callbacks may
 * have missed. Takes no new item once the timeout is near; what is left stays due for the next run.
 */
export const scheduler =
  (deps: Deps, sms?: SmsReconcile) =>
  async (_event: ScheduledEvent, context: Context): Promise<DueWorkResult> => {
    const stopBy = Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS;
    const [result, pulled] = await Promise.all([
      runDueWork(deps, { stopBy }),
      sms && sms.pullers.length > 0 ? reconcileSms(sms.pullers, sms.accept, { stopBy }) : {},
    ]);
    const all = { ...result, ...reconcileTotals(pulled) };
    logger.info('due work done', { ...all });
    return all;
  };

/**
 * The Lambda handler on the given dependencies (the local server and tests build their own);
 * `sms` replaces the configured reconcile (tests).
 */
export const makeHandler = (deps: Deps, sms?: SmsReconcile) => {
  const accept: AcceptInbound = (events) => acceptInbound(deps, events);
  const reconcile = sms ?? { pullers: smsPullers(deps.config), accept };
  return middy(scheduler(deps, reconcile)).use(injectLambdaContext(logger));
};

export const handler = perContainer(depsFromProcessEnv, makeHandler);
