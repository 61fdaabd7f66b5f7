import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { principalFromEvent } from '#shared/auth';
import type { CallbackStatus } from '#shared/entities/callback';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/errors';
import { httpFunction, json, jsonBody, parseWith } from '#shared/http';
import { logger } from '#shared/log';
import {
  addCallbackNote,
  callbackOutcomes,
  callbackStatuses,
  closeCallback,
  getCallbackCase,
  listCallbacks,
} from '#shared/usecases/callbacks';

const name = z.string().trim().min(1).max(64);

const listQuery = z.object({
  /** One status or several, comma-separated; default `open,overdue` (the cases still to work). */
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const parts = [...new Set((s ?? 'open,overdue').split(',').map((x) => x.trim()))];
      const bad = parts.filter((x) => !(callbackStatuses as readonly string[]).includes(x));
      if (bad.length || parts.length === 0) {
        ctx.addIssue({ code: 'custom', message: `one or more of ${callbackStatuses.join(', ')}` });
        return z.NEVER;
      }
      return parts as CallbackStatus[];
    }),
  team: name.optional(),
  region: name.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1000).optional(),
});

const caseId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w-]+$/, 'not a case id');

export const noteBody = z.object({ note: z.string().trim().min(1).max(500) });

export const closeBody = z.object({
  outcome: z.enum(callbackOutcomes),
  note: z.string().trim().min(1).max(500),
});

function idOf(event: APIGatewayProxyEventV2): string {
  const r = caseId.safeParse(event.pathParameters?.id);
  if (!r.success) throw new ValidationError([{ field: 'id', message: 'not a case id' }]);
  return r.data;
}

/**
 * The callback agents' and managers' API (domain.md section 6):
 * GET /v1/callbacks, GET /v1/callbacks/{id}, POST /v1/callbacks/{id}/notes, POST /v1/callbacks/{id}/close.
 * Access by role is decided in shared/usecases/callbacks.ts.
 */
export const callbacks = httpFunction(async (event) => {
  const principal = principalFromEvent(event);
  if (principal.role === 'engineer') throw new ForbiddenError();
  switch (event.routeKey) {
    case 'GET /v1/callbacks': {
      const q = parseWith(listQuery, event.queryStringParameters ?? {});
      return json(
        200,
        await listCallbacks(principal, {
          statuses: q.status,
          limit: q.limit,
          ...(q.team ? { team: q.team } : {}),
          ...(q.region ? { region: q.region } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
        }),
      );
    }
    case 'GET /v1/callbacks/{id}':
      return json(200, await getCallbackCase(principal, idOf(event)));
    case 'POST /v1/callbacks/{id}/notes': {
      const id = idOf(event);
      const { note } = parseWith(noteBody, jsonBody(event));
      return json(200, await addCallbackNote(principal, id, note));
    }
    case 'POST /v1/callbacks/{id}/close': {
      const id = idOf(event);
      const body = parseWith(closeBody, jsonBody(event));
      return json(200, await closeCallback(principal, id, body));
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
});

export const handler = middy(callbacks).use(injectLambdaContext(logger));
