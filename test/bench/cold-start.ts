import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerEntry, lambdaEsbuildOptions, REPO_ROOT } from '../../infra/build/esbuild-options.ts';
import { median } from './stats.ts';

/**
 * Section 4: `npm run build` (tsc --noEmit, then infra/build/bundle.ts: dist/<name>/index.mjs with the
 * deployed esbuild options), each bundle's size, the time to import it in a fresh Node process
 * (median of 10 as deployed, with NODE_OPTIONS=--enable-source-maps; median of 5 without), the time
 * to import the AWS SDK packages it leaves external alone (median of 5: they resolve from
 * node_modules, as the Lambda runtime provides them), and what fills the bundle (esbuild metafile
 * of the same build, by package).
 */
export const LIMIT_BYTES = 300_000;
export const LIMIT_IMPORT_MS = 60;
const RUNS = 10;

export interface BundleFigures {
  name: string;
  bytes: number;
  importMs: number;
  importMsNoMaps: number;
  /** The external `@aws-sdk/*` packages the bundle imports, and the time to import them alone. */
  sdk: string[];
  sdkImportMs: number | undefined;
  /** Bytes in the output by package, largest first. */
  top: { pkg: string; bytes: number }[];
}

export interface ColdStartResult {
  build: { command: string; ok: boolean; seconds: number; note: string };
  bundles: BundleFigures[];
  nodeBaselineMs: number;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 1, out, stdout }));
  });
}

/** What the functions need to validate their configuration; endpoints on 127.0.0.1, nothing is sent. */
const importEnv = (sourceMaps: boolean): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  TABLE_NAME: 'bench',
  AWS_REGION: 'cn-north-1',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_EC2_METADATA_DISABLED: 'true',
  WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  REPLY_SECRETS: '{"*":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}',
  POWERTOOLS_SERVICE_NAME: 'telecom-feedback',
  POWERTOOLS_TRACE_ENABLED: 'false',
  ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
});

const probe = (specifiers: string[]) =>
  `const t0 = performance.now(); for (const s of ${JSON.stringify(specifiers)}) await import(s); ` +
  'process.stdout.write(String(performance.now() - t0));';

/** Median time to import these (a bundle's path, or package names) in a fresh process. */
async function importMs(specifiers: string[], sourceMaps: boolean, runs = RUNS): Promise<number> {
  const file = specifiers.join(', ');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await run(
      process.execPath,
      ['--input-type=module', '-e', probe(specifiers)],
      importEnv(sourceMaps),
    );
    const t = Number(r.stdout.trim());
    if (r.code !== 0 || !Number.isFinite(t))
      throw new Error(`importing ${file} failed:\n${r.out.slice(0, 2000)}`);
    times.push(t);
  }
  return median(times);
}

function pkgOf(input: string): string {
  if (input.includes('node_modules/zod/v4/locales/')) return 'zod locales';
  // The dashboard's ECharts build (infra/build/dashboard-echarts.ts), inlined brotli-compressed as base64.
  if (input.endsWith('generated/echarts.min.js.br')) return 'echarts (brotli)';
  // libphonenumber-js's metadata kept to +86 (infra/build/phone-metadata.ts).
  if (input.endsWith('phone-metadata.cn.json')) return 'libphonenumber-js';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m?.[1]) return m[1];
  const top = input.split('/')[0] ?? input;
  return top === 'shared' || top === 'functions' ? '(our code)' : top;
}

async function composition(name: string): Promise<{ top: { pkg: string; bytes: number }[]; sdk: string[] }> {
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry(name)],
    outfile: join(REPO_ROOT, 'dist', name, 'meta.mjs'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const byPkg = new Map<string, number>();
  const sdk = new Set<string>();
  for (const out of Object.values(res.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const pkg = pkgOf(input);
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + bytesInOutput);
    }
    for (const i of out.imports) if (i.external && i.path.startsWith('@aws-sdk/')) sdk.add(i.path);
  }
  return {
    top: [...byPkg.entries()].map(([pkg, bytes]) => ({ pkg, bytes })).sort((a, b) => b.bytes - a.bytes),
    sdk: [...sdk].sort(),
  };
}

export async function runColdStart(log: (s: string) => void): Promise<ColdStartResult> {
  const t0 = performance.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = await run(npm, ['run', 'build'], process.env);
  let buildInfo = {
    command: 'npm run build',
    ok: r.code === 0,
    seconds: (performance.now() - t0) / 1000,
    note: '',
  };
  if (r.code !== 0) {
    // tsc can fail on another session's unfinished file in the shared tree: bundle anyway.
    const tsErrors = r.out
      .split('\n')
      .filter((l) => /error TS/.test(l))
      .slice(0, 3);
    log(
      `  npm run build failed (${tsErrors.join(' | ') || r.out.slice(-300)}); bundling with infra/build/bundle.ts alone`,
    );
    const t1 = performance.now();
    const b = await run(process.execPath, ['--import', 'tsx', 'infra/build/bundle.ts'], process.env);
    if (b.code !== 0) throw new Error(`infra/build/bundle.ts failed:\n${b.out}`);
    buildInfo = {
      command: 'tsx infra/build/bundle.ts',
      ok: true,
      seconds: (performance.now() - t1) / 1000,
      note: `\`npm run build\` failed at \`tsc --noEmit\` (${tsErrors.join('; ') || 'see log'}), so the bundles were made by its second half, \`tsx infra/build/bundle.ts\` (same esbuild options).`,
    };
  }
  log(`  built in ${buildInfo.seconds.toFixed(1)} s (${buildInfo.command})`);

  const dist = join(REPO_ROOT, 'dist');
  const names = readdirSync(dist)
    .filter((n) => existsSync(join(dist, n, 'index.mjs')))
    .sort();
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const b = await run(
      process.execPath,
      ['--input-type=module', '-e', probe(['node:path'])],
      importEnv(true),
    );
    baseline.push(Number(b.stdout.trim()));
  }
  const bundles: BundleFigures[] = [];
  for (const name of names) {
    const file = join(dist, name, 'index.mjs');
    const bytes = statSync(file).size;
    const withMaps = await importMs([file], true);
    const noMaps = await importMs([file], false, 5);
    const { top, sdk } = await composition(name);
    // The same packages from the same place the bundle gets them (node_modules of the repository).
    const sdkImportMs = sdk.length > 0 ? await importMs(sdk, true, 5) : undefined;
    bundles.push({ name, bytes, importMs: withMaps, importMsNoMaps: noMaps, sdk, sdkImportMs, top });
    log(
      `  ${name}: ${(bytes / 1024).toFixed(1)} KiB, import ${withMaps.toFixed(1)} ms (${noMaps.toFixed(1)} ms without source maps; ` +
        `AWS SDK alone ${sdkImportMs === undefined ? '-' : `${sdkImportMs.toFixed(1)} ms`})`,
    );
  }
  return { build: buildInfo, bundles, nodeBaselineMs: median(baseline) };
}
