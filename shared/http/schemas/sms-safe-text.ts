import * as z from 'zod';
import { INVISIBLE_CHARS, INVISIBLE_CHARS_MESSAGE } from '#shared/http/schemas/invisible-chars';

/**
 * Text from a request that is rendered into an SMS (today `engineer.name`, the `{engineerName}`
 * of the survey templates). The carriers deliver our registered templates with these values
 * filled in, so a value must not be able to carry anything the template does not say:
 *
 * - a link: a scheme (`http://`, `https://`...), `www.`, a bare domain such as `t.cn/abcde`
 *   (letters, digits or `-`, a dot, then two or more letters) or an IPv4 address; checked on
 *   the NFKC form so full-width `ｔ．ｃｎ` and the ideographic full stop `t。cn` count too;
 * - control and format characters: C0/C1 controls (line breaks, tab, NUL, ESC...), the bidi
 *   controls (U+200E/F, U+202A-202E, U+2066-2069, U+061C), zero-width and other format
 *   characters, the line and paragraph separators, and lone surrogates;
 * - signature brackets `【】` (and `〖〗`, `[]`), with which a value could forge the sender.
 *
 * The length is counted in UTF-16 code units, as SMS segments are (70 per UCS-2 segment): a
 * character outside the BMP (CJK Extension B, emoji) counts two. Zod's own `.max` on strings
 * counts code points, so the schema keeps it (documented as `maxLength`) and adds the unit count.
 */

const LINK = /[a-z][a-z0-9+.-]*:\/\/|www[.。]|[a-z0-9-]+[.。][a-z]{2,}|\d{1,3}(?:[.。]\d{1,3}){3}/i;
const BRACKETS = /[【】〖〗[\]]/;

/** Why `value` must not go into an SMS, or undefined when it may. */
export function smsUnsafeReason(value: string): string | undefined {
  if (INVISIBLE_CHARS.test(value)) return INVISIBLE_CHARS_MESSAGE;
  const nfkc = value.normalize('NFKC');
  if (LINK.test(nfkc)) return 'must not contain a link (URL, www. or domain name)';
  if (BRACKETS.test(nfkc)) return 'must not contain 【】 or other brackets of an SMS signature';
  return undefined;
}

/**
 * A trimmed, non-empty text of at most `maxUnits` UTF-16 code units that is safe to render into
 * an SMS (see above). Use it for every request field a template shows.
 */
export function smsSafeText(maxUnits: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(maxUnits)
    .superRefine((value, ctx) => {
      // `.max` above has already reported a value longer than maxUnits code points.
      if (value.length > maxUnits && Array.from(value).length <= maxUnits) {
        ctx.addIssue({
          code: 'too_big',
          origin: 'string',
          maximum: maxUnits,
          inclusive: true,
          input: value,
          message: `Too big: expected string to have <=${maxUnits} UTF-16 code units (a character outside the BMP counts 2)`,
        });
      }
      const reason = smsUnsafeReason(value);
      if (reason) ctx.addIssue({ code: 'custom', input: value, message: reason });
    });
}
