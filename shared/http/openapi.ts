import { CSV_MEDIA_TYPE, XLSX_CONTENT_TYPE } from '#shared/http/negotiate';
import { routes } from '#shared/http/routes';
import {
  callbackCaseId,
  callbackCloseBody,
  callbackListDownloadQuery,
  callbackNoteBody,
  callbackReviewBody,
  textListQuery,
} from '#shared/http/schemas/callbacks';
import { inboundSmsSchema } from '#shared/http/schemas/inbound-sms';
import { reportDetailQuery, reportQuery } from '#shared/http/schemas/reports';
import {
  callbackCaseDetailSchema,
  callbackCaseSchema,
  callbackPageSchema,
  customerTextPageSchema,
  engineerDetailSchema,
  engineerReportSchema,
  erasureResultSchema,
  problemSchema,
  regionReportSchema,
  teamReportSchema,
  ticketAcceptedSchema,
  ticketDispatchedResultSchema,
  ticketReopenedResultSchema,
} from '#shared/http/schemas/responses';
import {
  aliyunAckSchema,
  aliyunSmsReportSchema,
  aliyunSmsUpSchema,
  tencentAckSchema,
  tencentRepliesSchema,
  tencentReplySchema,
  tencentStatusSchema,
} from '#shared/http/schemas/sms-callbacks';
import { idField, ticketCompletedSchema } from '#shared/http/schemas/ticket-completed';
import { ticketDispatchedSchema } from '#shared/http/schemas/ticket-dispatched';
import { ticketReopenedSchema } from '#shared/http/schemas/ticket-reopened';
import { webAnswerSchema } from '#shared/http/schemas/web-answer';
import * as z from '#shared/runtime/zod';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with.
 * `npm run openapi` writes it to shared/http/openapi.json (checked in, served at /openapi.json);
 * test/unit/openapi.test.ts fails when the two differ or a route lacks an operation.
 */
type Schema = z.core.$ZodType;

interface Operation {
  summary: string;
  tag: string;
  body?: Schema;
  bodyTypes?: string[];
  query?: z.core.$ZodObject;
  params?: Record<string, Schema>;
  signed?: boolean;
  /** `type`: a media type of the answer besides the JSON `schema` (or the only one), or several. */
  ok: { status: number; description: string; schema?: Schema; type?: string | readonly string[] };
  errors: number[];
}

const html = 'text/html';
/** The downloads of the reports and the case list (shared/http/negotiate.ts). */
const downloads = [CSV_MEDIA_TYPE, XLSX_CONTENT_TYPE] as const;

