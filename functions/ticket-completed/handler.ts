import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { httpFunction, json, parseWith } from '#shared/http/http';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import { signedJsonBody } from '#shared/http/signed-webhook';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** POST /v1/tickets/completed: an upstream work-order system reports a completed ticket. */
export function ticketCompleted(deps: Deps) {
  return httpFunction(async (event) => {
    const ticket = parseWith(ticketCompletedSchemaAt(deps.clock), await signedJsonBody(deps, event));
    const { created, response } = await acceptTicket(deps, ticket);
    return json(created ? 202 : 200, response);
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(ticketCompleted(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
