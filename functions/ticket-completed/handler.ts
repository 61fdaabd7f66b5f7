import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { header, httpFunction, json, jsonBody, parseWith, rawBody } from '#shared/http';
import { logger } from '#shared/log';
import { ticketCompletedSchema } from '#shared/schemas/ticket-completed';
import { completeTicket } from '#shared/usecases/complete-ticket';
import { verifyWebhook } from '#shared/webhook-secrets';

/** POST /v1/tickets/completed: an upstream work-order system reports a completed ticket. */
export const ticketCompleted = httpFunction(async (event) => {
  const text = rawBody(event);
  await verifyWebhook(text, {
    'webhook-id': header(event, 'webhook-id'),
    'webhook-timestamp': header(event, 'webhook-timestamp'),
    'webhook-signature': header(event, 'webhook-signature'),
  });
  const ticket = parseWith(ticketCompletedSchema, jsonBody(event, text));
  const { created, response } = await completeTicket(ticket);
  return json(created ? 202 : 200, response);
});

export const handler = middy(ticketCompleted).use(injectLambdaContext(logger));
