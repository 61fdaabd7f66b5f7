import { type MetadataJson, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { graphemes } from '#shared/domain/graphemes';
import cnMetadata from './phone-metadata.cn.json' with { type: 'json' };

/**
 * Mainland China mobile numbers: normalisation to E.164 and masking for display.
 * Uses libphonenumber-js's mobile metadata, so landlines, service numbers (400/95xxx) and
 * unassigned ranges are rejected, and numbers of other regions (+852, +1...) are too.
 * The metadata is the package's own mobile metadata kept to +86 (shared/domain/phone-metadata.cn.json,
 * written by `npm run phone-metadata`): the other countries' ~130 KB would only be dead weight in
 * every bundle, since nothing but mainland China mobiles is accepted.
 */
const metadata = cnMetadata as MetadataJson;

/** Separators people type inside a number: spaces (any width), dashes, dots, brackets. */
const SEPARATORS = /[\s\-‐‑‒–—.()]/gu;
/** Optional country prefix, then exactly 11 digits starting with 1. */
const CN_MOBILE_SHAPE = /^(?:\+86|0086|86)?1\d{10}$/;

/**
 * `+86 138-0013-8000`, `008613800138000`, `１３８００１３８０００` -> `+8613800138000`;
 * null when the input is not a valid mainland China mobile number.
 */
export function normalizeCnMobile(input: string): string | null {
  const compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (!CN_MOBILE_SHAPE.test(compact)) return null;
  const national = compact.slice(-11);
  const parsed = parsePhoneNumberFromString(national, 'CN', metadata);
  if (parsed?.country !== 'CN' || !parsed.isValid() || parsed.getType() !== 'MOBILE') return null;
  return parsed.number;
}

/**
 * `+8613800138000` or `13800138000` -> `138****8000`. Anything else keeps its first 3 and last 2
 * characters with one star per hidden character; strings too short to hide anything become `****`.
 * Never returns the input in clear.
 */
export function maskPhone(phone: string): string {
  const e164 = normalizeCnMobile(phone);
  if (e164) {
    const national = e164.slice(-11);
    return `${national.slice(0, 3)}****${national.slice(-4)}`;
  }
  const chars = Array.from(phone.trim());
  if (chars.length <= 5) return '****';
  return `${chars.slice(0, 3).join('')}${'*'.repeat(chars.length - 5)}${chars.slice(-2).join('')}`;
}

/** `张三` -> `张*`, `欧阳娜娜` -> `欧***`: first character kept, one star per other character; `王` -> `*`. */
export function maskName(name: string): string {
  const chars = Array.from(graphemes(name.trim()));
  const first = chars[0];
  if (first === undefined || chars.length === 1) return '*';
  return `${first}${'*'.repeat(chars.length - 1)}`;
}
