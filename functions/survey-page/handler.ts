import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { httpFunction } from '#shared/http/http';
import { logger } from '#shared/runtime/log';
import { surveyPageAnswer, unavailablePage } from '#shared/web/survey-page-flow';
import { readSurveyPageRequest } from '#shared/web/survey-page-request';

/**
 * GET /s/{token}: the web survey page; POST /s/{token}: its answer, as a plain HTML form
 * (application/x-www-form-urlencoded) or JSON. Browsers get HTML pages; a client that asks for
 * JSON only (Accept: application/json) gets JSON and problem+json.
 */
export const surveyPage = httpFunction(async (event) => {
  const request = readSurveyPageRequest(event);
  try {
    return await surveyPageAnswer(request);
  } catch (err) {
    if (request.asJson) throw err;
    logger.error('web survey page failed', { error: err as Error });
    return unavailablePage();
  }
});

export const handler = middy(surveyPage).use(injectLambdaContext(logger));
