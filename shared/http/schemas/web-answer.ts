import * as z from 'zod';
import { lazy } from '#shared/runtime/lazy';

export const reasonCodes = [1, 2, 3, 4, 5, 6] as const;

/** The page's answer, from a form or JSON; the same questions as the SMS conversation. */
export const webAnswerSchema = lazy(() =>
  z.object({
    rating: z.coerce
      .number({ error: 'rating is required: 1, 2 or 3' })
      .int()
      .min(1, 'rating must be 1, 2 or 3')
      .max(3, 'rating must be 1, 2 or 3'),
    reasons: z
      .array(z.coerce.number().int().min(1, 'reasons are 1-6').max(6, 'reasons are 1-6'))
      .max(6)
      .default([]),
    comment: z.string().max(500, 'comment must be at most 500 characters').optional(),
  }),
);
