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
 * - The AWS SDK v3 (`@aws-sdk/*`) is left out: the Node.js 22 Lambda runtime ships it, and
 *   bundling it would add about 330-400 KiB to every bundle that uses it. The price: the SDK
 *   version is the runtime's, not package-lock.json's (we use only stable APIs), and loading it
 *   (CommonJS, file by file) is not faster than loading it bundled: measured here, importing a
 *   bundle with the SDK inside takes about 0.6x the time of the same bundle with the SDK from
 *   node_modules (BENCHMARKS.md, cold start, shows the SDK's share of each import).
 *   Everything else (zod, Powertools, middy, libphonenumber-js, ...) is bundled.
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
  external: ['@aws-sdk/*'] as string[],
} as const satisfies BuildOptions;

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
