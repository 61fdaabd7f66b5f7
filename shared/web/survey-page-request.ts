import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { header, jsonBody, rawBody } from '#shared/http/http';
import type { FormValues } from '#shared/web/survey-page';

/**
 * A request to the web survey page (GET /s/{token}, POST /s/{token}) as read from the event:
 * the token, whether the client wants JSON, and for a POST the answer as posted (or why it could
 * not be read: too large, not a form nor JSON, bad JSON).
 */
export type SurveyPageRequest = { token: string; asJson: boolean } & (
  | { method: 'GET' }
  | { method: 'POST'; answer: PostedAnswer | { unreadable: unknown } }
);

/** The answer's fields as posted (strings), kept to re-render the form, and the value to validate. */
export interface PostedAnswer {
  values: FormValues;
  input: unknown;
}

export function readSurveyPageRequest(event: APIGatewayProxyEventV2): SurveyPageRequest {
  const token = tokenOf(event);
  const asJson = wantsJson(event);
  if (event.requestContext.http.method.toUpperCase() === 'GET') return { token, asJson, method: 'GET' };
  let answer: PostedAnswer | { unreadable: unknown };
  try {
    answer = readAnswer(event);
  } catch (err) {
    answer = { unreadable: err };
  }
  return { token, asJson, method: 'POST', answer };
}

/** Browsers get HTML pages; a client that asks for JSON only (Accept: application/json) gets JSON. */
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

/** A plain HTML form (application/x-www-form-urlencoded) or JSON. */
function readAnswer(event: APIGatewayProxyEventV2): PostedAnswer {
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
