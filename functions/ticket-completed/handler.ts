import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { httpFunction, json, parseWith } from '#shared/http/http';
import { ticketCompletedSchema } from '#shared/http/schemas/ticket-completed';
import { signedJsonBody } from '#shared/http/signed-webhook';
import { logger } from '#shared/runtime/log';

/** POST /v1/tickets/completed: an upstream work-order system reports a completed ticket. */
export const ticketCompleted = httpFunction(async (event) => {
  const ticket = parseWith(ticketCompletedSchema, await signedJsonBody(event));
  const { created, response } = await acceptTicket(ticket);
  return json(created ? 202 : 200, response);
});

export const handler = middy(ticketCompleted).use(injectLambdaContext(logger));
