import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { principalFromEvent } from '#shared/http/auth';
import { httpFunction, json } from '#shared/http/http';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** DELETE /v1/customers/{phone} (admin): erase a customer's personal data, keep the figures. */
export function customers(deps: Deps) {
  return httpFunction(async (event) => {
    const principal = principalFromEvent(event, deps.config.authClaims);
    return json(
      200,
      await eraseCustomer(deps, principal, decodeURIComponent(event.pathParameters?.phone ?? '')),
    );
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(customers(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
