import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchartsManifest } from '#shared/web/dashboard/asset-version';
import { GENERATED_DIR, MANIFEST } from '../../infra/build/dashboard-echarts.ts';
import {
  handlerEntry,
  lambdaEsbuildOptions,
  runAfterBundling,
  runBeforeBundling,
} from '../../infra/build/esbuild-options.ts';

/**
 * The dashboard function as Lambda runs it: bundled with the deployed esbuild options into a directory
 * with no node_modules anywhere above it, the function's `besideBundle` files copied in after (as the
 * CDK bundling and `npm run build` do: the directory is the deployment package), then invoked in a
 * plain Node process. Proves our own small files are inlined in the bundle and ECharts is not: it
 * ships as echarts.<version>.js.br beside index.mjs, read on the first request for it.
 */
// Our own pages' files (dashboard with the drill-down views, sign-in, workbench) are inlined; ECharts
// (over 500 kB) must not be: a bundle within this limit has not inlined it.
const LIMIT_BYTES = 380_000;
const fullEcharts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
const ourFile = (f: string) => fileURLToPath(new URL(`../../shared/web/dashboard/${f}`, import.meta.url));
const sha16 = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 16);

let dir: string;
let bundle: string;
let inputs: string[];
let manifest: EchartsManifest;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-bundle-'));
  bundle = join(dir, 'index.mjs');
  // As the CDK bundling and `npm run build` do: beforeBundling, esbuild, then the files beside it.
  runBeforeBundling('dashboard');
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry('dashboard')],
    outfile: bundle,
    metafile: true,
    logLevel: 'error',
  });
  runAfterBundling('dashboard', dir);
  inputs = Object.keys(res.metafile.inputs);
  manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as EchartsManifest;
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

type Step =
  | { routeKey: string; file?: string; accept?: string }
  /** Between requests, in the same process: copy a file into the package. */
  | { copy: string; to: string }
  /** Between requests: delete a file of the package. */
  | { remove: string };

const MARK = '\n@@answers@@\n';

/**
 * Imports the bundle once in a fresh Node process (cwd: the package) and runs its Lambda handler
 * (dependencies built from that process's environment on the first request) on the requests in order, doing the file steps between them; one answer per request.
 */
