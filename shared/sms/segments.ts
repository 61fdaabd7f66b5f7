/**
 * How many billed SMS segments a text takes.
 * GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one segment, 153 per segment once split;
 * characters of the extension table (^{}\[~]|€ and form feed) take two septets.
 * Anything else is sent as UCS-2: 70 UTF-16 code units in one segment, 67 per segment once split.
 * An empty text is still one message.
 */

export const UCS2_SINGLE_SEGMENT = 70;
export const UCS2_MULTI_SEGMENT = 67;
export const GSM7_SINGLE_SEGMENT = 160;
export const GSM7_MULTI_SEGMENT = 153;

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

/** Septets the text takes in GSM-7, or null when a character is outside the GSM-7 alphabet. */
function gsm7Length(text: string): number | null {
  let septets = 0;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENSION.has(ch)) septets += 2;
    else return null;
  }
  return septets;
}

export function smsSegments(text: string): number {
  const septets = gsm7Length(text);
  if (septets !== null) {
    return septets <= GSM7_SINGLE_SEGMENT ? 1 : Math.ceil(septets / GSM7_MULTI_SEGMENT);
  }
  const units = text.length;
  return units <= UCS2_SINGLE_SEGMENT ? 1 : Math.ceil(units / UCS2_MULTI_SEGMENT);
}
