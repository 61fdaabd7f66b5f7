import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerEntry, lambdaEsbuildOptions, REPO_ROOT } from '../../infra/build/esbuild-options.ts';
import { trimSourceMapFile } from '../../infra/build/trim-sourcemap.ts';
import { median, table } from './stats.ts';

/**
 * Section 4 (issue 14, goal 3): `npm run build` (tsc --noEmit, then infra/build/bundle.ts:
 * dist/<name>/index.mjs with the deployed esbuild options, the AWS SDK bundled, the source map
 * trimmed), and for each function a BASELINE built with the same options and the same trim that only
 * imports and creates the AWS SDK clients the function's bundle uses (its floor). Import time of each,
 * in fresh Node processes, as deployed (NODE_OPTIONS=--enable-source-maps), the function and its
 * baseline alternately (median of 10 each: the machine's other work weighs on both alike), wall time
 * and the process's CPU time (user + system, steadier on a busy machine). The same again with the AWS
 * SDK left external (resolved from node_modules, file by file, as the runtime's copy would be; median
 * of 5), so that both ways are measured.
 */
export const GOAL_RATIO = 1.2;
const RUNS = 10;
const EXT_RUNS = 5;

export interface Timing {
  /** Median wall ms, median CPU ms (user + system). */
  wall: number;
  cpu: number;
}

export interface BundleFigures {
  name: string;
  bytes: number;
  mapBytes: number;
  /** Files shipped beside index.mjs (besideBundle), by name. */
  beside: { file: string; bytes: number }[];
  /** As deployed (AWS SDK bundled) and its baseline. */
  fn: Timing;
  base: Timing;
  baseBytes: number;
  /** On Node.js 22 (the Lambda runtime's major), when it could be fetched: the function and its baseline. */
  fn22?: Timing;
  base22?: Timing;
  /** With the AWS SDK external (from node_modules) and its baseline built the same way. */
  extFn: Timing;
  extBase: Timing;
  extBytes: number;
  /** The `@aws-sdk/*` packages the function uses (its baseline creates their clients). */
  sdk: string[];
  /** Bytes in the output by package, largest first. */
  top: { pkg: string; bytes: number }[];
  /** The parts of `top` its baseline has not (AWS SDK functions only). */
  beyond: { pkg: string; bytes: number }[];
}

export interface ColdStartResult {
  build: { command: string; ok: boolean; seconds: number; note: string };
  bundles: BundleFigures[];
  nodeBaselineMs: number;
  /** The Node.js 22 the imports were also timed on (version), or why not. */
  node22: { version: string } | { missing: string };
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
  `const c0 = process.cpuUsage(); const t0 = performance.now(); for (const s of ${JSON.stringify(specifiers)}) await import(s); ` +
  'const t = performance.now() - t0; const c = process.cpuUsage(c0); ' +
  'process.stdout.write(JSON.stringify([t, (c.user + c.system) / 1000]));';

async function importOnce(file: string, node = process.execPath): Promise<[number, number]> {
  const r = await run(node, ['--input-type=module', '-e', probe([file])], importEnv(true));
  try {
    const [t, c] = JSON.parse(r.stdout.trim()) as [number, number];
    if (r.code === 0 && Number.isFinite(t) && Number.isFinite(c)) return [t, c];
  } catch {}
  throw new Error(`importing ${file} failed:\n${r.out.slice(0, 2000)}`);
}

/** The files imported alternately, `runs` times each, in fresh processes: the median of each. */
async function importTimes(files: string[], runs: number, node = process.execPath): Promise<Timing[]> {
  const wall = files.map(() => [] as number[]);
  const cpu = files.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, f] of files.entries()) {
      const [t, c] = await importOnce(f, node);
      wall[k]?.push(t);
      cpu[k]?.push(c);
    }
  }
  return files.map((_, k) => ({ wall: median(wall[k] ?? []), cpu: median(cpu[k] ?? []) }));
}

