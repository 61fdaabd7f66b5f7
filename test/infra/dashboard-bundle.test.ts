import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT as echartsBr } from '../../infra/dashboard-echarts.ts';
import { handlerEntry, lambdaEsbuildOptions, runBeforeBundling } from '../../infra/esbuild-options.ts';

/**
 * The dashboard function as Lambda runs it: bundled with the deployed esbuild options into a directory
 * with no node_modules anywhere above it, then invoked in a plain Node process. Proves the assets are
 * inlined in the bundle (esbuild's text and bytes loaders), not read from the repository at run time,
 * and that ECharts is our tree-shaken build, shipped brotli-compressed.
 */
const fullEcharts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
const ourFile = (f: string) => fileURLToPath(new URL(`../../shared/web/dashboard/${f}`, import.meta.url));

let dir: string;
let bundle: string;
let inputs: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-bundle-'));
  bundle = join(dir, 'index.mjs');
  // As the CDK bundling and `npm run build` do: the function's beforeBundling commands first.
  runBeforeBundling('dashboard');
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry('dashboard')],
    outfile: bundle,
    metafile: true,
    logLevel: 'error',
  });
  inputs = Object.keys(res.metafile.inputs);
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

/** Runs the bundle's raw handler on the given (routeKey, file, accept-encoding) requests in a fresh Node. */
function invoke(requests: Array<{ routeKey: string; file?: string; accept?: string }>): Answer[] {
  const script = `
    const { dashboard } = await import(${JSON.stringify(bundle)});
    const out = [];
    for (const r of JSON.parse(process.env.REQUESTS)) {
      out.push(await dashboard({
        version: '2.0', routeKey: r.routeKey, rawPath: '/', rawQueryString: '',
        headers: r.accept ? { 'accept-encoding': r.accept } : {},
        ...(r.file ? { pathParameters: { file: r.file } } : {}),
        requestContext: {}, isBase64Encoded: false,
      }));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH, TABLE_NAME: 'bundle-test', REQUESTS: JSON.stringify(requests) },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString('utf8')) as Answer[];
}

describe('functions/dashboard bundled for Lambda', () => {
  it('inlines our ECharts build brotli-compressed: far smaller than the full echarts.min.js, no build tools', () => {
    const size = statSync(bundle).size;
    const br = statSync(echartsBr).size;
    expect(br).toBeGreaterThan(100 * 1024);
    // The compressed bytes as base64 (4/3) plus the handler, zod, Powertools and our files.
    expect(size).toBeGreaterThan((br * 4) / 3);
    expect(size).toBeLessThan((br * 4) / 3 + 200 * 1024);
    expect(size).toBeLessThan(statSync(fullEcharts).size / 2);
    // The in-memory build used from source stays out (esbuild, infra/): only the built asset is in.
    expect(inputs.filter((i) => /node_modules\/(esbuild|echarts|zrender)\/|^infra\//.test(i))).toEqual([]);
    expect(inputs).toContain('shared/web/dashboard/generated/echarts.min.js.br');
  });

  it('serves the page and every asset from the bundle alone, compressed as the client accepts', () => {
    const echartsFile = (accept?: string) => ({
      routeKey: 'GET /dashboard/assets/{file}',
      file: 'echarts.min.js',
      ...(accept ? { accept } : {}),
    });
    const [page, echarts, echartsBrAnswer, echartsGz, echartsNoBr, js, jsBr, css, missing] = invoke([
      { routeKey: 'GET /dashboard', accept: 'gzip' },
      echartsFile(),
      echartsFile('gzip, deflate, br'),
      echartsFile('gzip'),
      echartsFile('br;q=0, gzip;q=0.8'),
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.js' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.js', accept: 'br' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.css' },
      { routeKey: 'GET /dashboard/assets/{file}', file: '..%2Fhandler.ts' },
    ]) as [Answer, Answer, Answer, Answer, Answer, Answer, Answer, Answer, Answer];

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBe('gzip');
    const html = gunzipSync(Buffer.from(page.body, 'base64')).toString('utf8');
    expect(html).toMatch(/<script defer src="dashboard\/assets\/echarts\.min\.js\?v=[0-9a-f]{16}">/);

    // Identity: the decompressed build, a script that sets the global `echarts` the dashboard calls.
    const shipped = readFileSync(echartsBr);
    expect(echarts.statusCode).toBe(200);
    expect(echarts.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(echarts.headers['cache-control']).toBe('public, max-age=31536000, immutable');
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

    // br: the shipped bytes as they are; gzip: made from the same body.
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

    // The OpenAPI document names the media types these answers have.
    const openapi = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../shared/openapi.json', import.meta.url)), 'utf8'),
    );
    const documented = Object.keys(openapi.paths['/dashboard/assets/{file}'].get.responses['200'].content);
    const served = [echarts, js, css].map((a) => a.headers['content-type']?.split(';')[0]);
    expect([...new Set(served)].sort()).toEqual([...documented].sort());
  });
});
