import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { FunctionName } from '#shared/http/routes';
import { functionSpecs } from '../functions.ts';

/** The repository root (this file lives in <root>/infra). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The one set of esbuild options for Lambda bundles, used by both the CDK construct
 * (infra/constructs/feedback-function.ts, through NodejsFunction's bundling options) and
 * `npm run build` (infra/build/bundle.ts), so the bundle measured locally is the bundle deployed.
 *
 * - ESM for Node.js 22 (the Lambda runtime), minified, with external source maps
 *   (the function sets NODE_OPTIONS=--enable-source-maps). sourcesContent is left out of the
 *   maps: stack traces only need file/line mappings, and it halves the map size.
 * - The AWS SDK v3 (`@aws-sdk/*`) is bundled (issue 14): loading it from node_modules (the
 *   runtime's copy on Lambda: CommonJS, file by file) costs more than the 330-400 KiB it adds to a
 *   bundle (BENCHMARKS.md, cold start, measures both); its version is package-lock.json's.
 * - The SMS providers' SDKs are not in the bundles: some 1.6 MB that every function would parse at
 *   import, while only a send or pull through that provider needs them. They are bundled on their
 *   own, shipped beside index.mjs by the functions that send or pull SMS and imported on first use
 *   (infra/build/provider-sdks-chunk.ts, shared/gateways/provider-sdks/load.ts), as exceljs is.
 *   Everything else (zod, Powertools, middy, libphonenumber-js, ...) is bundled.
 * - The source map keeps only the mappings into our sources (infra/build/trim-sourcemap.ts, after
 *   esbuild): Node reads the whole map at import when source maps are enabled.
 * - `banner`: ESM bundles have no `require`; CommonJS dependencies bundled into them still call
 *   it for Node built-ins, so define one with createRequire (aliased so it cannot collide with a
 *   name in the bundle).
 */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __cdkCreateRequire } from 'node:module'; const require = __cdkCreateRequire(import.meta.url);";

export const lambdaEsbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer packages' ESM builds (better tree-shaking), fall back to CommonJS.
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_SHIM },
  external: [] as string[],
} as const satisfies BuildOptions;

/** The shell command (in the repository root) trimming the bundle's source map in `outputDir`. */
export function trimSourceMapCommand(outputDir: string): string {
  return `node --import tsx infra/build/trim-sourcemap.ts ${shellWord(`${outputDir}/index.mjs.map`)}`;
}

/** Entry of a function: functions/<name>/handler.ts, exporting `handler`. */
export function handlerEntry(name: string): string {
  return join(REPO_ROOT, 'functions', name, 'handler.ts');
}

/**
 * Runs the function's `beforeBundling` commands (infra/functions.ts) in the repository root, as the
 * CDK bundling does (commandHooks), for bundles made outside CDK: `npm run build`, tests, the bench.
 */
export function runBeforeBundling(name: string): void {
  for (const command of functionSpecs[name as FunctionName]?.beforeBundling ?? []) {
    execFileSync('bash', ['-c', command], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/** A path as one POSIX shell word. */
const shellWord = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * The shell commands (run in the repository root) that copy a function's `besideBundle` files
 * (infra/functions.ts) into the directory of its bundle: the CDK bundling's `afterBundling` hook
 * and `runAfterBundling` run these same commands. A pattern that matches nothing fails the build.
 */
export function besideBundleCommands(files: readonly string[], outputDir: string): string[] {
  return files.length > 0 ? [`cp -- ${files.join(' ')} ${shellWord(outputDir)}/`] : [];
}

/** After esbuild has written dist/<name>/index.mjs (or any bundle directory): `besideBundleCommands`. */
export function runAfterBundling(name: string, outputDir: string): void {
  for (const command of besideBundleCommands(
    functionSpecs[name as FunctionName]?.besideBundle ?? [],
    outputDir,
  )) {
    execFileSync('bash', ['-c', command], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
}