/** What a baseline creates for each AWS SDK package a function uses. */
const CLIENTS: Record<string, { imports: string[]; make: string }> = {
  '@aws-sdk/client-dynamodb': {
    imports: ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';"],
    make: 'new DynamoDBClient({ region })',
  },
  '@aws-sdk/lib-dynamodb': {
    imports: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    ],
    make: 'DynamoDBDocumentClient.from(new DynamoDBClient({ region }))',
  },
  '@aws-sdk/client-secrets-manager': {
    imports: ["import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';"],
    make: 'new SecretsManagerClient({ region })',
  },
  '@aws-sdk/client-sns': {
    imports: ["import { SNSClient } from '@aws-sdk/client-sns';"],
    make: 'new SNSClient({ region })',
  },
  '@aws-sdk/client-sqs': {
    imports: ["import { SQSClient } from '@aws-sdk/client-sqs';"],
    make: 'new SQSClient({ region })',
  },
};

/** The baseline's source: the SDK clients of these packages, created at import, nothing else. */
export function baselineSource(sdk: readonly string[]): string {
  const known = sdk.filter((p) => CLIENTS[p]);
  const imports = [...new Set(known.flatMap((p) => CLIENTS[p]?.imports ?? []))];
  const others = sdk
    .filter((p) => !CLIENTS[p])
    .map((p) => `import * as _${p.replace(/\W/g, '_')} from '${p}';`);
  return [
    ...imports,
    ...others,
    'const region = process.env.AWS_REGION;',
    `export const clients = [${known.map((p) => CLIENTS[p]?.make).join(', ')}];`,
    `export const handler = async () => clients.length;`,
  ].join('\n');
}

/** Builds a bundle with the deployed options (`external` overridden when given) and trims its map. */
async function bundleTo(
  outfile: string,
  entry: { file: string } | { source: string },
  external?: string[],
): Promise<number> {
  await build({
    ...lambdaEsbuildOptions,
    ...(external ? { external } : {}),
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: REPO_ROOT, loader: 'ts' as const } }),
    outfile,
    logLevel: 'error',
  });
  trimSourceMapFile(`${outfile}.map`);
  return statSync(outfile).size;
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

async function composition(
  name: string,
  entry: { file: string } | { source: string } = { file: handlerEntry(name) },
): Promise<{ top: { pkg: string; bytes: number }[]; sdk: string[] }> {
  const res = await build({
    ...lambdaEsbuildOptions,
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: REPO_ROOT, loader: 'ts' as const } }),
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
    for (const input of Object.keys(out.inputs)) {
      const m = /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))\//.exec(input);
      if (m?.[1]) sdk.add(m[1]);
    }
  }
  return {
    top: [...byPkg.entries()].map(([pkg, bytes]) => ({ pkg, bytes })).sort((a, b) => b.bytes - a.bytes),
    sdk: [...sdk].sort(),
  };
}

/**
 * A Node.js 22 binary for this machine, as the npm registry ships it (package `node-linux-<arch>@22`,
 * the one the `node` package installs), unpacked once under node_modules/.cache: Lambda runs Node.js 22,
 * and import costs differ between majors (source maps, the module loader). Undefined, with the reason,
 * when it cannot be fetched (no registry): the section then says so and judges on this machine's Node.
 */