export const operations: Record<string, Operation> = {
  'POST /v1/tickets/completed': {
    summary: 'An upstream work-order system reports a completed ticket (Standard Webhooks signed)',
    tag: 'webhooks',
    body: ticketCompletedSchema(),
    signed: true,
    ok: {
      status: 202,
      description:
        'Accepted with one write and planned by the scheduler within a minute (200 with the same body for a repeat: ' +
        'the same `completedAt` and counted fields; 409 naming the fields when they differ, or naming `completedAt` when ' +
        'the ticket is completed and not reopened). ' +
        '`suppressed` names what the ticket itself shows (staff_phone, kind_not_surveyed); a `scheduled` survey may ' +
        'still be suppressed when planned on the phone’s state (opted_out, recently_surveyed), as the work-order reply reports.',
      schema: ticketAcceptedSchema,
    },
    errors: [400, 401, 409, 413, 415],
  },
  'POST /v1/tickets/reopened': {
    summary: 'An upstream work-order system reopened a ticket (Standard Webhooks signed)',
    tag: 'webhooks',
    body: ticketReopenedSchema(),
    signed: true,
    ok: {
      status: 200,
      description:
        'What became of the survey (`kept` for a repeat: the same `reopenedAt`); 409 naming `reopenedAt` for a new ' +
        'reopen while the ticket is reopened and not completed since',
      schema: ticketReopenedResultSchema,
    },
    errors: [400, 401, 404, 409, 413, 415],
  },
  'POST /v1/tickets/dispatched': {
    summary:
      'An upstream work-order system dispatched a ticket (Standard Webhooks signed): alerts to the team at half the repair limit and at the limit unless a completion comes first',
    tag: 'webhooks',
    body: ticketDispatchedSchema(),
    signed: true,
    ok: {
      status: 202,
      description:
        'Accepted with one write: `alerts: scheduled` when the ticket has a repair limit (from `reportedAt`), with ' +
        'when the half-time and limit alerts fall due; each goes out only if no completion of the ticket has arrived ' +
        'by then. 200 with the same body for a repeat; 409 naming the fields when a repeat differs in them.',
      schema: ticketDispatchedResultSchema,
    },
    errors: [400, 401, 409, 413, 415],
  },
  'GET /v1/reports/engineers': {
    summary:
      'Per-engineer supervision figures for a period (JSON; CSV or Excel .xlsx with format=csv|xlsx or the Accept header)',
    tag: 'reports',
    query: reportQuery(),
    ok: { status: 200, description: 'Engineers ranked', schema: engineerReportSchema, type: downloads },
    errors: [400, 401, 403],
  },
  'GET /v1/reports/engineers/{engineerId}': {
    summary: "One engineer's figures, trend, reasons and dissatisfied customers' comments (phones masked)",
    tag: 'reports',
    query: reportDetailQuery(),
    params: { engineerId: idField() },
    ok: { status: 200, description: 'The engineer', schema: engineerDetailSchema, type: downloads },
    errors: [400, 401, 403, 404],
  },
  'GET /v1/reports/teams': {
    summary: 'The figures rolled up per team, each with its engineers ranked',
    tag: 'reports',
    query: reportQuery(),
    ok: { status: 200, description: 'Teams', schema: teamReportSchema, type: downloads },
    errors: [400, 401, 403],
  },
  'GET /v1/reports/regions': {
    summary: 'The figures rolled up per region, each with its engineers ranked',
    tag: 'reports',
    query: reportQuery(),
    ok: { status: 200, description: 'Regions', schema: regionReportSchema, type: downloads },
    errors: [400, 401, 403],
  },
  'GET /v1/callbacks': {
    summary:
      'Callback cases (回访) by status, newest first: without team or region every case in scope (an admin: every ' +
      'case, `_unattributed` ones included); filters kind and engineerId; pages full unless a rare filter ' +
      'reached the read bound (then shorter, with a cursor)',
    tag: 'callbacks',
    query: callbackListDownloadQuery(),
    ok: {
      status: 200,
      description:
        'A page of cases (phones masked); as CSV or Excel .xlsx with format=csv|xlsx or the Accept header, the next page in x-next-cursor',
      schema: callbackPageSchema,
      type: downloads,
    },
    errors: [400, 401, 403],
  },
  'GET /v1/callbacks/{id}': {
    summary: "One callback case with its history and the customer's previous surveys and cases",
    tag: 'callbacks',
    params: { id: callbackCaseId() },
    ok: { status: 200, description: 'The case', schema: callbackCaseDetailSchema },
    errors: [400, 401, 403, 404],
  },
  'POST /v1/callbacks/{id}/notes': {
    summary: 'Record progress or the first contact on a case',
    tag: 'callbacks',
    params: { id: callbackCaseId() },
    body: callbackNoteBody(),
    ok: { status: 200, description: 'The case', schema: callbackCaseSchema },
    errors: [400, 401, 403, 404, 409],
  },
  'POST /v1/callbacks/{id}/close': {
    summary:
      'Close a case with its outcome: resolved_unsatisfied returns it to handling (in_progress, a new ' +
      'deadline) until callbacks.maxRounds rounds, then escalates it; a complaint then waits for review ' +
      '(pending_review); twice, or racing another change, answers 409',
    tag: 'callbacks',
    params: { id: callbackCaseId() },
    body: callbackCloseBody(),
    ok: { status: 200, description: 'The case', schema: callbackCaseSchema },
    errors: [400, 401, 403, 404, 409],
  },
  'GET /v1/messages': {
    summary:
      "Customers' texts kept (每诉必录): every text that was neither a rating nor an opt-out, and every complaint, " +
      'received in the period, newest first; scope as for cases: without team or region every text in scope ' +
      '(an admin: every text; `_unattributed`: admins only)',
    tag: 'callbacks',
    query: textListQuery(),
    ok: { status: 200, description: 'A page of texts (phones masked)', schema: customerTextPageSchema },
    errors: [400, 401, 403],
  },
  'POST /v1/callbacks/{id}/review': {
    summary:
      'Review a complaint in pending_review (manager or admin in scope; agents 403): approve closes it and ' +
      'texts the customer the result, otherwise it returns to in_progress with a new deadline; racing reviews: one 409',
    tag: 'callbacks',
    params: { id: callbackCaseId() },
    body: callbackReviewBody(),
    ok: { status: 200, description: 'The case', schema: callbackCaseSchema },
    errors: [400, 401, 403, 404, 409],
  },
  'GET /s/{token}': {
    summary: 'The web survey page (Simplified Chinese, mobile first)',
    tag: 'survey',
    params: { token: z.string().check(z.maxLength(64)) },
    ok: { status: 200, description: 'The form', type: html },
    errors: [404, 410],
  },
  'POST /s/{token}': {
    summary: 'Answer the web survey (form or JSON); stored through the same code path as an SMS reply',
    tag: 'survey',
    params: { token: z.string().check(z.maxLength(64)) },
    body: webAnswerSchema(),
    bodyTypes: ['application/x-www-form-urlencoded', 'application/json'],
    ok: { status: 200, description: 'Thank-you page', type: html },
    errors: [400, 404, 409, 410, 415],
  },
  'POST /v1/sms/aliyun/{token}/replies': smsCallback(
    'Aliyun SMS pushes customers’ replies (SmsUp, 上行短信)',
    aliyunSmsUpSchema(),
    aliyunAckSchema(),
  ),
  'POST /v1/sms/aliyun/{token}/receipts': smsCallback(
    'Aliyun SMS pushes delivery receipts (SmsReport, 状态报告)',
    aliyunSmsReportSchema(),
    aliyunAckSchema(),
  ),
  'POST /v1/sms/tencent/{token}/replies': smsCallback(
    'Tencent Cloud SMS pushes customers’ replies (短信回复; one object or an array)',
    z.union([tencentReplySchema(), tencentRepliesSchema()]),
    tencentAckSchema(),
  ),
  'POST /v1/sms/tencent/{token}/receipts': smsCallback(
    'Tencent Cloud SMS pushes delivery receipts (短信下发状态)',
    tencentStatusSchema(),
    tencentAckSchema(),
  ),
  'GET /dashboard': {
    summary: "The managers' dashboard (sign in with a bearer token)",
    tag: 'dashboard',
    ok: { status: 200, description: 'The page', type: html },
    errors: [],
  },
  'GET /workbench': {
    summary: 'The callback workbench for agents and supervisors (queue, case, notes, close, review)',
    tag: 'dashboard',
    ok: { status: 200, description: 'The page', type: html },
    errors: [],
  },
  'GET /dashboard/assets/{file}': {
    summary: "The dashboard's scripts (ECharts) and styles",
    tag: 'dashboard',
    params: { file: z.string().check(z.maxLength(64)) },
    ok: {
      status: 200,
      description: 'The asset (script or style sheet)',
      type: ['text/javascript', 'text/css'],
    },
    errors: [404],
  },
  'DELETE /v1/customers/{phone}': {
    summary: "Erase a customer's personal data everywhere, keeping the figures (admin)",
    tag: 'customers',
    params: { phone: z.string().check(z.maxLength(32)) },
    ok: { status: 200, description: 'What was erased', schema: erasureResultSchema },
    errors: [400, 401, 403],
  },
  'GET /openapi.json': {
    summary: 'This document',
    tag: 'meta',
    ok: { status: 200, description: 'OpenAPI 3.1' },
    errors: [],
  },
};

