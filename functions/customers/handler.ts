import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { principalFromEvent } from '#shared/http/auth';
import { httpFunction, json } from '#shared/http/http';
import { logger } from '#shared/runtime/log';

/** DELETE /v1/customers/{phone} (admin): erase a customer's personal data, keep the figures. */
export const customers = httpFunction(async (event) => {
  const principal = principalFromEvent(event);
  return json(200, await eraseCustomer(principal, decodeURIComponent(event.pathParameters?.phone ?? '')));
});

export const handler = middy(customers).use(injectLambdaContext(logger));