async function node22(
  log: (s: string) => void,
): Promise<{ bin: string; version: string } | { missing: string }> {
  const dir = join(REPO_ROOT, 'node_modules', '.cache', `bench-node22-${process.platform}-${process.arch}`);
  const bin = join(dir, 'package', 'bin', 'node');
  if (!existsSync(bin)) {
    if (process.platform !== 'linux')
      return { missing: `no npm package of Node.js 22 for ${process.platform}` };
    mkdirSync(dir, { recursive: true });
    const npm = 'npm';
    const pkg = `node-linux-${process.arch}@22`;
    log(`  fetching ${pkg} from the npm registry`);
    const packed = await run(npm, ['pack', pkg, '--pack-destination', dir, '--silent'], process.env);
    const tgz = packed.stdout.trim().split('\n').pop() ?? '';
    if (packed.code !== 0 || !tgz)
      return { missing: `npm pack ${pkg} failed: ${packed.out.slice(-200).trim()}` };
    const untar = await run('tar', ['xzf', join(dir, tgz), '-C', dir], process.env);
    if (untar.code !== 0 || !existsSync(bin)) return { missing: `unpacking ${tgz} failed` };
  }
  const v = await run(bin, ['--version'], process.env);
  return v.code === 0 ? { bin, version: v.stdout.trim() } : { missing: `${bin} does not run` };
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
  // Baselines and the SDK-external builds: under dist/.floor/ (no index.mjs directly in it, so not a function).
  const floor = join(dist, '.floor');
  rmSync(floor, { recursive: true, force: true });
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) baseline.push((await importOnce('node:path'))[0]);
  const n22 = await node22(log);
  if ('missing' in n22) log(`  Node.js 22 not available (${n22.missing}): timing on ${process.version} only`);
  const bundles: BundleFigures[] = [];
  for (const name of names) {
    const file = join(dist, name, 'index.mjs');
    const bytes = statSync(file).size;
    const mapBytes = existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0;
    const beside = readdirSync(join(dist, name))
      .filter((f) => f !== 'index.mjs' && f !== 'index.mjs.map')
      .map((f) => ({ file: f, bytes: statSync(join(dist, name, f)).size }));
    const { top, sdk } = await composition(name);
    const baseFile = join(floor, 'base', name, 'index.mjs');
    const extFile = join(floor, 'ext', name, 'index.mjs');
    const extBaseFile = join(floor, 'ext-base', name, 'index.mjs');
    const baseBytes = await bundleTo(baseFile, { source: baselineSource(sdk) });
    // What the bundle holds beyond its floor: the packages (and our code) the baseline has not.
    const floorPkgs = new Set(
      (await composition(name, { source: baselineSource(sdk) })).top.map((t) => t.pkg),
    );
    const beyond = sdk.length ? top.filter((t) => !floorPkgs.has(t.pkg)) : [];
    const extBytes = await bundleTo(extFile, { file: handlerEntry(name) }, ['@aws-sdk/*']);
    await bundleTo(extBaseFile, { source: baselineSource(sdk) }, ['@aws-sdk/*']);
    const [fn, base] = (await importTimes([file, baseFile], RUNS)) as [Timing, Timing];
    const [fn22, base22] =
      'bin' in n22 ? ((await importTimes([file, baseFile], RUNS, n22.bin)) as [Timing, Timing]) : [];
    const [extFn, extBase] = (await importTimes([extFile, extBaseFile], EXT_RUNS)) as [Timing, Timing];
    bundles.push({
      name,
      bytes,
      mapBytes,
      beside,
      fn,
      base,
      ...(fn22 && base22 ? { fn22, base22 } : {}),
      baseBytes,
      extFn,
      extBase,
      extBytes,
      sdk,
      top,
      beyond,
    });
    log(
      `  ${name}: ${(bytes / 1024).toFixed(1)} KiB, import ${fn.wall.toFixed(1)} ms (CPU ${fn.cpu.toFixed(1)}), ` +
        `baseline ${base.wall.toFixed(1)} ms (CPU ${base.cpu.toFixed(1)}); ` +
        (fn22 && base22 ? `Node 22: ${fn22.wall.toFixed(1)} / ${base22.wall.toFixed(1)} ms; ` : '') +
        `SDK external ${extFn.wall.toFixed(1)} / ${extBase.wall.toFixed(1)} ms`,
    );
  }
  return {
    build: buildInfo,
    bundles,
    nodeBaselineMs: median(baseline),
    node22: 'bin' in n22 ? { version: n22.version } : { missing: n22.missing },
  };
}

const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const f1 = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const f2 = (n: number) => n.toFixed(2);

