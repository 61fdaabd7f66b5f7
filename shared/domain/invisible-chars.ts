/**
 * Characters a name may not hold (team and region names, values rendered into an SMS, a
 * customer's name): controls (C0, C1: line breaks, tab, NUL, ESC...), format characters (bidi
 * controls, zero-width characters), lone surrogates and the line/paragraph separators. With them
 * two names that look alike could differ, or a value could display as something else.
 *
 * Free text (comments, notes) is not refused but cleaned, and keeps line breaks and the zero-width
 * joiner of emoji sequences: shared/domain/free-text.ts.
 */
export const INVISIBLE_CHARS = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export const INVISIBLE_CHARS_MESSAGE =
  'must not contain control characters (line breaks, tabs...), bidi or other invisible characters';
