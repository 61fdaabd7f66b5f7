import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

export const reasonCodes = [1, 2, 3, 4, 5, 6] as const;

/** The page's answer, from a form or JSON; the same questions as the SMS conversation. */
export const webAnswerSchema = lazy(() =>
  z.object({
    rating: z.coerce
      .number({ error: 'rating is required: 1, 2 or 3' })
      .check(z.int(), z.gte(1, 'rating must be 1, 2 or 3'), z.lte(3, 'rating must be 1, 2 or 3')),
    reasons: z._default(
      z
        .array(z.coerce.number().check(z.int(), z.gte(1, 'reasons are 1-6'), z.lte(6, 'reasons are 1-6')))
        .check(z.maxLength(6)),
      [],
    ),
    comment: z.optional(z.string().check(z.maxLength(500, 'comment must be at most 500 characters'))),
  }),
);
