import { fileURLToPath } from 'node:url';
import { buildChunk } from './chunk.ts';

/**
 * `npm run xlsx-lib`: bundles exceljs (shared/http/exceljs-entry.ts) into one minified ES module,
 * shared/http/generated/exceljs.mjs (not checked in), which the deployment packages of the functions
 * that write workbooks (reports, callbacks) carry BESIDE their index.mjs (`besideBundle` in
 * infra/functions.ts). shared/http/xlsx.ts imports it from there on the first workbook a container
 * writes: the ~1 MB library stays out of the function bundles (each under 300,000 bytes) and out of
 * every cold start. Run from source (`npm start`, tests) the package itself is imported instead.
 *
 * Run before those functions are bundled: by `npm run build` (infra/build/bundle.ts) and by the CDK
 * bundling (`beforeBundling` in infra/functions.ts).
 */
export const ENTRY = fileURLToPath(new URL('../../shared/http/exceljs-entry.ts', import.meta.url));
export const GENERATED_DIR = fileURLToPath(new URL('../../shared/http/generated/', import.meta.url));
/** Its name beside index.mjs (shared/http/xlsx.ts looks for exactly this). */
export const EXCELJS_FILE = 'exceljs.mjs';

export async function buildExcelJsChunk(): Promise<string> {
  return await buildChunk(ENTRY, `${GENERATED_DIR}${EXCELJS_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildExcelJsChunk();
}
