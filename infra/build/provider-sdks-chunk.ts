import { fileURLToPath } from 'node:url';
import { buildChunk } from './chunk.ts';

/**
 * `npm run provider-sdks`: bundles the SMS providers' SDKs (shared/gateways/provider-sdks/entry.ts)
 * into one minified ES module, shared/gateways/provider-sdks/generated/provider-sdks.mjs (not checked
 * in), which the packages of the functions that send or pull SMS carry beside their index.mjs
 * (`besideBundle` in infra/functions.ts). shared/gateways/provider-sdks/load.ts imports it on a
 * provider's first send or pull: some 1.6 MB stays out of every function bundle and every cold start.
 *
 * Run before those functions are bundled: by `npm run build` (infra/build/bundle.ts) and by the CDK
 * bundling (`beforeBundling` in infra/functions.ts).
 */
export const ENTRY = fileURLToPath(new URL('../../shared/gateways/provider-sdks/entry.ts', import.meta.url));
export const GENERATED_DIR = fileURLToPath(
  new URL('../../shared/gateways/provider-sdks/generated/', import.meta.url),
);

export async function buildProviderSdksChunk(): Promise<string> {
  return await buildChunk(ENTRY, `${GENERATED_DIR}provider-sdks.mjs`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildProviderSdksChunk();
}
