import { INVISIBLE_CHARS, INVISIBLE_CHARS_MESSAGE } from '#shared/domain/invisible-chars';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/**
 * A team or region name: an identifier, compared exactly. It may hold spaces, commas, `#`,
 * Chinese and full-width punctuation (`North Team`, `华东，一组`); surrounding whitespace is trimmed,
 * and control, format (invisible, bidi) and line-separator characters are refused, so that two names
 * that look alike are the same name. The webhook's `engineer.team` / `engineer.region` and the
 * tokens' team and region claims (shared/http/auth.ts) use this one definition.
 */
export const scopeNameField = lazy(() =>
  z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(64),
    z.refine((s) => !INVISIBLE_CHARS.test(s), INVISIBLE_CHARS_MESSAGE),
  ),
);
