import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { lambdaEsbuildOptions, REPO_ROOT } from '../../infra/build/esbuild-options.ts';
import { type SourceMapV3, trimSourceMap } from '../../infra/build/trim-sourcemap.ts';

/**
 * infra/build/trim-sourcemap.ts: the deployed source map keeps our sources only (Node reads the whole
 * map at import). A frame in our code maps exactly as before; a frame in a package maps to nothing
 * (its index.mjs position), never to a line of ours.
 */
describe('trimSourceMap', () => {
  it('keeps every mapping into our sources and unmaps the packages', async () => {
    const res = await build({
      ...lambdaEsbuildOptions,
      entryPoints: [join(REPO_ROOT, 'shared/domain/phone.ts')],
      outfile: join(REPO_ROOT, 'dist/trim-test/index.mjs'),
      write: false,
      logLevel: 'silent',
    });
    const file = (ext: string) => res.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
    const original = JSON.parse(file('.mjs.map')) as SourceMapV3;
    expect(original.sources.some((s) => s.includes('node_modules/'))).toBe(true);
    const trimmed = trimSourceMap(original);
    expect(trimmed.sources.length).toBeGreaterThan(0);
    expect(trimmed.sources.every((s) => !s.includes('node_modules/'))).toBe(true);
    expect(JSON.stringify(trimmed).length).toBeLessThan(JSON.stringify(original).length / 2);

    const payload = (m: SourceMapV3) =>
      ({ file: '', sourceRoot: '', ...m }) as ConstructorParameters<typeof SourceMap>[0];
    const a = new SourceMap(payload(original));
    const b = new SourceMap(payload(trimmed));
    const lines = file('.mjs').split('\n');
    let ours = 0;
    let theirs = 0;
    for (let l = 0; l < lines.length; l++) {
      for (let c = 0; c < (lines[l] ?? '').length; c += 7) {
        const x = a.findEntry(l, c) as { originalSource?: string };
        const y = b.findEntry(l, c) as { originalSource?: string };
        if (x.originalSource && !x.originalSource.includes('node_modules/')) {
          ours++;
          expect(y).toEqual(x);
        } else {
          theirs++;
          expect(y.originalSource).toBeUndefined();
        }
      }
    }
    expect(ours).toBeGreaterThan(50);
    expect(theirs).toBeGreaterThan(ours);
  });
});
