import { formatField, headersField } from '#shared/http/negotiate';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

export const COMMENTS_DEFAULT_LIMIT = 20;
export const COMMENTS_MAX_LIMIT = 100;

/** Query of every report route (the handler and the OpenAPI document use it). */
export const reportQuery = lazy(() =>
  z.object({
    period: z.optional(z.string()),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    format: formatField(),
    headers: headersField(),
  }),
);

export const reportDetailQuery = lazy(() =>
  z.extend(reportQuery(), {
    granularity: z.optional(z.enum(['week', 'month'])),
    limit: z._default(
      z.coerce.number().check(z.int(), z.gte(1), z.lte(COMMENTS_MAX_LIMIT)),
      COMMENTS_DEFAULT_LIMIT,
    ),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
    /** CSV or workbook of the detail: the trend (default) or the current page of dissatisfied comments. */
    section: z._default(z.enum(['trend', 'comments']), 'trend'),
  }),
);
