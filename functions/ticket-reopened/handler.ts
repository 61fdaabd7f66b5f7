import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { httpFunction, json, parseWith } from '#shared/http/http';
import { ticketReopenedSchema } from '#shared/http/schemas/ticket-reopened';
import { signedJsonBody } from '#shared/http/signed-webhook';
import { logger } from '#shared/runtime/log';

/** POST /v1/tickets/reopened: the upstream system reopened a ticket (same signing as completion). */
export const ticketReopened = httpFunction(async (event) => {
  const reopened = parseWith(ticketReopenedSchema, await signedJsonBody(event));
  return json(200, await reopenTicket(reopened));
});

export const handler = middy(ticketReopened).use(injectLambdaContext(logger));
