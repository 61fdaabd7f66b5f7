import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { httpFunction, json, parseWith } from '#shared/http/http';
import { ticketReopenedSchemaAt } from '#shared/http/schemas/ticket-reopened';
import { signedJsonBody } from '#shared/http/signed-webhook';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** POST /v1/tickets/reopened: the upstream system reopened a ticket (same signing as completion). */
export function ticketReopened(deps: Deps) {
  return httpFunction(async (event) => {
    const reopened = parseWith(ticketReopenedSchemaAt(deps.clock), await signedJsonBody(deps, event));
    return json(200, await reopenTicket(deps, reopened));
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(ticketReopened(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
