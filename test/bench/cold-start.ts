import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerEntry, lambdaEsbuildOptions, REPO_ROOT } from '../../infra/esbuild-options.ts';
import { median } from './stats.ts';

/**
 * Section 4: `npm run build` (tsc --noEmit, then infra/bundle.ts: dist/<name>/index.mjs with the
 * deployed esbuild options), each bundle's size, the time to import it in a fresh Node process
 * (median of 10 as deployed, with NODE_OPTIONS=--enable-source-maps; median of 5 without), and what
 * fills the bundle (esbuild metafile of the same build, by package).
 */
export const LIMIT_BYTES = 300_000;
export const LIMIT_IMPORT_MS = 60;
const RUNS = 10;

export interface BundleFigures {
  name: string;
  bytes: number;
  importMs: number;
  importMsNoMaps: number;
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

const probe = (file: string) =>
  `const t0 = performance.now(); await import(${JSON.stringify(file)}); ` +
  'process.stdout.write(String(performance.now() - t0));';

async function importMs(file: string, sourceMaps: boolean, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await run(process.execPath, ['--input-type=module', '-e', probe(file)], importEnv(sourceMaps));
    const t = Number(r.stdout.trim());
    if (r.code !== 0 || !Number.isFinite(t))
      throw new Error(`importing ${file} failed:\n${r.out.slice(0, 2000)}`);
    times.push(t);
  }
  return median(times);
}

function pkgOf(input: string): string {
  if (input.includes('node_modules/zod/v4/locales/')) return 'zod locales';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m?.[1]) return m[1];
  const top = input.split('/')[0] ?? input;
  return top === 'shared' || top === 'functions' ? '(our code)' : top;
}

async function composition(name: string): Promise<{ pkg: string; bytes: number }[]> {
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry(name)],
    outfile: join(REPO_ROOT, 'dist', name, 'meta.mjs'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const byPkg = new Map<string, number>();
  for (const out of Object.values(res.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const pkg = pkgOf(input);
      byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPkg.entries()].map(([pkg, bytes]) => ({ pkg, bytes })).sort((a, b) => b.bytes - a.bytes);
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
      `  npm run build failed (${tsErrors.join(' | ') || r.out.slice(-300)}); bundling with infra/bundle.ts alone`,
    );
    const t1 = performance.now();
    const b = await run(process.execPath, ['--import', 'tsx', 'infra/bundle.ts'], process.env);
    if (b.code !== 0) throw new Error(`infra/bundle.ts failed:\n${b.out}`);
    buildInfo = {
      command: 'tsx infra/bundle.ts',
      ok: true,
      seconds: (performance.now() - t1) / 1000,
      note: `\`npm run build\` failed at \`tsc --noEmit\` (${tsErrors.join('; ') || 'see log'}), so the bundles were made by its second half, \`tsx infra/bundle.ts\` (same esbuild options).`,
    };
  }
  log(`  built in ${buildInfo.seconds.toFixed(1)} s (${buildInfo.command})`);

  const dist = join(REPO_ROOT, 'dist');
  const names = readdirSync(dist)
    .filter((n) => existsSync(join(dist, n, 'index.mjs')))
    .sort();
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const b = await run(process.execPath, ['--input-type=module', '-e', probe('node:path')], importEnv(true));
    baseline.push(Number(b.stdout.trim()));
  }
  const bundles: BundleFigures[] = [];
  for (const name of names) {
    const file = join(dist, name, 'index.mjs');
    const bytes = statSync(file).size;
    const withMaps = await importMs(file, true);
    const noMaps = await importMs(file, false, 5);
    const top = await composition(name);
    bundles.push({ name, bytes, importMs: withMaps, importMsNoMaps: noMaps, top });
    log(
      `  ${name}: ${(bytes / 1024).toFixed(1)} KiB, import ${withMaps.toFixed(1)} ms (${noMaps.toFixed(1)} ms without source maps)`,
    );
  }
  return { build: buildInfo, bundles, nodeBaselineMs: median(baseline) };
}
