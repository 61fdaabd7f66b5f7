import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionNames } from '#shared/http/routes';
import { handlerEntry, lambdaEsbuildOptions } from '../../infra/build/esbuild-options.ts';

/**
 * What the deployed bundles leave out for their cold start (issue 14, goal 3; BENCHMARKS.md): each
 * function bundled with the deployed options, its inputs read from esbuild's metafile.
 */
async function inputsOf(name: string): Promise<string[]> {
  const res = await build({
    ...lambdaEsbuildOptions,
    entryPoints: [handlerEntry(name)],
    outfile: `/virtual/${name}/index.mjs`,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  return Object.keys(res.metafile.inputs);
}

describe('the Lambda bundles', () => {
  it.each([...functionNames])(
    '%s: Zod Mini only, never classic zod (built at import: ~6 ms)',
    async (name) => {
      const inputs = await inputsOf(name);
      const zod = inputs.filter((i) => i.includes('node_modules/zod/'));
      if (name !== 'openapi') expect(zod.length).toBeGreaterThan(0);
      expect(zod.filter((i) => i.includes('/v4/classic/'))).toEqual([]);
    },
  );

  it('scheduler: carries none of the due work (on AWS the due workers run it, from their queue)', async () => {
    const scheduler = await inputsOf('scheduler');
    expect(scheduler).toContain('shared/app/scheduler/fan-out-due.ts');
    expect(
      scheduler.filter((i) => /run-due-work|in-process-workers|plan-ticket|send-survey/.test(i)),
    ).toEqual([]);
    // ...which the due worker does carry
    const worker = await inputsOf('due-worker');
    expect(worker).toContain('shared/app/scheduler/run-due-work.ts');
  });
});