/** An SMS provider's push: the secret token in the path is the credential (404 when wrong). */
function smsCallback(summary: string, body: Schema, ack: Schema): Operation {
  return {
    summary,
    tag: 'sms',
    params: { token: z.string().check(z.maxLength(128)) },
    body,
    ok: {
      status: 200,
      description:
        'Stored with one write and answered at once as the provider expects; each reply or receipt is then handled ' +
        'once (within seconds, the scheduler within a minute at the latest), however often it is pushed. A wrong ' +
        'token answers 404 and stores nothing, as does a malformed body (400).',
      schema: ack,
    },
    errors: [400, 404, 413],
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `errors` names every invalid field',
  401: 'Missing or invalid token or signature',
  403: 'Forbidden (reveals nothing about the resource)',
  404: 'Not found',
  409: 'Conflict with what is stored: `errors` names the conflicting fields, where there are some',
  410: 'Gone: the survey is closed or the link was used',
  413: 'Body over 64 KiB',
  415: 'Body is not JSON',
};

const toJson = (s: Schema) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const op = operations[key];
    if (!op) throw new Error(`no OpenAPI operation for ${key}`);
    const parameters: unknown[] = [];
    for (const [name, schema] of Object.entries(op.params ?? {})) {
      parameters.push({ name, in: 'path', required: true, schema: toJson(schema) });
    }
    if (op.query) {
      const q = toJson(op.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema });
      }
    }
    if (op.signed) {
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        parameters.push({ name, in: 'header', required: true, schema: { type: 'string' } });
      }
    }
    const okContent: Record<string, unknown> = {};
    if (op.ok.schema) okContent['application/json'] = { schema: toJson(op.ok.schema as Schema) };
    for (const type of [op.ok.type ?? []].flat()) {
      okContent[type] = {
        schema: type.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' },
      };
    }
    if (!op.ok.schema && !op.ok.type) okContent['application/json'] = { schema: { type: 'object' } };
    const responses: Record<string, unknown> = {
      [String(op.ok.status)]: { description: op.ok.description, content: okContent },
    };
    for (const code of op.errors) {
      responses[String(code)] = {
        description: ERROR_TEXT[code] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: op.summary,
      tags: [op.tag],
      ...(route.auth ? { security: [{ bearer: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                (op.bodyTypes ?? ['application/json']).map((t) => [t, { schema: toJson(op.body as Schema) }]),
              ),
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Telecom field-service feedback API',
      version: '1.0.0',
      description:
        'Completion webhooks, SMS and web satisfaction surveys, supervision reports and callbacks (回访). ' +
        'Webhooks are signed per Standard Webhooks; report and callback routes need a bearer JWT.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: toJson(problemSchema), InboundSms: toJson(inboundSmsSchema()) },
    },
  };
}
