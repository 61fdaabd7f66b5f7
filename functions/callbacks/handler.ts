import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  addCallbackNote,
  assertMayWorkCallbacks,
  closeCallback,
  listCallbacks,
  reviewCallback,
} from '#shared/app/callbacks/callbacks';
import { getCallbackCaseDetail } from '#shared/app/callbacks/customer-history';
import { listCallbacksToEnd } from '#shared/app/callbacks/export';
import { callbackListTable } from '#shared/app/callbacks/list-table';
import { listTexts } from '#shared/app/callbacks/texts';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { NotFoundError, ValidationError } from '#shared/domain/errors';
import { parsePeriod } from '#shared/domain/time';
import { principalFromEvent } from '#shared/http/auth';
import { download } from '#shared/http/download';
import { httpFunction, json, jsonBody, parseWith } from '#shared/http/http';
import { responseFormat } from '#shared/http/negotiate';
import {
  callbackCaseId as caseId,
  callbackCloseBody as closeBody,
  callbackListDownloadQuery as listQuery,
  callbackNoteBody as noteBody,
  callbackReviewBody as reviewBody,
  textListQuery,
} from '#shared/http/schemas/callbacks';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

function idOf(event: APIGatewayProxyEventV2): string {
  const r = caseId().safeParse(event.pathParameters?.id);
  if (!r.success) throw new ValidationError([{ field: 'id', message: 'not a case id' }]);
  return r.data;
}

/**
 * The callback agents' and managers' API (docs/domain.md section 6):
 * GET /v1/callbacks (JSON, or a CSV / Excel page as ?format= or Accept ask: shared/http/negotiate.ts),
 * GET /v1/callbacks/{id} (with the customer's previous surveys and cases), POST /v1/callbacks/{id}/notes, POST /v1/callbacks/{id}/close,
 * POST /v1/callbacks/{id}/review (a complaint's review: managers and admins),
 * and GET /v1/messages (the customers' texts kept, with the same reach as the case lists).
 * Access by role is decided in shared/domain/access.ts; an engineer is refused before the request
 * is read.
 */
export function callbacks(deps: Deps) {
  return httpFunction(async (event) => {
    const principal = principalFromEvent(event, deps.config.authClaims);
    assertMayWorkCallbacks(principal);
    switch (event.routeKey) {
      case 'GET /v1/callbacks': {
        const q = parseWith(listQuery(), event.queryStringParameters ?? {});
        const format = responseFormat(event, q.format);
        if (q.all === 'true' && format === 'json') {
          throw new ValidationError([{ field: 'all', message: 'only for a download (format=csv|xlsx)' }]);
        }
        const caseQuery = {
          statuses: q.status,
          limit: q.limit,
          ...(q.team ? { team: q.team } : {}),
          ...(q.region ? { region: q.region } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.engineerId ? { engineerId: q.engineerId } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
        };
        const { cut, ...page } =
          q.all === 'true'
            ? await listCallbacksToEnd(principal, caseQuery)
            : { ...(await listCallbacks(principal, caseQuery)), cut: undefined };
        if (format === 'json') return json(200, page);
        // The same page as the JSON (same cases, same masking), or every page (all=true, cut at its
        // bounds: which one, and the cases the file holds, in headers); the cursor to go on from.
        const headers: Record<string, string> = {
          ...(page.cursor ? { 'x-next-cursor': page.cursor } : {}),
          ...(cut ? { 'x-export-cut': cut, 'x-export-cases': String(page.items.length) } : {}),
        };
        return download(
          format,
          callbackListTable(page.items, q.headers),
          q.headers,
          { ascii: 'callbacks', display: '回访记录' },
          headers,
        );
      }
      case 'GET /v1/messages': {
        const q = parseWith(textListQuery(), event.queryStringParameters ?? {});
        return json(
          200,
          await listTexts(principal, {
            period: parsePeriod(q.period, deps.rules.timeZone),
            limit: q.limit,
            ...(q.team ? { team: q.team } : {}),
            ...(q.region ? { region: q.region } : {}),
            ...(q.cursor ? { cursor: q.cursor } : {}),
          }),
        );
      }
      case 'GET /v1/callbacks/{id}':
        return json(200, await getCallbackCaseDetail(principal, idOf(event)));
      case 'POST /v1/callbacks/{id}/notes': {
        const id = idOf(event);
        const { note } = parseWith(noteBody(), jsonBody(event));
        return json(200, await addCallbackNote(deps, principal, id, note));
      }
      case 'POST /v1/callbacks/{id}/close': {
        const id = idOf(event);
        const body = parseWith(closeBody(), jsonBody(event));
        return json(200, await closeCallback(deps, principal, id, body));
      }
      case 'POST /v1/callbacks/{id}/review': {
        const id = idOf(event);
        const body = parseWith(reviewBody(), jsonBody(event));
        return json(200, await reviewCallback(deps, principal, id, body));
      }
      default:
        throw new NotFoundError(`no route ${event.routeKey}`);
    }
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(callbacks(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
