import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '#shared/app/errors';
import {
  answerWebSurvey,
  openWebSurvey,
  type WebAnswerResult,
  type WebSurveyState,
  webAnswerSchema,
} from '#shared/app/surveys/web-survey';
import {
  type HttpResult,
  header,
  httpFunction,
  json,
  jsonBody,
  parseWith,
  problem,
  rawBody,
} from '#shared/http/http';
import { logger } from '#shared/runtime/log';
import {
  type FormValues,
  pageHeaders,
  renderBadRequest,
  renderClosed,
  renderNotFound,
  renderSurveyForm,
  renderThanks,
  renderUnavailable,
} from '#shared/web/survey-page';

/**
 * GET /s/{token}: the web survey page; POST /s/{token}: its answer, as a plain HTML form
 * (application/x-www-form-urlencoded) or JSON. Browsers get HTML pages; a client that asks for
 * JSON only (Accept: application/json) gets JSON and problem+json.
 */

function html(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { ...pageHeaders }, body };
}

function wantsJson(event: APIGatewayProxyEventV2): boolean {
  const accept = header(event, 'accept') ?? '';
  return /application\/(problem\+)?json/i.test(accept) && !/text\/html/i.test(accept);
}

function tokenOf(event: APIGatewayProxyEventV2): string {
  const fromPath = /^\/s\/([^/]*)$/.exec(event.rawPath ?? '')?.[1];
  const raw = event.pathParameters?.token ?? fromPath ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return '';
  }
}

/** The answer's fields as posted (strings), kept to re-render the form, and the value to validate. */
function readAnswer(event: APIGatewayProxyEventV2): { values: FormValues; input: unknown } {
  const text = rawBody(event);
  const ct = (header(event, 'content-type') ?? '').trim();
  if (/^application\/x-www-form-urlencoded\b/i.test(ct)) {
    const form = new URLSearchParams(text);
    const values: FormValues = {
      ...(form.has('rating') ? { rating: form.get('rating') ?? '' } : {}),
      reasons: form.getAll('reasons'),
      ...(form.has('comment') ? { comment: (form.get('comment') ?? '').replace(/\r\n?/g, '\n') } : {}),
    };
    return { values, input: values };
  }
  const body = jsonBody(event, text);
  const o =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const values: FormValues = {
    ...(o.rating !== undefined ? { rating: String(o.rating) } : {}),
    ...(Array.isArray(o.reasons) ? { reasons: o.reasons.map(String) } : {}),
    ...(typeof o.comment === 'string' ? { comment: o.comment } : {}),
  };
  return { values, input: body };
}

function stateAnswer(
  state: Exclude<WebAnswerResult, { kind: 'answered' }> | WebSurveyState,
  asJson: boolean,
) {
  if (state.kind === 'not_found') {
    return asJson ? problem(404, 'Not found', 'unknown survey link') : html(404, renderNotFound());
  }
  if (state.kind === 'closed') {
    return asJson
      ? problem(410, 'Gone', `the survey is no longer open (${state.reason})`)
      : html(410, renderClosed(state.reason, state.survey));
  }
  return undefined;
}

export const surveyPage = httpFunction(async (event) => {
  const asJson = wantsJson(event);
  const token = tokenOf(event);
  const method = event.requestContext.http.method.toUpperCase();
  try {
    if (method === 'GET') {
      const state = await openWebSurvey(token);
      if (state.kind === 'open') {
        return asJson
          ? json(200, { status: 'open', ...state.survey })
          : html(200, renderSurveyForm(state.survey));
      }
      return stateAnswer(state, asJson) as HttpResult;
    }

    let read: ReturnType<typeof readAnswer>;
    try {
      read = readAnswer(event);
    } catch (err) {
      if (asJson) throw err;
      if (err instanceof PayloadTooLargeError) return html(413, renderBadRequest());
      if (err instanceof UnsupportedMediaTypeError) return html(415, renderBadRequest());
      if (err instanceof ValidationError) return html(400, renderBadRequest());
      throw err;
    }
    let answer: ReturnType<typeof webAnswerSchema.parse>;
    try {
      answer = parseWith(webAnswerSchema, read.input);
    } catch (err) {
      if (asJson || !(err instanceof ValidationError)) throw err;
      // Say what is wrong only about a survey that can still be answered.
      const state = await openWebSurvey(token);
      if (state.kind !== 'open') return stateAnswer(state, false) as HttpResult;
      return html(
        400,
        renderSurveyForm(
          state.survey,
          read.values,
          err.issues.map((i) => i.field.split('.')[0] ?? i.field),
        ),
      );
    }
    const result = await answerWebSurvey(token, answer);
    if (result.kind === 'answered') {
      return asJson
        ? json(200, { status: 'answered', rating: result.rating })
        : html(200, renderThanks(result.rating));
    }
    return stateAnswer(result, asJson) as HttpResult;
  } catch (err) {
    if (asJson) throw err;
    logger.error('web survey page failed', { error: err as Error });
    return html(500, renderUnavailable());
  }
});

export const handler = middy(surveyPage).use(injectLambdaContext(logger));
