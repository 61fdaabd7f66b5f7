import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDeps } from '#shared/app/deps';
import { configFromProcessEnv } from '#shared/config/config';
import { allListBackfillItem, type CallbackCase, lacksAllListEntry } from '#shared/store/callback';
import { TABLE } from '#shared/store/client';
import { allTextsBackfillItem, type CustomerTextItem, lacksAllTextsEntry } from '#shared/store/customer-text';
import { type TxItem, transactIf } from '#shared/store/tx';
import { scanTable } from './scan-table.ts';

/**
 * `npm run backfill-lists`: gives the items written before the admins' lists existed (gsi4,
 * shared/store/table.ts) their entry there, so `GET /v1/callbacks` and `GET /v1/messages` without
 * team or region list them too: every callback case and every customer's text without `gsi4pk`.
 * A case gets the entry of the status it was read in, conditional on that status and on the entry
 * still missing (a case whose status changed meanwhile was given its entry by that change). Safe
 * to run again, and while traffic flows; cases also get their entry on their next status change.
 *
 * Operations tooling, not a request path: it reads the whole table with a parallel Scan
 * (infra/ops/scan-table.ts) and writes only what lacks the entry. Reads TABLE_NAME and
 * DYNAMODB_ENDPOINT like the app. Options: --segments N (parallel Scan segments, default 8).
 */

export interface BackfillReport {
  /** Cases given their entry. */
  cases: number;
  /** Texts given their entry. */
  texts: number;
  /** Items that changed (or went) between the Scan and the write: they need nothing more. */
  skipped: number;
}

/** Runs fn over items with at most n in flight. */
async function eachLimit<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i] as T);
    }),
  );
}

export async function backfillLists(opts: { segments?: number } = {}): Promise<BackfillReport> {
  const writes: { kind: 'cases' | 'texts'; item: TxItem }[] = [];
  await scanTable(opts.segments ?? 8, (items) => {
    for (const raw of items) {
      if (lacksAllListEntry(raw)) {
        const { caseId, status, openedAt } = raw as unknown as CallbackCase;
        writes.push({ kind: 'cases', item: allListBackfillItem({ caseId, status, openedAt }) });
      } else if (lacksAllTextsEntry(raw)) {
        const { textId, receivedAt } = raw as unknown as CustomerTextItem;
        writes.push({ kind: 'texts', item: allTextsBackfillItem({ textId, receivedAt }) });
      }
    }
  });
  const report: BackfillReport = { cases: 0, texts: 0, skipped: 0 };
  await eachLimit(writes, 8, async ({ kind, item }) => {
    if (await transactIf([item])) report[kind]++;
    else report.skipped++;
  });
  return report;
}

function parseArgs(argv: string[]): { segments?: number } {
  const opts: { segments?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--segments') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 1000000)
        throw new Error('--segments takes a whole number >= 1');
      opts.segments = n;
    } else throw new Error(`unknown option ${a} (options: --segments N)`);
  }
  return opts;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const { config } = buildDeps(configFromProcessEnv());
  const r = await backfillLists(opts);
  const where = config.DYNAMODB_ENDPOINT ? ` at ${config.DYNAMODB_ENDPOINT}` : '';
  console.log(
    `table ${TABLE}${where}: ${r.cases} callback cases and ${r.texts} texts given their entry in the admins' lists ` +
      `(${r.skipped} changed meanwhile, nothing to do)`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 2;
    },
  );
}
