import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { acceptInbound } from '#shared/app/sms/inbox';
import { requireSmsCallbackToken } from '#shared/config/config';
import { NotFoundError } from '#shared/domain/errors';
import { type SmsCallbackToken, smsCallbackToken } from '#shared/gateways/sms-callback-token';
import { httpFunction, json } from '#shared/http/http';
import {
  callbackAck,
  callbackEvents,
  callbackJson,
  callbackRoute,
  tokenMatches,
} from '#shared/http/sms-callbacks';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/** What the callbacks run on: the dependencies and our callback token. */
export interface CallbackDeps {
  deps: Deps;
  token: SmsCallbackToken;
}

/**
 * POST /v1/sms/{aliyun|tencent}/{token}/{replies|receipts}: the providers' pushes of customers'
 * replies and delivery receipts. A wrong token is a 404 and a malformed body a 400, both with
 * nothing stored; otherwise the push is stored in one write and answered at once (Aliyun drops a
 * push not answered within about 700 ms); the handling happens from there (shared/app/sms/inbox.ts).
 */
export function smsCallbacks({ deps, token }: CallbackDeps) {
  return httpFunction(async (event) => {
    const route = callbackRoute(event);
    if (!tokenMatches(route.token, await token())) throw new NotFoundError('Not found');
    const events = callbackEvents(route, callbackJson(event), deps.clock.now());
    await acceptInbound(deps, events);
    logger.info('sms callback accepted', {
      provider: route.provider,
      kind: route.kind,
      events: events.length,
    });
    return json(200, callbackAck(route.provider));
  });
}

/**
 * The Lambda handler on the given dependencies (the local server and tests build their own). With
 * SMS_GATEWAY aliyun or tencent and no callback token configured it is not built: the error names
 * SMS_CALLBACK_TOKEN (shared/config/config.ts `requireSmsCallbackToken`).
 */
export const makeHandler = (deps: Deps) => {
  requireSmsCallbackToken(deps.config);
  return middy(smsCallbacks({ deps, token: smsCallbackToken(deps.config) })).use(injectLambdaContext(logger));
};

export const handler = perContainer(depsFromProcessEnv, makeHandler);
