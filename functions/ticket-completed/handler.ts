import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { acceptDispatch } from '#shared/app/tickets/dispatch-ticket';
import { httpFunction, json, parseWith } from '#shared/http/http';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import { ticketDispatchedSchemaAt } from '#shared/http/schemas/ticket-dispatched';
import { signedJsonBody } from '#shared/http/signed-webhook';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** The dispatch webhook's route, served by this function too (same secret, same table access). */
export const DISPATCHED_ROUTE = 'POST /v1/tickets/dispatched';

/**
 * POST /v1/tickets/completed: an upstream work-order system reports a completed ticket.
 * POST /v1/tickets/dispatched: it dispatched one (alerts at half the repair limit and at the limit).
 */
export function ticketCompleted(deps: Deps) {
  return httpFunction(async (event) => {
    if (event.routeKey === DISPATCHED_ROUTE) {
      const dispatched = parseWith(ticketDispatchedSchemaAt(deps.clock), await signedJsonBody(deps, event));
      const { created, response } = await acceptDispatch(deps, dispatched);
      return json(created ? 202 : 200, response);
    }
    const ticket = parseWith(ticketCompletedSchemaAt(deps.clock), await signedJsonBody(deps, event));
    const { created, response } = await acceptTicket(deps, ticket);
    return json(created ? 202 : 200, response);
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(ticketCompleted(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
