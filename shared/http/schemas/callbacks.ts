import * as z from 'zod';
import { cleanFreeText, FREE_TEXT_MAX } from '#shared/domain/free-text';
import { type CallbackStatus, type CaseKind, callbackStatuses } from '#shared/domain/types';
import { formatField, headersField } from '#shared/http/negotiate';
import { scopeNameField } from '#shared/http/schemas/scope-name';
import { idField } from '#shared/http/schemas/ticket-completed';
import { lazy } from '#shared/runtime/lazy';

export const callbackOutcomes = ['resolved_satisfied', 'resolved_unsatisfied', 'unreachable'] as const;
export { type CallbackStatus, callbackStatuses };

const STILL_TO_WORK = callbackStatuses.filter((s) => s !== 'closed').join(',');

/** Requests of the callback API (GET/POST /v1/callbacks...): the handler and the OpenAPI document use these. */
const name = scopeNameField;

export const callbackListQuery = lazy(() =>
  z.object({
    /** One status or several, comma-separated; default every status but `closed` (the cases still to work). */
    status: z
      .string()
      .optional()
      .transform((s, ctx) => {
        const parts = [...new Set((s ?? STILL_TO_WORK).split(',').map((x) => x.trim()))];
        const bad = parts.filter((x) => !(callbackStatuses as readonly string[]).includes(x));
        if (bad.length || parts.length === 0) {
          ctx.addIssue({ code: 'custom', message: `one or more of ${callbackStatuses.join(', ')}` });
          return z.NEVER;
        }
        return parts as CallbackStatus[];
      }),
    team: name()
      .optional()
      .describe(
        'one team (in scope); neither team nor region: every team and region of the token, for an admin every case',
      ),
    region: name().optional().describe("one region (in scope); with team: that team's cases in that region"),
    kind: z
      .enum(['dissatisfied', 'complaint'] as const satisfies readonly CaseKind[])
      .optional()
      .describe('only the cases a 不满意 rating (dissatisfied) or a complaint opened'),
    engineerId: idField().optional().describe("only one engineer's cases"),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(1000).optional(),
  }),
);

/** The list with its downloads: `format` (json, csv, xlsx; wins over Accept) and `headers` (zh, en). */
export const callbackListDownloadQuery = lazy(() =>
  callbackListQuery().extend({
    format: formatField(),
    headers: headersField(),
    all: z
      .enum(['true', 'false'])
      .optional()
      .describe(
        'downloads only (format=csv|xlsx): every case the filters select, the list followed to the end in pages of 100 (at most 5,000 cases, 60 pages and 12 s of reading; cut short, the answer says why in x-export-cut (cases, pages or time), holds x-export-cases cases and gives x-next-cursor)',
      ),
  }),
);

export const callbackCaseId = lazy(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w-]+$/, 'not a case id'),
);

/** An agent's note, cleaned as all stored free text is (shared/domain/free-text.ts); nothing left is a 400. */
const note = lazy(() =>
  z
    .string()
    .trim()
    .min(1)
    .max(FREE_TEXT_MAX)
    .transform((s) => cleanFreeText(s))
    .refine((s) => s !== '', 'must contain text, not only control or bidi characters'),
);

export const callbackNoteBody = lazy(() => z.object({ note: note() }));

export const callbackCloseBody = lazy(() =>
  z.object({
    outcome: z.enum(callbackOutcomes),
    note: note(),
  }),
);

/** Query of GET /v1/messages: the customers' texts kept (period required; team and region optional, as for cases). */
export const textListQuery = lazy(() =>
  z.object({
    /** A month `2026-11`, an ISO week `2026-W47` or a day `2026-11-21` (local time). */
    period: z.string().min(1).max(32),
    team: name().optional(),
    region: name().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(1000).optional(),
  }),
);

/** A manager's review of a complaint in `pending_review`: approve (close) or return it to handling. */
export const callbackReviewBody = lazy(() =>
  z.object({
    approve: z.boolean(),
    note: note(),
  }),
);
