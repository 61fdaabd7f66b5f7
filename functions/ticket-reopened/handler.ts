import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { header, httpFunction, json, jsonBody, parseWith, rawBody } from '#shared/http';
import { logger } from '#shared/log';
import { ticketReopenedSchema } from '#shared/schemas/ticket-reopened';
import { reopenTicket } from '#shared/usecases/reopen-ticket';
import { verifyWebhook } from '#shared/webhook-secrets';

/** POST /v1/tickets/reopened: the upstream system reopened a ticket (same signing as completion). */
export const ticketReopened = httpFunction(async (event) => {
  const text = rawBody(event);
  await verifyWebhook(text, {
    'webhook-id': header(event, 'webhook-id'),
    'webhook-timestamp': header(event, 'webhook-timestamp'),
    'webhook-signature': header(event, 'webhook-signature'),
  });
  const reopened = parseWith(ticketReopenedSchema, jsonBody(event, text));
  return json(200, await reopenTicket(reopened));
});

export const handler = middy(ticketReopened).use(injectLambdaContext(logger));
