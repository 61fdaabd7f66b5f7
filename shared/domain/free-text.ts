import { graphemes } from '#shared/domain/graphemes';

/**
 * Free text people type (customers' SMS and web-survey comments, agents' callback notes) is
 * cleaned by this one function before it is stored, so what is stored, and every JSON and CSV
 * that shows it, holds no control or bidi character and no half of a character.
 *
 * - Line breaks are legitimate in a comment: CRLF, CR, NEL and the Unicode line/paragraph
 *   separators become LF; a tab becomes a space.
 * - Every other C0 and C1 control (NUL, ESC, DEL...) and the bidi controls (LRM, RLM, ALM,
 *   LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI), which can make a text display as something else, are removed,
 *   and so are lone surrogates (a JSON body may carry `\ud83d` alone).
 * - The result is trimmed and cut to `max` code points (what the schemas' `.max` counts) on a
 *   grapheme boundary: never inside a surrogate pair, nor inside an emoji sequence or a character
 *   with its combining marks (unless a single grapheme is itself longer than `max`).
 */

export const FREE_TEXT_MAX = 500;

const LINE_BREAK = /\r\n?|[\u0085\u2028\u2029]/g;
// Controls (C0, DEL, C1) but LF, lone surrogates (under /u a lone one is its own code point) and
// the bidi controls.
const STRIP = /(?!\n)[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** `text` cut to at most `max` code points, on a grapheme boundary. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text; // never more code points than UTF-16 units
  let out = '';
  let count = 0;
  for (const segment of graphemes(text)) {
    const n = codePoints(segment);
    if (count + n > max) {
      // One grapheme longer than the limit (a base with hundreds of combining marks): cut it on
      // code points rather than keep nothing.
      if (count === 0) return Array.from(segment).slice(0, max).join('');
      break;
    }
    out += segment;
    count += n;
  }
  return out;
}

export function cleanFreeText(text: string, max: number = FREE_TEXT_MAX): string {
  const cleaned = text.replace(LINE_BREAK, '\n').replaceAll('\t', ' ').replace(STRIP, '').trim();
  return cut(cleaned, max).trim();
}
