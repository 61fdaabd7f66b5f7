import { INVISIBLE_CHARS, INVISIBLE_CHARS_MESSAGE } from '#shared/domain/invisible-chars';

/**
 * What a value rendered into an SMS may not carry (today `engineer.name`, the `{engineerName}` of
 * the survey templates). The carriers deliver our registered templates with these values filled
 * in, so a value must not be able to carry anything the template does not say:
 *
 * - a link: a scheme (`http://`, `https://`...), `www.`, a bare domain such as `t.cn/abcde`
 *   (letters, digits or `-`, a dot, then two or more letters) or an IPv4 address; checked on
 *   the NFKC form so full-width `ｔ．ｃｎ` and the ideographic full stop `t。cn` count too;
 * - control and format characters: C0/C1 controls (line breaks, tab, NUL, ESC...), the bidi
 *   controls (U+200E/F, U+202A-202E, U+2066-2069, U+061C), zero-width and other format
 *   characters, the line and paragraph separators, and lone surrogates;
 * - signature brackets `【】` (and `〖〗`, `[]`), with which a value could forge the sender.
 *
 * The webhook refuses such a value (http/schemas/sms-safe-text.ts); rendering leaves one out.
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
