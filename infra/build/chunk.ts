import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';
import { lambdaEsbuildOptions } from './esbuild-options.ts';

/**
 * One library bundled on its own into a minified ES module that functions ship beside their
 * index.mjs and import on first use (exceljs-chunk.ts, provider-sdks-chunk.ts): the deployed
 * esbuild options, everything inlined, no source map, licences kept at the end.
 */
export async function buildChunk(entry: string, outfile: string): Promise<string> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    ...lambdaEsbuildOptions,
    external: [],
    sourcemap: false,
    entryPoints: [entry],
    outfile,
    logLevel: 'warning',
    legalComments: 'eof',
  });
  return outfile;
}