/** Section 4 of BENCHMARKS.md (also printed alone by `npm run bench -- --only cold-start`). */
export function coldStartSection(cs: ColdStartResult): string[] {
  const withSdk = cs.bundles.filter((b) => b.sdk.length > 0);
  const ratio = (b: BundleFigures) => b.fn.wall / b.base.wall;
  const cpuRatio = (b: BundleFigures) => b.fn.cpu / b.base.cpu;
  const ratio22 = (b: BundleFigures) => (b.fn22 && b.base22 ? b.fn22.wall / b.base22.wall : Number.NaN);
  const on22 = 'version' in cs.node22 && withSdk.every((b) => b.fn22 && b.base22);
  const missedHere = withSdk.filter((b) => ratio(b) > GOAL_RATIO);
  const missed22 = on22 ? withSdk.filter((b) => ratio22(b) > GOAL_RATIO) : [];
  const med = (xs: number[]) => median(xs);
  const totalBundled = med(withSdk.map((b) => b.fn.wall));
  const totalExt = med(withSdk.map((b) => b.extFn.wall));
  const baseWall = med(withSdk.map((b) => b.base.wall));
  const medRatio = med(withSdk.map(ratio));
  const medCpuRatio = med(withSdk.map(cpuRatio));
  const medRatio22 = on22 ? med(withSdk.map(ratio22)) : Number.NaN;
  // The figure the goal is judged on: Node.js 22 (Lambda's) when it ran, else this machine's Node.
  const judged = on22 ? medRatio22 : medRatio;
  const verdict = (missed: BundleFigures[], r: (b: BundleFigures) => number) =>
    missed.length === 0 ? 'met' : `not met for ${missed.map((b) => `${b.name} ${f2(r(b))}`).join(', ')}`;
  // Init on Lambda (Node.js 22, arm64): published Init Durations of bundled, minified functions
  // creating 3-4 SDK clients are about 210-250 ms (see the text); ours adds the measured ratio.
  const lambdaFloor = [210, 250] as const;
  return [
    '## 4. Cold start',
    '',
    `\`${cs.build.command}\` (${cs.build.seconds.toFixed(1)} s) bundles each function into dist/<name>/index.mjs with the deployed`,
    'esbuild options (infra/build/esbuild-options.ts: ESM, minified, source map), now with the AWS SDK v3 bundled',
    "and the SMS providers' SDKs (Aliyun, Tencent: some 1.6 MB) left out: the functions that send or pull SMS ship",
    "them beside index.mjs as provider-sdks.mjs, imported on a provider's first send or pull",
    '(shared/gateways/provider-sdks/load.ts). The source map keeps our sources only (infra/build/trim-sourcemap.ts):',
    'Node reads the whole map at import when source maps are on, and a frame in a package keeps its bundle position.',
    ...(cs.build.note ? [cs.build.note] : []),
    'Baseline (the floor): for each function, a bundle built with the same options and the same trim that only imports',
    "the AWS SDK packages the function's bundle uses and creates their clients at import (test/bench/cold-start.ts `baselineSource`).",
    'Import time: a fresh `node --input-type=module -e` around `await import(bundle)`, the function and its baseline',
    `alternately, median of ${RUNS} each, as deployed (\`NODE_OPTIONS=--enable-source-maps\`), with the environment the`,
    'functions read (configuration is validated on the first invocation, not at import); wall time, and CPU time of the',
    'process (user + system: steadier when the machine is busy). The same with the AWS SDK external (from node_modules,',
    `file by file, as the runtime's own copy loads), median of ${EXT_RUNS}. Node's own start is not included`,
    `(a fresh process importing \`node:path\`: ${cs.nodeBaselineMs.toFixed(2)} ms). Node.js here is ${process.version}; Lambda runs Node.js 22, so`,
    'version' in cs.node22
      ? `every function and its baseline are also timed on Node.js ${cs.node22.version} (the npm registry's \`node-linux-${process.arch}\` package, the binary the \`node\` package installs; x64 here, arm64 on Lambda), the same way: the goal is judged on those.`
      : `Node.js 22 could not be fetched here (${cs.node22.missing}): the goal is judged on ${process.version}.`,
    '',
    table(
      [
        'function',
        'bundle',
        'map',
        'beside it',
        'baseline bundle',
        'import ms',
        'baseline ms',
        '**ratio**',
        'CPU ms / baseline',
        'CPU ratio',
        'Node 22: import / baseline ms',
        '**Node 22 ratio**',
        'SDK external: import / baseline ms',
        'AWS SDK clients',
      ],
      cs.bundles.map((b) => [
        b.name,
        kib(b.bytes),
        kib(b.mapBytes),
        b.beside.map((x) => `${x.file} ${kib(x.bytes)}`).join(', ') || '—',
        b.sdk.length ? kib(b.baseBytes) : '—',
        f1(b.fn.wall),
        b.sdk.length ? f1(b.base.wall) : '—',
        b.sdk.length ? `**${f2(ratio(b))}**` : '—',
        b.sdk.length ? `${f1(b.fn.cpu)} / ${f1(b.base.cpu)}` : f1(b.fn.cpu),
        b.sdk.length ? f2(cpuRatio(b)) : '—',
        b.fn22 && b.base22 ? `${f1(b.fn22.wall)} / ${f1(b.base22.wall)}` : '—',
        b.sdk.length && b.fn22 ? `**${f2(ratio22(b))}**` : '—',
        b.sdk.length ? `${f1(b.extFn.wall)} / ${f1(b.extBase.wall)}` : f1(b.extFn.wall),
        b.sdk.map((p) => p.replace('@aws-sdk/', '')).join(', ') || '—',
      ]),
    ),
    '',
    'What each bundle holds beyond its baseline (the packages the baseline has not, and our code; bytes in the minified output by',
    "esbuild's metafile), largest first:",
    '',
    table(
      ['function', 'beyond its baseline', 'largest parts'],
      cs.bundles
        .filter((b) => b.sdk.length)
        .map((b) => [
          b.name,
          kib(b.beyond.reduce((n, t) => n + t.bytes, 0)),
          b.beyond
            .slice(0, 7)
            .map((t) => `${t.pkg} ${kib(t.bytes)}`)
            .join(', '),
        ]),
    ),
    '',
    `Both ways (median over the ${withSdk.length} functions that use AWS): import ${f1(totalBundled)} ms with the SDK bundled against`,
    `${f1(totalExt)} ms with it from node_modules: bundled is ${f2(totalBundled / totalExt)}x the time, so it is bundled (bundles grow by the`,
    "SDK's few hundred KB; the 300 KB goal is dropped). The floor itself: the baseline imports in " +
      `${f1(baseWall)} ms bundled, ${f1(med(withSdk.map((b) => b.extBase.wall)))} ms external.`,
    'Nothing is built at import that the first request can build: every zod schema (request bodies, the',
    'configuration, RULES) is made on its first use (shared/runtime/lazy.ts), and so is the grapheme segmenter that',
    'masks names (its ICU data took some 8 ms at import); the configuration is read and checked on the first',
    'invocation (`perContainer`), as before, with the same messages. zod is Zod Mini (shared/runtime/zod.ts, the only',
    'import of zod; a lint rule and a bundle test keep it so): classic zod built its method-laden classes at import (some',
    '6 ms on Node.js 22 when it was replaced, against under 1 ms for Zod Mini). The deployed scheduler carries none of the',
    'due work (its due workers run it, from their queue; 69 KB less when it was cut). What remains above the floor is V8',
    "compiling the bundle's own bytes, which grows with their size: the table above, where due-worker, which carries all",
    "the due work, holds the most. A CPU profile by source line (when Zod Mini came in) found our modules' own evaluation",
    'at import about 1 ms. On Node.js 20 with source maps on, Node also scans the whole bundle once for its line lengths,',
    'in proportion to its size.',
    '',
    `**Goal: import at most ${GOAL_RATIO}x the baseline (wall, median)${on22 ? `, on Node.js 22 as deployed: ${verdict(missed22, ratio22)}** (median ratio ${f2(medRatio22)}). On this machine's ${process.version}: ${verdict(missedHere, ratio)} (median ${f2(medRatio)}, CPU ${f2(medCpuRatio)}).` : `: ${verdict(missedHere, ratio)}** (median ratio ${f2(medRatio)}, CPU ${f2(medCpuRatio)}).`}` +
      ((on22 ? missed22 : missedHere).length === 0
        ? ''
        : ' What is over is compiling the code every request needs (above); deferring it to the first request (a lazily ' +
          "imported handler body) would move that work, not remove it, out of Lambda's Init phase into the first request."),
    '',
    `Expected Lambda Init Duration (Node.js 22, arm64, 512 MB): about ${lambdaFloor[0]}-${lambdaFloor[1]} ms for the floor, on the basis of published`,
    'measurements of bundled, minified functions creating AWS SDK v3 clients at init: 213-270 ms average Init Duration for',
    'bundles of 316-496 KB with the DynamoDB, STS and IAM clients (github.com/perpil/sdk-577-thiccc-repro), 241 ms',
    "bundled and minified against 675 ms with the runtime's SDK (aws/aws-sdk-js-v3 issue 5516), about 250 ms to load a",
    "Node.js 22 application with 3 AWS clients (speedrun.nobackspacecrew.com, 2025-07-21); Init includes the runtime's own",
    `start. Ours: that floor x the measured ratio (${f2(judged)}), about ${(lambdaFloor[0] * judged).toFixed(0)}-${(lambdaFloor[1] * judged).toFixed(0)} ms, before the first`,
    "request's own work (configuration and the schemas it uses, secrets, the first DynamoDB call, which adds a TLS connection: about 100+ ms by the same sources).",
    "An estimate from others' measurements, not a measurement of ours on AWS.",
    '',
  ];
}
