import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parsePhoneNumberFromString as parseWithAllCountries } from 'libphonenumber-js/mobile';
import { describe, expect, it } from 'vitest';
import { normalizeCnMobile } from '#shared/domain/phone';
import {
  cnMetadataText,
  installedMobileMetadata,
  OUTPUT,
  sliceMetadata,
} from '../../infra/build/phone-metadata.ts';

/**
 * shared/domain/phone-metadata.cn.json is generated (`npm run phone-metadata`) from the installed
 * libphonenumber-js: it must be exactly what the script would write now, and validating with it must
 * give the same answers as the package's full mobile metadata for the numbers we accept.
 */

/** What shared/domain/phone.ts answered before the slice: the full mobile metadata of every country. */
function withAllCountries(national: string): string | null {
  const parsed = parseWithAllCountries(national, 'CN');
  if (parsed?.country !== 'CN' || !parsed.isValid() || parsed.getType() !== 'MOBILE') return null;
  return parsed.number;
}

describe('shared/domain/phone-metadata.cn.json', () => {
  it('is what `npm run phone-metadata` writes from the installed libphonenumber-js (no drift)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(cnMetadataText());
  });

  it('holds +86 (CN) only, in the package’s format with its version', () => {
    const full = installedMobileMetadata();
    const cn = JSON.parse(readFileSync(OUTPUT, 'utf8'));
    expect(cn.version).toBe(full.version);
    expect(Object.keys(cn).sort()).toEqual(Object.keys(full).sort());
    expect(cn.country_calling_codes).toEqual({ '86': ['CN'] });
    expect(Object.keys(cn.countries)).toEqual(['CN']);
    expect(cn.countries.CN).toEqual(full.countries.CN);
    expect(Buffer.byteLength(JSON.stringify(cn))).toBeLessThan(Buffer.byteLength(JSON.stringify(full)) / 20);
  });

  it('refuses a calling code the package does not know', () => {
    expect(() => sliceMetadata(installedMobileMetadata(), '999')).toThrow(/\+999/);
  });

  it('accepts and rejects exactly what the full mobile metadata does: every 4-digit 1xxx prefix', () => {
    const suffixes = ['0000000', '1234567', '5550123', '9999999', '0138000'];
    let accepted = 0;
    for (let prefix = 1000; prefix <= 1999; prefix++) {
      for (const suffix of suffixes) {
        const national = `${prefix}${suffix}`;
        const expected = withAllCountries(national);
        expect(normalizeCnMobile(national), national).toBe(expected);
        if (expected) accepted++;
      }
    }
    // Both answers occur: the comparison is not between two always-null functions.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(4000);
  });

  it('agrees with the full mobile metadata on random 11-digit numbers', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^1\d{10}$/), (national) => {
        expect(normalizeCnMobile(national)).toBe(withAllCountries(national));
      }),
      { numRuns: 5000 },
    );
  });
});
