import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  handlerEntry,
  lambdaEsbuildOptions,
  runAfterBundling,
  runBeforeBundling,
} from '../../infra/build/esbuild-options.ts';
import { trimSourceMapFile } from '../../infra/build/trim-sourcemap.ts';

/**
 * A function that sends SMS (sms-inbound) packaged as Lambda gets it (issue 14, cold start): bundled
 * with the deployed options into a directory with no node_modules above it, the source map trimmed,
 * its `besideBundle` files copied in. The SMS providers' SDKs are not in the bundle but beside it
 * (provider-sdks.mjs, loaded on a provider's first send or pull), the AWS SDK is in it (the bundle
 * imports with nothing else), and the map holds our sources only.
 */
let dir: string;
let inputs: string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sms-inbound-bundle-'));
  runBeforeBundling('sms-inbound');
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry('sms-inbound')],
    outfile: join(dir, 'index.mjs'),
    metafile: true,
    logLevel: 'error',
  });
  trimSourceMapFile(join(dir, 'index.mjs.map'));
  runAfterBundling('sms-inbound', dir);
  inputs = Object.keys(res.metafile.inputs);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (script: string) =>
  execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH, TABLE_NAME: 't', AWS_REGION: 'cn-north-1' },
    encoding: 'utf8',
  });

describe('functions/sms-inbound bundled for Lambda', () => {
  it("leaves the SMS providers' SDKs out of the bundle and ships them beside it; bundles the AWS SDK", () => {
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'provider-sdks.mjs']);
    expect(
      inputs.filter((i) => /node_modules\/(@alicloud|tencentcloud-sdk-nodejs|@darabonba)/.test(i)),
    ).toEqual([]);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(statSync(join(dir, 'provider-sdks.mjs')).size).toBeGreaterThan(
      statSync(join(dir, 'index.mjs')).size,
    );
    const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.length).toBeGreaterThan(10);
    expect(map.sources.filter((s) => s.includes('node_modules/'))).toEqual([]);
  });

  it('imports with no node_modules, and the SDKs beside it load on their own', () => {
    const out = run(`
      const { handler } = await import('./index.mjs');
      const m = await import('./provider-sdks.mjs');
      const d = m.dysms;
      const Dysms = typeof d.default === 'function' ? d.default : d.default?.default;
      process.stdout.write(JSON.stringify([typeof handler, typeof Dysms, typeof d.SendSmsRequest,
        typeof m.openapiCore.$OpenApiUtil.Config, typeof m.tencentSms.sms.v20210111.Client, typeof m.mns.default]));
    `);
    expect(JSON.parse(out.slice(out.indexOf('[')))).toEqual(Array(6).fill('function'));
  });
});
