import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * The zod of this code base: Zod Mini, with zod's own English messages.
 *
 * Zod Mini has the same parser and issues as classic zod, with checks and modifiers as functions
 * (`z.optional(s)`, `s.check(z.maxLength(n))`) instead of methods. Classic zod builds its method-laden
 * classes when it is imported: some 6 ms of every cold start on Node.js 22, against almost nothing
 * for Zod Mini (issue 14, goal 3; BENCHMARKS.md, cold start). Zod Mini loads no locale, so issues
 * would all read "Invalid input": the English locale classic zod sets is set here, once.
 *
 * Unlike classic zod, Zod Mini installs no memoizer (support for cyclic input data): what we parse comes
 * from JSON.parse, query strings and the environment, which cannot be cyclic, so none is set.
 *
 * Import it as `import * as z from '#shared/runtime/zod'`, never `zod` itself (biome.json says so).
 */
config(en());

export * from 'zod/mini';
