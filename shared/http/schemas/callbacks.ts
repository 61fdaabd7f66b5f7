import { cleanFreeText, FREE_TEXT_MAX } from '#shared/domain/free-text';
import { type CallbackStatus, type CaseKind, callbackStatuses } from '#shared/domain/types';
import { formatField, headersField } from '#shared/http/negotiate';
import { scopeNameField } from '#shared/http/schemas/scope-name';
import { idField } from '#shared/http/schemas/ticket-completed';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

export const callbackOutcomes = ['resolved_satisfied', 'resolved_unsatisfied', 'unreachable'] as const;
export { type CallbackStatus, callbackStatuses };

const STILL_TO_WORK = callbackStatuses.filter((s) => s !== 'closed').join(',');

/** Requests of the callback API (GET/POST /v1/callbacks...): the handler and the OpenAPI document use these. */
const name = scopeNameField;

export const callbackListQuery = lazy(() =>
  z.object({
    /** One status or several, comma-separated; default every status but `closed` (the cases still to work). */
    status: z.pipe(
      z.optional(z.string()),
      z.transform((s: string | undefined, ctx) => {
        const parts = [...new Set((s ?? STILL_TO_WORK).split(',').map((x) => x.trim()))];
        const bad = parts.filter((x) => !(callbackStatuses as readonly string[]).includes(x));
        if (bad.length || parts.length === 0) {
          ctx.issues.push({
            code: 'custom',
            message: `one or more of ${callbackStatuses.join(', ')}`,
            input: s,
          });
          return z.NEVER;
        }
        return parts as CallbackStatus[];
      }),
    ),
    team: z
      .optional(name())
      .check(
        z.describe(
          'one team (in scope); neither team nor region: every team and region of the token, for an admin every case',
        ),
      ),
    region: z
      .optional(name())
      .check(z.describe("one region (in scope); with team: that team's cases in that region")),
    kind: z
      .optional(z.enum(['dissatisfied', 'complaint'] as const satisfies readonly CaseKind[]))
      .check(z.describe('only the cases a 不满意 rating (dissatisfied) or a complaint opened')),
    engineerId: z.optional(idField()).check(z.describe("only one engineer's cases")),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
  }),
);

/** The list with its downloads: `format` (json, csv, xlsx; wins over Accept) and `headers` (zh, en). */
export const callbackListDownloadQuery = lazy(() =>
  z.extend(callbackListQuery(), {
    format: formatField(),
    headers: headersField(),
    all: z
      .optional(z.enum(['true', 'false']))
      .check(
        z.describe(
          'downloads only (format=csv|xlsx): every case the filters select, the list followed to the end in pages of 100 (at most 5,000 cases, 60 pages and 12 s of reading; cut short, the answer says why in x-export-cut (cases, pages or time), holds x-export-cases cases and gives x-next-cursor)',
        ),
      ),
  }),
);

export const callbackCaseId = lazy(() =>
  z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\w-]+$/, 'not a case id')),
);

/** An agent's note, cleaned as all stored free text is (shared/domain/free-text.ts); nothing left is a 400. */
const note = lazy(() =>
  z
    .pipe(
      z.string().check(z.trim(), z.minLength(1), z.maxLength(FREE_TEXT_MAX)),
      z.transform((s: string) => cleanFreeText(s)),
    )
    .check(z.refine((s) => s !== '', 'must contain text, not only control or bidi characters')),
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
    period: z.string().check(z.minLength(1), z.maxLength(32)),
    team: z.optional(name()),
    region: z.optional(name()),
    limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
  }),
);

/** A manager's review of a complaint in `pending_review`: approve (close) or return it to handling. */
export const callbackReviewBody = lazy(() =>
  z.object({
    approve: z.boolean(),
    note: note(),
  }),
);
