import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { Deps } from '#shared/app/deps';
import { type FunctionName, functionNames } from '#shared/http/routes';
import { type FunctionSpec, functionSpecs } from '../functions.ts';
import { buildLambdaContext } from './events.ts';
import { firstLine, TIMED_OUT, withTimeout } from './http-io.ts';

/**
 * The Lambda runtime, locally: loads functions/<fn>/handler.ts once (as a container would), builds
 * its handler on the local system's dependencies (`makeHandler(deps)`; a module without one, such
 * as openapi, exports its `handler`), and runs it with a Lambda context and the timeout the CDK
 * stack gives the function. `handlers` replaces some: the local system builds the scheduler itself,
 * with the due workers in its own process (infra/local/system.ts), and tests give their own.
 */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaRuntime {
  invoke(fn: FunctionName, event: unknown): Promise<unknown>;
}

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export async function startLambdaRuntime(input: {
  region: string;
  log: (line: string) => void;
  /** What the handlers run on (the local system's configuration, clock and gateways). */
  deps: Deps;
  /** Test seam: handlers to use instead of functions/<fn>/handler.ts. */
  handlers?: Partial<Record<FunctionName, LambdaHandler>>;
}): Promise<LambdaRuntime> {
  const handlerCache = new Map<FunctionName, Promise<LambdaHandler>>();

  function loadHandler(fn: FunctionName): Promise<LambdaHandler> {
    const override = input.handlers?.[fn];
    if (override) return Promise.resolve(override);
    let p = handlerCache.get(fn);
    if (!p) {
      const file = join(repoRoot, 'functions', fn, 'handler.ts');
      p = import(pathToFileURL(file).href).then((m: { handler?: unknown; makeHandler?: unknown }) => {
        if (typeof m.makeHandler === 'function')
          return (m.makeHandler as (deps: Deps) => LambdaHandler)(input.deps);
        if (typeof m.handler !== 'function') throw new Error(`functions/${fn}/handler.ts exports no handler`);
        return m.handler as LambdaHandler;
      });
      // A module that is not there yet may land later: try again on the next call.
      p.catch(() => handlerCache.delete(fn));
      handlerCache.set(fn, p);
    }
    return p;
  }

  async function invoke(fn: FunctionName, event: unknown): Promise<unknown> {
    const handler = await loadHandler(fn);
    // Timeout and memory as the CDK stack gives them (infra/functions.ts); Lambda ends a run
    // that outlives its timeout with an error, and so does the local system.
    const spec: FunctionSpec | undefined = functionSpecs[fn];
    const timeoutMs = (spec?.timeoutSeconds ?? 10) * 1000;
    const context = buildLambdaContext(fn, input.region, timeoutMs, spec?.memorySize ?? 512);
    const result = await withTimeout(handler(event, context), timeoutMs);
    if (result === TIMED_OUT)
      throw new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
    return result;
  }

  // Load what is there now so that configuration errors show at start; missing ones load lazily.
  for (const fn of functionNames) {
    try {
      await loadHandler(fn);
    } catch (err) {
      input.log(
        `warning: functions/${fn}/handler.ts not loaded (${firstLine(err)}); will retry on first use`,
      );
    }
  }
  return { invoke };
}
