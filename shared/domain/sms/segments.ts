/**
 * How many billed SMS segments a text takes.
 * GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one segment, 153 per segment once split;
 * characters of the extension table (^{}\[~]|€ and form feed) take two septets.
 * Anything else is sent as UCS-2: 70 UTF-16 code units in one segment, 67 per segment once split
 * (a character outside the BMP is a surrogate pair, two units, and is never split between
 * segments; nor is an escaped extension character in GSM-7). An empty text is still one message.
 */

export const UCS2_SINGLE_SEGMENT = 70;
export const UCS2_MULTI_SEGMENT = 67;
export const GSM7_SINGLE_SEGMENT = 160;
export const GSM7_MULTI_SEGMENT = 153;

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

/**
 * What each character of the text takes: septets in GSM-7 (an extension character is an escape
 * plus the character, 2), or null when a character is outside the GSM-7 alphabet.
 */
function gsm7Costs(text: string): number[] | null {
  const costs: number[] = [];
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) costs.push(1);
    else if (GSM7_EXTENSION.has(ch)) costs.push(2);
    else return null;
  }
  return costs;
}

/** UTF-16 code units of each character: 2 for a surrogate pair (outside the BMP), else 1. */
function ucs2Costs(text: string): number[] {
  return Array.from(text, (ch) => ch.length);
}

/**
 * Segments of a text whose characters take `costs` units: one when the total fits `single`,
 * else packed `multi` units at a time, and a character (a surrogate pair, an escaped GSM-7
 * extension character) is never split between two segments.
 */
function pack(costs: readonly number[], single: number, multi: number): number {
  const total = costs.reduce((a, b) => a + b, 0);
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const c of costs) {
    if (used + c > multi) {
      segments++;
      used = 0;
    }
    used += c;
  }
  return segments;
}

export function smsSegments(text: string): number {
  const septets = gsm7Costs(text);
  if (septets !== null) return pack(septets, GSM7_SINGLE_SEGMENT, GSM7_MULTI_SEGMENT);
  return pack(ucs2Costs(text), UCS2_SINGLE_SEGMENT, UCS2_MULTI_SEGMENT);
}
