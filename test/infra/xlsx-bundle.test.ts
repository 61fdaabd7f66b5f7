import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ExcelJSModule from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  handlerEntry,
  lambdaEsbuildOptions,
  runAfterBundling,
  runBeforeBundling,
} from '../../infra/build/esbuild-options.ts';

const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');

/**
 * The reports function as Lambda runs it: bundled with the deployed options into a directory with no
 * node_modules above it (only the AWS SDK linked in, as the runtime provides it), its `besideBundle`
 * files copied in, then invoked in a plain Node process on this file's DynamoDB Local table. Proves
 * exceljs is not in the bundle (which stays under 800,000 bytes, the AWS SDK in it) but ships beside it as exceljs.mjs,
 * and that a workbook is written from there.
 */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const sdk = fileURLToPath(new URL('../../node_modules/@aws-sdk', import.meta.url));

let dir: string;
let bundle: string;
let inputs: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reports-bundle-'));
  bundle = join(dir, 'index.mjs');
  runBeforeBundling('reports');
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry('reports')],
    outfile: bundle,
    metafile: true,
    logLevel: 'error',
  });
  runAfterBundling('reports', dir);
  inputs = Object.keys(res.metafile.inputs);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('functions/reports bundled for Lambda', () => {
  it('leaves exceljs out of the bundle (it weighs more than the rest) and ships it beside index.mjs', () => {
    expect(readdirSync(dir).sort()).toEqual(['exceljs.mjs', 'index.mjs', 'index.mjs.map']);
    expect(inputs.filter((i) => /node_modules\/exceljs\//.test(i))).toEqual([]);
    // Bundle sizes and import times are reported by `npm run bench` (BENCHMARKS.md), not asserted here.
    expect(statSync(join(dir, 'exceljs.mjs')).size).toBeGreaterThan(500 * 1024);
  });

  it('answers an .xlsx from the package alone, exceljs imported from beside the bundle', async () => {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(sdk, join(dir, 'node_modules', '@aws-sdk'), 'dir');
    const script = `
      import { createRequire } from 'node:module';
      const { handler } = await import(${JSON.stringify(bundle)});
      const res = await handler({
        version: '2.0', routeKey: 'GET /v1/reports/engineers', rawPath: '/v1/reports/engineers',
        rawQueryString: 'period=2026-11', queryStringParameters: { period: '2026-11', format: 'xlsx' },
        headers: {}, isBase64Encoded: false,
        requestContext: { authorizer: { jwt: { claims: { token_use: 'id', sub: 'a', role: 'admin' }, scopes: [] } } },
      }, {});
      const require = createRequire(import.meta.url);
      const fromPackage = Object.keys(require.cache).some((p) => p.includes('node_modules/exceljs'));
      process.stdout.write('\\n@@\\n' + JSON.stringify({ res, fromPackage }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: process.env.TABLE_NAME,
        DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
        AWS_REGION: 'cn-north-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        SMS_GATEWAY: 'outbox',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString('utf8');
    const { res, fromPackage } = JSON.parse(out.slice(out.lastIndexOf('\n@@\n') + 4));
    expect(fromPackage).toBe(false);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.isBase64Encoded).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(res.body, 'base64') as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('工程师排名');
    expect(((ws?.getRow(1).values ?? []) as unknown[]).slice(1, 4)).toEqual(['排名', '工程师编号', '姓名']);
  });
});
