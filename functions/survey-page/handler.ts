import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { httpFunction } from '#shared/http/http';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';
import { surveyPageAnswer, unavailablePage } from '#shared/web/survey-page-flow';
import { readSurveyPageRequest } from '#shared/web/survey-page-request';

/**
 * GET /s/{token}: the web survey page; POST /s/{token}: its answer, as a plain HTML form
 * (application/x-www-form-urlencoded) or JSON. Browsers get HTML pages; a client that asks for
 * JSON only (Accept: application/json) gets JSON and problem+json.
 */
export function surveyPage(deps: Deps) {
  return httpFunction(async (event) => {
    const request = readSurveyPageRequest(event);
    try {
      return await surveyPageAnswer(deps, request);
    } catch (err) {
      if (request.asJson) throw err;
      logger.error('web survey page failed', { error: err as Error });
      return unavailablePage();
    }
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(surveyPage(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
