import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { MetadataJson } from 'libphonenumber-js/core';

/**
 * `npm run phone-metadata`: writes shared/domain/phone-metadata.cn.json, the libphonenumber-js metadata that
 * shared/domain/phone.ts passes to `libphonenumber-js/core`: the installed package's own mobile metadata
 * (metadata.mobile.json, what `libphonenumber-js/mobile` uses) kept to country calling code 86
 * (mainland China) and nothing else, in the package's format (its `version` field included).
 * Every Lambda bundle that validates phones carried the metadata of every country (~130 KB) for the
 * one country we accept. test/unit/phone-metadata.test.ts fails when the checked-in file differs from
 * what this would write from the installed package (run this after upgrading libphonenumber-js).
 */
export const CALLING_CODE = '86';
export const OUTPUT = fileURLToPath(new URL('../../shared/domain/phone-metadata.cn.json', import.meta.url));

/** The installed libphonenumber-js's mobile metadata, as `libphonenumber-js/mobile` uses it. */
export function installedMobileMetadata(): MetadataJson {
  const path = createRequire(import.meta.url).resolve('libphonenumber-js/metadata.mobile.json');
  return JSON.parse(readFileSync(path, 'utf8')) as MetadataJson;
}

/** `full` kept to one calling code: its countries and its non-geographic plan, if any. */
export function sliceMetadata(full: MetadataJson, callingCode: string): MetadataJson {
  const countries = full.country_calling_codes[callingCode];
  if (!countries || countries.length === 0) throw new Error(`no country with calling code +${callingCode}`);
  const plans: MetadataJson['countries'] = {};
  for (const country of countries) {
    const plan = full.countries[country];
    if (!plan) throw new Error(`no numbering plan for ${country} (+${callingCode})`);
    plans[country] = plan;
  }
  const nonGeographic: MetadataJson['nonGeographic'] = {};
  const ng = full.nonGeographic?.[callingCode];
  if (ng) nonGeographic[callingCode] = ng;
  return {
    ...full,
    country_calling_codes: { [callingCode]: countries },
    countries: plans,
    nonGeographic,
  };
}

/** The file's exact text (generated, so biome leaves it alone: biome.json). */
export function cnMetadataText(): string {
  return `${JSON.stringify(sliceMetadata(installedMobileMetadata(), CALLING_CODE), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OUTPUT, cnMetadataText());
  console.log(`wrote ${OUTPUT}`);
}
