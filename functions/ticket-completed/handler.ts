import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { httpFunction, json, parseWith } from '#shared/http';
import { logger } from '#shared/log';
import { ticketCompletedSchema } from '#shared/schemas/ticket-completed';
import { acceptTicket } from '#shared/usecases/complete-ticket';
import { signedJsonBody } from '#shared/webhook-secrets';

/** POST /v1/tickets/completed: an upstream work-order system reports a completed ticket. */
export const ticketCompleted = httpFunction(async (event) => {
  const ticket = parseWith(ticketCompletedSchema, await signedJsonBody(event));
  const { created, response } = await acceptTicket(ticket);
  return json(created ? 202 : 200, response);
});

export const handler = middy(ticketCompleted).use(injectLambdaContext(logger));
