import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onceUntilFailure } from '#shared/runtime/once';

export type ProviderSdks = typeof import('#shared/gateways/provider-sdks/entry');

/** Its name beside index.mjs (infra/build/provider-sdks-chunk.ts writes exactly this). */
export const PROVIDER_SDKS_FILE = 'provider-sdks.mjs';

/**
 * The SMS providers' SDKs, imported once, on first use: in a Lambda package the bundled file beside
 * index.mjs (this module is inlined there, so import.meta.url is the bundle's); run from source,
 * entry.ts. The entry's path is not a literal so that esbuild leaves the SDKs out of the function
 * bundles (as shared/http/xlsx.ts does for exceljs). A failed load is tried again on the next use.
 */
export const providerSdks: () => Promise<ProviderSdks> = onceUntilFailure(async () => {
  const beside = new URL(`./${PROVIDER_SDKS_FILE}`, import.meta.url);
  const source = new URL(['.', 'entry.ts'].join('/'), import.meta.url);
  return (await import(
    /* @vite-ignore */ existsSync(fileURLToPath(beside)) ? beside.href : source.href
  )) as ProviderSdks;
});
