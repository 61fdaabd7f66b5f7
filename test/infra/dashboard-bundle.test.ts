import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerEntry, lambdaEsbuildOptions } from '../../infra/esbuild-options.ts';

/**
 * The dashboard function as Lambda runs it: bundled with the deployed esbuild options into a directory
 * with no node_modules anywhere above it, then invoked in a plain Node process. Proves the assets are
 * inlined in the bundle (esbuild's text loader), not read from the repository at run time.
 */
const echartsPath = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
const ourFile = (f: string) => fileURLToPath(new URL(`../../shared/web/dashboard/${f}`, import.meta.url));

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-bundle-'));
  bundle = join(dir, 'index.mjs');
  await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry('dashboard')],
    outfile: bundle,
    logLevel: 'error',
  });
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

/** Runs the bundle's raw handler on the given (routeKey, file, gzip) requests in a fresh Node. */
function invoke(requests: Array<{ routeKey: string; file?: string; gzip?: boolean }>): Answer[] {
  const script = `
    const { dashboard } = await import(${JSON.stringify(bundle)});
    const out = [];
    for (const r of JSON.parse(process.env.REQUESTS)) {
      out.push(await dashboard({
        version: '2.0', routeKey: r.routeKey, rawPath: '/', rawQueryString: '',
        headers: r.gzip ? { 'accept-encoding': 'gzip, deflate, br' } : {},
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
  it('inlines ECharts and our files: one index.mjs of about the size of echarts.min.js plus the handler', () => {
    const size = statSync(bundle).size;
    expect(size).toBeGreaterThan(statSync(echartsPath).size);
    expect(size).toBeLessThan(statSync(echartsPath).size + 600 * 1024);
  });

  it('serves the page and every asset from the bundle alone, gzipped on request', () => {
    const [page, echarts, echartsGz, js, css, missing] = invoke([
      { routeKey: 'GET /dashboard' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'echarts.min.js' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'echarts.min.js', gzip: true },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.js' },
      { routeKey: 'GET /dashboard/assets/{file}', file: 'dashboard.css' },
      { routeKey: 'GET /dashboard/assets/{file}', file: '..%2Fhandler.ts' },
    ]) as [Answer, Answer, Answer, Answer, Answer, Answer];

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toMatch(/<script defer src="dashboard\/assets\/echarts\.min\.js\?v=[0-9a-f]{16}">/);

    expect(echarts.statusCode).toBe(200);
    expect(echarts.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(echarts.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(echarts.body).toBe(readFileSync(echartsPath, 'utf8'));

    expect(echartsGz.isBase64Encoded).toBe(true);
    expect(echartsGz.headers['content-encoding']).toBe('gzip');
    const gz = Buffer.from(echartsGz.body, 'base64');
    expect(gz.length).toBeLessThan(statSync(echartsPath).size / 2);
    expect(gunzipSync(gz).toString('utf8')).toBe(echarts.body);

    expect(js.body).toBe(readFileSync(ourFile('dashboard.js'), 'utf8'));
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toBe(readFileSync(ourFile('dashboard.css'), 'utf8'));

    expect(missing.statusCode).toBe(404);
  });
});
