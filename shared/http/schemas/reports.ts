import * as z from 'zod';
import { formatField, headersField } from '#shared/http/negotiate';
import { lazy } from '#shared/runtime/lazy';

export const COMMENTS_DEFAULT_LIMIT = 20;
export const COMMENTS_MAX_LIMIT = 100;

/** Query of every report route (the handler and the OpenAPI document use it). */
export const reportQuery = lazy(() =>
  z.object({
    period: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    format: formatField(),
    headers: headersField(),
  }),
);

export const reportDetailQuery = lazy(() =>
  reportQuery().extend({
    granularity: z.enum(['week', 'month']).optional(),
    limit: z.coerce.number().int().min(1).max(COMMENTS_MAX_LIMIT).default(COMMENTS_DEFAULT_LIMIT),
    cursor: z.string().min(1).max(512).optional(),
    /** CSV or workbook of the detail: the trend (default) or the current page of dissatisfied comments. */
    section: z.enum(['trend', 'comments']).default('trend'),
  }),
);
