import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';

/**
 * `npm run dashboard-assets`: builds the dashboard's ECharts (shared/web/dashboard/echarts-entry.ts:
 * only the charts and components dashboard.js uses, ~0.57 MB minified instead of the full
 * echarts.min.js's 1.1 MB) and writes it brotli-compressed to
 * shared/web/dashboard/generated/echarts.min.js.br (not checked in), which the dashboard Lambda
 * bundle inlines as bytes: the bundle carries the compressed form, served as is to browsers that
 * accept br (all do over HTTPS).
 *
 * Run before the dashboard function is bundled: by `npm run build` (infra/bundle.ts) and by the CDK
 * bundling (`beforeBundling` of the function's spec in infra/functions.ts). Run from source
 * (`npm start`, tests), shared/web/dashboard/assets.ts calls `buildDashboardEcharts()` itself, so
 * both serve the same bytes.
 */
const require = createRequire(import.meta.url);
export const ENTRY = fileURLToPath(new URL('../shared/web/dashboard/echarts-entry.ts', import.meta.url));
export const OUTPUT = fileURLToPath(
  new URL('../shared/web/dashboard/generated/echarts.min.js.br', import.meta.url),
);

function banner(): string {
  const version = (
    JSON.parse(readFileSync(require.resolve('echarts/package.json'), 'utf8')) as { version: string }
  ).version;
  return [
    '/*!',
    ` * Apache ECharts ${version} (https://echarts.apache.org), with ZRender (BSD-3-Clause): the parts`,
    ' * the dashboard uses, built from shared/web/dashboard/echarts-entry.ts.',
    ' * Licensed to the Apache Software Foundation (ASF) under the Apache License, Version 2.0',
    ' * (http://www.apache.org/licenses/LICENSE-2.0); see the NOTICE file of the echarts package.',
    ' */',
  ].join('\n');
}

/**
 * The minified browser script (global `echarts`) and its brotli form: at the best (slowest, seconds)
 * quality for the bundle; `fast` when serving from source (same script, larger br).
 */
export async function buildDashboardEcharts(
  opts: { fast?: boolean } = {},
): Promise<{ js: Buffer; br: Buffer }> {
  const res = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'echarts',
    // The language level of dashboard.js itself (optional chaining, ??).
    target: 'es2020',
    minify: true,
    banner: { js: banner() },
    write: false,
    logLevel: 'silent',
  });
  const out = res.outputFiles[0];
  if (!out || res.outputFiles.length !== 1) throw new Error('esbuild: expected one output file for ECharts');
  const js = Buffer.from(out.contents);
  const br = brotliCompressSync(js, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: opts.fast ? 5 : constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: js.length,
    },
  });
  return { js, br };
}

/** Builds and writes OUTPUT (what the dashboard bundle inlines). */
export async function writeDashboardEcharts(): Promise<{ js: number; br: number }> {
  const { js, br } = await buildDashboardEcharts();
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, br);
  return { js: js.length, br: br.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await writeDashboardEcharts();
  console.log(
    `wrote ${OUTPUT}: ECharts ${(sizes.js / 1024).toFixed(1)} KiB minified, ${(sizes.br / 1024).toFixed(1)} KiB brotli`,
  );
}
