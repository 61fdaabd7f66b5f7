import * as z from 'zod';
import { INVISIBLE_CHARS, INVISIBLE_CHARS_MESSAGE } from '#shared/domain/invisible-chars';
import { lazy } from '#shared/runtime/lazy';

/**
 * A team or region name: an identifier, compared exactly. It may hold spaces, commas, `#`,
 * Chinese and full-width punctuation (`North Team`, `华东，一组`); surrounding whitespace is trimmed,
 * and control, format (invisible, bidi) and line-separator characters are refused, so that two names
 * that look alike are the same name. The webhook's `engineer.team` / `engineer.region` and the
 * tokens' team and region claims (shared/http/auth.ts) use this one definition.
 */
export const scopeNameField = lazy(() =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine((s) => !INVISIBLE_CHARS.test(s), INVISIBLE_CHARS_MESSAGE),
);