function invoke(steps: Step[]): Answer[] {
  const script = `
    import { copyFileSync, rmSync } from 'node:fs';
    const { handler } = await import(${JSON.stringify(bundle)});
    const out = [];
    for (const s of JSON.parse(process.env.STEPS)) {
      if (s.copy) { copyFileSync(s.copy, s.to); continue; }
      if (s.remove) { rmSync(s.remove); continue; }
      out.push(await handler({
        version: '2.0', routeKey: s.routeKey, rawPath: '/', rawQueryString: '',
        headers: s.accept ? { 'accept-encoding': s.accept } : {},
        ...(s.file ? { pathParameters: { file: s.file } } : {}),
        requestContext: {}, isBase64Encoded: false,
      }, {}));
    }
    process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH, TABLE_NAME: 'bundle-test', STEPS: JSON.stringify(steps) },
    maxBuffer: 64 * 1024 * 1024,
    // The errors the handler logs on purpose (the file-step test) stay out of the test output.
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString('utf8');
  // The logger writes to stdout too (errors): the answers are after the last mark.
  return JSON.parse(stdout.slice(stdout.lastIndexOf(MARK) + MARK.length)) as Answer[];
}

const PAGE = { routeKey: 'GET /dashboard' };
const echartsRequest = (accept?: string) => ({
  routeKey: 'GET /dashboard/assets/{file}',
  file: 'echarts.min.js',
  ...(accept ? { accept } : {}),
});
const versionInPage = (page: Answer) =>
  /<script defer src="dashboard\/assets\/echarts\.min\.js\?v=([0-9a-f]{16})">/.exec(page.body)?.[1];

describe('functions/dashboard bundled for Lambda', () => {
  it('ships ECharts beside index.mjs, named by its version, not inside it: the bundle is under 380,000 bytes', () => {
    const echartsFile = `echarts.${manifest.version}.js.br`;
    expect(manifest.file).toBe(echartsFile);
    // The package: the bundle, its map and the compressed script, nothing else.
    expect(readdirSync(dir).sort()).toEqual([echartsFile, 'index.mjs', 'index.mjs.map']);
    const shipped = readFileSync(join(dir, echartsFile));
    // The version in the name is the hash of the script it decompresses to; the file is the generated one.
    expect(sha16(brotliDecompressSync(shipped))).toBe(manifest.version);
    expect(shipped.equals(readFileSync(join(GENERATED_DIR, echartsFile)))).toBe(true);
    expect(shipped.length).toBeGreaterThan(100 * 1024);

    const size = statSync(bundle).size;
    expect(size).toBeLessThan(LIMIT_BYTES);
    // Only the manifest is inlined; the build tools used from source stay out (esbuild, infra/).
    expect(inputs).toContain('shared/web/dashboard/generated/echarts.json');
    expect(inputs.filter((i) => /\.br$/.test(i))).toEqual([]);
    expect(inputs.filter((i) => /node_modules\/(esbuild|echarts|zrender)\/|^infra\//.test(i))).toEqual([]);
    expect(readFileSync(bundle, 'utf8')).not.toContain(shipped.subarray(1000, 1048).toString('base64'));
  });

  it('serves the page and every asset from the package alone, compressed as the client accepts', () => {
    const [page, echarts, echartsBrAnswer, echartsGz, echartsNoBr, js, jsBr, css, missing, proto] = invoke([
      { ...PAGE, accept: 'gzip' },
      echartsRequest(),
      echartsRequest('gzip, deflate, br'),
      echartsRequest('gzip'),
      echartsRequest('br;q=0, gzip;q=0.8'),
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.js' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.js', accept: 'br' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.css' },
      { routeKey: 'GET /dashboard/assets/{file}', file: '..%2Fhandler.ts' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'constructor' },
    ]) as [Answer, Answer, Answer, Answer, Answer, Answer, Answer, Answer, Answer, Answer];

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBe('gzip');
    const html = gunzipSync(Buffer.from(page.body, 'base64')).toString('utf8');
    expect(versionInPage({ ...page, body: html })).toBe(manifest.version);

    // Identity: the decompressed build, a script that sets the global `echarts` the dashboard calls.
    const shipped = readFileSync(join(dir, manifest.file));
    expect(echarts.statusCode).toBe(200);
    expect(echarts.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(echarts.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(echarts.headers.etag).toBe(`"${manifest.version}"`);
    expect(echarts.headers['content-encoding']).toBeUndefined();
    expect(echarts.body).toBe(brotliDecompressSync(shipped).toString('utf8'));
    expect(echarts.body.length).toBeLessThan(statSync(fullEcharts).size * 0.6);
    expect(echarts.body).toMatch(/^\/\*!\n \* Apache ECharts \d+\.\d+\.\d+/);
    const window: { echarts?: Record<string, unknown> } = {};
    runInNewContext(`${echarts.body}\nwindow.echarts = echarts;`, {
      window,
      navigator: { userAgent: 'Node.js' },
    });
    expect(typeof window.echarts?.init).toBe('function');
    expect(typeof window.echarts?.getInstanceByDom).toBe('function');

    // br: the shipped bytes as they are; gzip: made from the same body (also when br is refused).
    expect(echartsBrAnswer.headers['content-encoding']).toBe('br');
    expect(echartsBrAnswer.isBase64Encoded).toBe(true);
    expect(Buffer.from(echartsBrAnswer.body, 'base64').equals(shipped)).toBe(true);
    for (const gz of [echartsGz, echartsNoBr]) {
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toBe('accept-encoding');
      expect(gunzipSync(Buffer.from(gz.body, 'base64')).toString('utf8')).toBe(echarts.body);
    }

    expect(js.body).toBe(readFileSync(ourFile('dashboard.js'), 'utf8'));
    expect(jsBr.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(Buffer.from(jsBr.body, 'base64')).toString('utf8')).toBe(js.body);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toBe(readFileSync(ourFile('dashboard.css'), 'utf8'));

    expect(missing.statusCode).toBe(404);
    expect(proto.statusCode).toBe(404);

    // The OpenAPI document names the media types these answers have.
    const openapi = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../shared/http/openapi.json', import.meta.url)), 'utf8'),
    );
    const documented = Object.keys(openapi.paths['/dashboard/assets/{file}'].get.responses['200'].content);
    const served = [echarts, js, css].map((a) => a.headers['content-type']?.split(';')[0]);
    expect([...new Set(served)].sort()).toEqual([...documented].sort());
  });

  it('serves the shared sign-in script (shared/web/signin.js) inlined, and the page loads it before its own', () => {
    const [page, signin] = invoke([
      PAGE,
      { routeKey: 'GET /dashboard/assets/{file}', file: 'signin.js' },
    ]) as [Answer, Answer];
    expect(signin.statusCode).toBe(200);
    expect(signin.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const source = readFileSync(
      fileURLToPath(new URL('../../shared/web/signin.js', import.meta.url)),
      'utf8',
    );
    expect(signin.body).toBe(source);
    expect(signin.headers.etag).toBe(`"${sha16(Buffer.from(source))}"`);
    const html = page.isBase64Encoded ? Buffer.from(page.body, 'base64').toString('utf8') : page.body;
    const order = [...html.matchAll(/src="dashboard\/assets\/([\w.]+)\?v=[0-9a-f]{16}"/g)].map((m) => m[1]);
    expect(order.indexOf('signin.js')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('signin.js')).toBeLessThan(order.indexOf('dashboard.js'));
    // No SIGNIN_* in this environment: pasted tokens only, and our origin alone to connect to.
    expect(page.headers['content-security-policy']).toContain("connect-src 'self';");
  });

  it('serves the callback workbench (GET /workbench) with its own files inlined and no inline style allowed', () => {
    const [page, js, css, pagesJs, baseCss, dashboard] = invoke([
      { routeKey: 'GET /workbench' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'workbench.js' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'workbench.css' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'pages.js' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'base.css' },
      PAGE,
    ]) as [Answer, Answer, Answer, Answer, Answer, Answer];
    expect(page.statusCode).toBe(200);
    const htmlOf = (a: Answer) =>
      a.isBase64Encoded ? Buffer.from(a.body, 'base64').toString('utf8') : a.body;
    const html = htmlOf(page);
    expect(html).toContain('<title>回访工作台</title>');
    const order = [...html.matchAll(/src="dashboard\/assets\/([\w.]+)\?v=([0-9a-f]{16})"/g)];
    expect(order.map((m) => m[1])).toEqual(['signin.js', 'pages.js', 'workbench.js']);
    const webFile = (f: string) =>
      readFileSync(fileURLToPath(new URL(`../../shared/web/${f}`, import.meta.url)), 'utf8');
    expect(js.body).toBe(webFile('workbench/workbench.js'));
    expect(order[2]?.[2]).toBe(sha16(Buffer.from(js.body)));
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toBe(webFile('workbench/workbench.css'));
    // What both pages share: one script and one base style sheet, each linked before the page's own.
    expect(pagesJs.body).toBe(webFile('pages.js'));
    expect(baseCss.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(baseCss.body).toBe(webFile('base.css'));
    for (const [shell, own] of [
      [html, 'workbench'],
      [htmlOf(dashboard), 'dashboard'],
    ] as const) {
      const sheets = [...shell.matchAll(/href="dashboard\/assets\/([\w.]+)\?v=[0-9a-f]{16}"/g)].map(
        (m) => m[1],
      );
      expect(sheets).toEqual(['base.css', `${own}.css`]);
      const scripts = [...shell.matchAll(/src="dashboard\/assets\/([\w.]+)\?v=/g)].map((m) => m[1]);
      expect(scripts.indexOf('pages.js')).toBeGreaterThan(scripts.indexOf('signin.js'));
      expect(scripts.indexOf('pages.js')).toBeLessThan(scripts.indexOf(`${own}.js`));
    }
    const csp = page.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    // No inline script or style in the page itself.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|<style|\son[a-z]+=/i);
  });

  it('reads ECharts on the first request for it (not at import, not for the page), checks it, then keeps it', () => {
    const path = join(dir, manifest.file);
    const shipped = readFileSync(path);
    const scratch = mkdtempSync(join(tmpdir(), 'dashboard-files-'));
    const right = join(scratch, 'right.br');
    const otherBuild = join(scratch, 'other.br');
    copyFileSync(path, right);
    writeFileSync(otherBuild, brotliCompressSync(Buffer.from('/* not the build the bundle names */')));
    try {
      const [page, absent, wrong, served, kept] = invoke([
        // Without the file: the bundle imports and the page names the version from the manifest.
        { remove: path },
        PAGE,
        echartsRequest('br'),
        // Another build under the name: refused, not served under this version's URL.
        { copy: otherBuild, to: path },
        echartsRequest('br'),
        // The right file: the failed reads are not cached, this one is (read once, then kept).
        { copy: right, to: path },
        echartsRequest('br'),
        { remove: path },
        echartsRequest('br'),
      ]) as [Answer, Answer, Answer, Answer, Answer];
      expect(page.statusCode).toBe(200);
      expect(versionInPage(page)).toBe(manifest.version);
      expect(absent.statusCode).toBe(500);
      expect(wrong.statusCode).toBe(500);
      for (const ok of [served, kept]) {
        expect(ok.statusCode).toBe(200);
        expect(ok.headers['content-encoding']).toBe('br');
        expect(Buffer.from(ok.body, 'base64').equals(shipped)).toBe(true);
      }
    } finally {
      copyFileSync(right, path);
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
