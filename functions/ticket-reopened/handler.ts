import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { httpFunction, json, parseWith } from '#shared/http';
import { logger } from '#shared/log';
import { ticketReopenedSchema } from '#shared/schemas/ticket-reopened';
import { reopenTicket } from '#shared/usecases/reopen-ticket';
import { signedJsonBody } from '#shared/webhook-secrets';

/** POST /v1/tickets/reopened: the upstream system reopened a ticket (same signing as completion). */
export const ticketReopened = httpFunction(async (event) => {
  const reopened = parseWith(ticketReopenedSchema, await signedJsonBody(event));
  return json(200, await reopenTicket(reopened));
});

export const handler = middy(ticketReopened).use(injectLambdaContext(logger));
