import type { Deps } from '#shared/app/deps';
import {
  answerWebSurvey,
  openWebSurvey,
  type WebAnswerResult,
  type WebSurveyState,
} from '#shared/app/surveys/web-survey';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '#shared/domain/errors';
import { promisedHours } from '#shared/domain/sms/notices';
import { type HttpResult, json, parseWith, problem } from '#shared/http/http';
import { webAnswerSchema } from '#shared/http/schemas/web-answer';
import type * as z from '#shared/runtime/zod';
import {
  pageHeaders,
  renderBadRequest,
  renderClosed,
  renderNotFound,
  renderSurveyForm,
  renderThanks,
  renderUnavailable,
} from '#shared/web/survey-page';
import type { PostedAnswer, SurveyPageRequest } from '#shared/web/survey-page-request';

/**
 * The web survey page: GET shows the questions of an open survey, POST records the answer and
 * thanks (or re-renders the form saying what is wrong). Browsers get HTML pages; a JSON client
 * gets JSON, and its errors are thrown for the HTTP error mapping (problem+json).
 */
export async function surveyPageAnswer(deps: Deps, request: SurveyPageRequest): Promise<HttpResult> {
  const { token, asJson } = request;
  if (request.method === 'GET') {
    const state = await openWebSurvey(deps, token);
    if (state.kind === 'open') {
      return asJson
        ? json(200, { status: 'open', ...state.survey })
        : html(200, renderSurveyForm(state.survey));
    }
    return stateAnswer(state, asJson);
  }
  const read = request.answer;
  if ('unreadable' in read) return unreadable(read.unreadable, asJson);
  let answer: z.output<ReturnType<typeof webAnswerSchema>>;
  try {
    answer = parseWith(webAnswerSchema(), read.input);
  } catch (err) {
    if (asJson || !(err instanceof ValidationError)) throw err;
    return invalidForm(deps, token, read, err);
  }
  const result = await answerWebSurvey(deps, token, answer);
  if (result.kind === 'answered') {
    return asJson
      ? json(200, { status: 'answered', rating: result.rating })
      : html(200, renderThanks(result.rating, promisedHours(deps.rules)));
  }
  return stateAnswer(result, asJson);
}

/** The page a browser gets when the page itself failed (a JSON client gets the error mapping's 500). */
export function unavailablePage(): HttpResult {
  return html(500, renderUnavailable());
}

function html(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { ...pageHeaders }, body };
}

/** A body that could not be read: the error for a JSON client, a plain page for a browser. */
function unreadable(err: unknown, asJson: boolean): HttpResult {
  if (asJson) throw err;
  if (err instanceof PayloadTooLargeError) return html(413, renderBadRequest());
  if (err instanceof UnsupportedMediaTypeError) return html(415, renderBadRequest());
  if (err instanceof ValidationError) return html(400, renderBadRequest());
  throw err;
}

/** Says what is wrong only about a survey that can still be answered. */
async function invalidForm(
  deps: Deps,
  token: string,
  read: PostedAnswer,
  err: ValidationError,
): Promise<HttpResult> {
  const state = await openWebSurvey(deps, token);
  if (state.kind !== 'open') return stateAnswer(state, false);
  return html(
    400,
    renderSurveyForm(
      state.survey,
      read.values,
      err.issues.map((i) => i.field.split('.')[0] ?? i.field),
    ),
  );
}

function stateAnswer(
  state: Exclude<WebAnswerResult, { kind: 'answered' }> | Exclude<WebSurveyState, { kind: 'open' }>,
  asJson: boolean,
): HttpResult {
  if (state.kind === 'not_found') {
    return asJson ? problem(404, 'Not found', 'unknown survey link') : html(404, renderNotFound());
  }
  return asJson
    ? problem(410, 'Gone', `the survey is no longer open (${state.reason})`)
    : html(410, renderClosed(state.reason, state.survey));
}
