import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import { contentVersion, type EchartsManifest } from '#shared/web/dashboard/asset-version';

/**
 * `npm run dashboard-assets`: builds the dashboard's ECharts (shared/web/dashboard/echarts-entry.ts:
 * only the charts and components dashboard.js uses, ~0.57 MB minified instead of the full
 * echarts.min.js's 1.1 MB) and writes, in shared/web/dashboard/generated/ (not checked in):
 * - echarts.<version>.js.br: the script brotli-compressed (version: the content hash of the script,
 *   the `?v=` of its URL), which the dashboard function's deployment package carries BESIDE its
 *   index.mjs, copied there after bundling (`besideBundle` in infra/functions.ts), and reads on the
 *   first request for it: served as is to browsers that accept br (all do over HTTPS);
 * - echarts.json ({ file, version }): the only part the bundle inlines, so the page names the
 *   script's version without reading it.
 *
 * Run before the dashboard function is bundled: by `npm run build` (infra/build/bundle.ts) and by the CDK
 * bundling (`beforeBundling` of the function's spec in infra/functions.ts). Run from source
 * (`npm start`, tests), shared/web/dashboard/assets.ts calls `buildDashboardEcharts()` itself, so
 * both serve the same script.
 */
const require = createRequire(import.meta.url);
export const ENTRY = fileURLToPath(new URL('../../shared/web/dashboard/echarts-entry.ts', import.meta.url));
export const GENERATED_DIR = fileURLToPath(new URL('../../shared/web/dashboard/generated/', import.meta.url));
/** The manifest the bundle inlines (imported by shared/web/dashboard/assets.ts). */
export const MANIFEST = join(GENERATED_DIR, 'echarts.json');
/** The compressed script's file name: in GENERATED_DIR, and beside the bundle's index.mjs. */
export const echartsFileName = (version: string) => `echarts.${version}.js.br`;
const ECHARTS_FILE = /^echarts\..+\.js\.br$/;

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

/** Written whole or not at all: other processes may bundle at the same time (tests, synth). */
function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Builds and writes echarts.<version>.js.br, then the manifest naming it (never a manifest naming a
 * file not there yet), and removes the compressed scripts of other versions, so GENERATED_DIR holds
 * exactly the one the manifest names (infra/functions.ts copies it by a glob).
 */
export async function writeDashboardEcharts(): Promise<
  EchartsManifest & { path: string; js: number; br: number }
> {
  const { js, br } = await buildDashboardEcharts();
  const version = contentVersion(js);
  const file = echartsFileName(version);
  mkdirSync(GENERATED_DIR, { recursive: true });
  writeAtomic(join(GENERATED_DIR, file), br);
  writeAtomic(MANIFEST, `${JSON.stringify({ file, version } satisfies EchartsManifest)}\n`);
  for (const other of readdirSync(GENERATED_DIR)) {
    if (ECHARTS_FILE.test(other) && other !== file) rmSync(join(GENERATED_DIR, other), { force: true });
  }
  return { file, version, path: join(GENERATED_DIR, file), js: js.length, br: br.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await writeDashboardEcharts();
  console.log(
    `wrote ${out.path}: ECharts ${(out.js / 1024).toFixed(1)} KiB minified, ${(out.br / 1024).toFixed(1)} KiB brotli`,
  );
}
