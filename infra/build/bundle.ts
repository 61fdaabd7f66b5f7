import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import {
  handlerEntry,
  lambdaEsbuildOptions,
  REPO_ROOT,
  runAfterBundling,
  runBeforeBundling,
} from './esbuild-options.ts';
import { trimSourceMapFile } from './trim-sourcemap.ts';

/**
 * `npm run build` (after `tsc --noEmit`): bundles every functions/<name>/handler.ts into
 * dist/<name>/index.mjs (+ .map) with the same esbuild options the CDK stack deploys with, and
 * prints each bundle's size. Everything is bundled but the SMS providers' SDKs (see
 * esbuild-options.ts), and the source map trimmed to our sources (trim-sourcemap.ts). A
 * function's `beforeBundling` commands (infra/functions.ts) run first and its `besideBundle` files are
 * copied into dist/<name>/ after, as in the CDK bundling: dist/<name>/ is the function's package.
 */
const functionsDir = join(REPO_ROOT, 'functions');
const distDir = join(REPO_ROOT, 'dist');

const names = readdirSync(functionsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(handlerEntry(d.name)))
  .map((d) => d.name)
  .sort();

if (names.length === 0) {
  console.error('No functions/*/handler.ts to bundle');
  process.exit(1);
}

rmSync(distDir, { recursive: true, force: true });
for (const name of names) runBeforeBundling(name);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(11);

const settled = await Promise.allSettled(
  names.map(async (name) => {
    const outfile = join(distDir, name, 'index.mjs');
    // esbuild prints its own errors and warnings (logLevel).
    await build({ ...lambdaEsbuildOptions, entryPoints: [handlerEntry(name)], outfile, logLevel: 'warning' });
    trimSourceMapFile(`${outfile}.map`);
    runAfterBundling(name, dirname(outfile));
    const beside = readdirSync(dirname(outfile))
      .filter((f) => f !== 'index.mjs' && f !== 'index.mjs.map')
      .sort()
      .map((f) => ({ file: f, size: statSync(join(dirname(outfile), f)).size }));
    return { name, outfile, size: statSync(outfile).size, mapSize: statSync(`${outfile}.map`).size, beside };
  }),
);
const failed = names.filter((_, i) => settled[i]?.status === 'rejected');
if (failed.length > 0) {
  console.error(`\nBundling failed: ${failed.join(', ')}`);
  process.exit(1);
}
const results = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) {
  console.log(
    `${r.name.padEnd(width)}  ${kib(r.size)}  (map ${kib(r.mapSize).trim()})  ${relative(REPO_ROOT, r.outfile)}`,
  );
  // Files the function reads from its package at run time: not in the bundle sizes.
  for (const b of r.beside) console.log(`${''.padEnd(width)}  + ${kib(b.size).trim()} beside it: ${b.file}`);
}
console.log(`${'total'.padEnd(width)}  ${kib(results.reduce((n, r) => n + r.size, 0))}`);
