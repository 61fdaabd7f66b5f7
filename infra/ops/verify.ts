import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDeps, type Deps } from '#shared/app/deps';
import { configFromProcessEnv } from '#shared/config/config';
import { localDay } from '#shared/domain/time';
import {
  compareAggregates,
  compareRollups,
  type Difference,
  type RollupDifference,
  type StoredAggregate,
  type StoredRollup,
} from '#shared/domain/verify/compare';
import { formatDifferences, formatRollupDifferences, formatStranded } from '#shared/domain/verify/format';
import { countCallback, countSurvey, emptyExpected, type Problem } from '#shared/domain/verify/recompute';
import {
  type PhoneQueue,
  type QueuedSurvey,
  STALE_AFTER_MINUTES,
  type Stranded,
  strandedInQueues,
  strandedWork,
} from '#shared/domain/verify/stranded';
import { fromDailyAggregate, fromRollup } from '#shared/store/aggregate';
import type { CallbackCase } from '#shared/store/callback';
import { TABLE } from '#shared/store/client';
import { scannedKind, workItem } from '#shared/store/item-kind';
import type { PhoneState } from '#shared/store/phone-state';
import type { SurveyItem } from '#shared/store/survey';
import { scanTable } from './scan-table.ts';

/**
 * `npm run verify`: recomputes every per-engineer daily aggregate and monthly roll-up from the raw
 * records (surveys and callback cases) and prints each counter that differs from the stored
 * aggregate or roll-up, and every piece of accepted work left undone: a completion never planned,
 * anything in the due index for longer than --stale-after minutes, a survey queued on a phone
 * behind no open survey (or not in its phone's queue at all). Exits 1 when there is any
 * difference or stranded item, 0 with "0 differences" otherwise (2 when the table cannot be read;
 * a missing TABLE_NAME stops it at start-up like any function, naming the variable).
 *
 * An offline audit tool, not a request path: it reads the whole table with a parallel Scan
 * (consistent reads, infra/ops/scan-table.ts), streaming each page into the recompute (shared/domain/verify/), so memory stays
 * at one entry per engineer and day (and per engineer, team and month). A Scan is no snapshot:
 * run it on a quiet table, or run it again to confirm a difference seen while traffic was flowing.
 *
 * Reads TABLE_NAME and DYNAMODB_ENDPOINT like the app (shared/config/config.ts). Against `npm start`
 * (which prints its DynamoDB endpoint): DYNAMODB_ENDPOINT=http://127.0.0.1:PORT TABLE_NAME=feedback-local npm run verify
 *
 * Options: --all       compare every day and month, also those older than the retention (raw records
 *                      there may have expired by TTL while the aggregates stay, so differences are expected)
 *          --segments N parallel Scan segments (default 8)
 *          --stale-after M  minutes after which a completion not planned yet, or an item due and
 *                      not handled, counts as stranded (default 15; the scheduler runs every minute)
 *          --at ISO    "now" for the retention window and --stale-after (default: the clock)
 */

export interface VerifyOptions {
  /** Compare days older than the retention window too. */
  allDays?: boolean;
  /** Parallel Scan segments (default 8). */
  segments?: number;
  /** "Now" for the retention window (default: the clock, which the local system may pin). */
  at?: Date;
  /** Minutes after which undone accepted or due work counts as stranded (default 15). */
  staleAfterMinutes?: number;
}

export interface VerifyReport {
  /** Daily aggregates' differences first (by day), then the monthly roll-ups' (by month). */
  differences: (Difference | RollupDifference)[];
  problems: Problem[];
  /** First day compared (undefined = every day). */
  fromDay: string | undefined;
  surveys: number;
  callbacks: number;
  aggregates: number;
  /** Aggregate items older than fromDay, not compared. */
  skippedAggregates: number;
  rollups: number;
  /** Roll-ups of months that began before fromDay, not compared. */
  skippedRollups: number;
  /** Items of other types read and ignored. */
  otherItems: number;
  /** Accepted work not done in time: never planned, or due for longer than staleAfterMinutes. */
  stranded: Stranded[];
}

const DAY_MS = 86_400_000;

/**
 * The first day whose raw records cannot have expired yet: a survey of day D is written no
 * earlier than D's start (less the accepted clock skew) and expires `retention.days` after it is
 * written, so every day after localDay(now - retention + skew) is complete.
 */
export function firstCompleteDay(rules: Deps['rules'], at: Date): string {
  const edge = localDay(new Date(at.getTime() - rules.retention.days * DAY_MS + 60_000), rules.timeZone);
  return new Date(Date.parse(`${edge}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * Whether one scanned raw item is stranded at `at`: the store reads what the rule needs off the
 * item (shared/store/item-kind.ts `workItem`), the rule is the domain's (`strandedWork`).
 */
export function strandedItem(
  item: Record<string, unknown>,
  at: Date,
  staleAfterMs = STALE_AFTER_MINUTES * 60_000,
): Stranded | undefined {
  return strandedWork(workItem(item), at, staleAfterMs);
}

/** Roll-up items carry their counters under short names; the key gives the month. */
function storedRollup(item: Record<string, unknown>): StoredRollup {
  const { day, engineerName: _n, region: _r, ...rest } = fromRollup(item);
  return { ...rest, month: day.slice(0, 7) };
}

/** Recomputes every aggregate and compares; see the module comment. */
export async function auditTable(
  deps: Pick<Deps, 'rules' | 'clock'>,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const segments = opts.segments ?? 8;
  const expected = emptyExpected();
  const stored: StoredAggregate[] = [];
  const storedRollups: StoredRollup[] = [];
  const stranded: Stranded[] = [];
  const queued: QueuedSurvey[] = [];
  const phones: PhoneQueue[] = [];
  const at = opts.at ?? deps.clock.now();
  const staleMs = (opts.staleAfterMinutes ?? STALE_AFTER_MINUTES) * 60_000;
  let otherItems = 0;
  await scanTable(segments, (items) => {
    for (const item of items) {
      const late = strandedItem(item, at, staleMs);
      if (late) stranded.push(late);
      const kind = scannedKind(item);
      if (
        kind === 'survey' &&
        ['waiting', 'scheduled', 'sent', 'awaiting_reasons'].includes(String(item.status))
      ) {
        const { pk, sk, surveyId, phone, status, dueAt } = item as unknown as SurveyItem;
        queued.push({ pk, sk, surveyId, phone, status, ...(dueAt ? { dueAt } : {}) });
      } else if (kind === 'phone') {
        const { phone, openSurveyId, waiting } = item as unknown as PhoneState;
        phones.push({ phone, openSurveyId, waiting: waiting ?? [] });
      }
      if (kind === 'aggregate') stored.push(fromDailyAggregate(item));
      else if (kind === 'rollup') storedRollups.push(storedRollup(item));
      else if (kind === 'survey') countSurvey(expected, item as unknown as SurveyItem);
      else if (kind === 'callback') countCallback(expected, item as unknown as CallbackCase);
      else otherItems++;
    }
  });
  const fromDay = opts.allDays ? undefined : firstCompleteDay(deps.rules, at);
  const differences = [
    ...compareAggregates(expected, stored, fromDay ? { fromDay } : {}),
    ...compareRollups(expected, storedRollups, fromDay ? { fromDay } : {}),
  ];
  return {
    differences,
    problems: expected.problems.filter((p) => !fromDay || p.day >= fromDay),
    fromDay,
    surveys: expected.surveys,
    callbacks: expected.callbacks,
    aggregates: stored.length,
    skippedAggregates: fromDay ? stored.filter((a) => a.day < fromDay).length : 0,
    rollups: storedRollups.length,
    skippedRollups: fromDay ? storedRollups.filter((r) => `${r.month}-01` < fromDay).length : 0,
    otherItems,
    stranded: [...stranded, ...strandedInQueues(queued, phones)].sort(
      (a, b) => a.since.localeCompare(b.since) || a.pk.localeCompare(b.pk),
    ),
  };
}

/** The differences between the stored aggregates and roll-ups and the recompute (empty when they agree). */
export async function verifyTable(
  deps: Pick<Deps, 'rules' | 'clock'>,
  opts: VerifyOptions = {},
): Promise<(Difference | RollupDifference)[]> {
  return (await auditTable(deps, opts)).differences;
}

function parseArgs(argv: string[]): VerifyOptions {
  const opts: VerifyOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--all') opts.allDays = true;
    else if (a === '--segments') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 1000000)
        throw new Error('--segments takes a whole number >= 1');
      opts.segments = n;
    } else if (a === '--stale-after') {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error('--stale-after takes a number of minutes >= 0');
      opts.staleAfterMinutes = n;
    } else if (a === '--at') {
      const v = argv[++i] ?? '';
      const d = new Date(v);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(d.getTime()))
        throw new Error('--at takes an ISO 8601 date-time (e.g. 2026-11-20T02:00:00Z)');
      opts.at = d;
    } else
      throw new Error(`unknown option ${a} (options: --all, --segments N, --stale-after MINUTES, --at ISO)`);
  }
  return opts;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const deps = buildDeps(configFromProcessEnv());
  const started = Date.now();
  const r = await auditTable(deps, opts);
  const where = deps.config.DYNAMODB_ENDPOINT ? ` at ${deps.config.DYNAMODB_ENDPOINT}` : '';
  console.log(
    `table ${TABLE}${where}: ${r.surveys} surveys, ${r.callbacks} callback cases, ${r.aggregates} aggregate items, ` +
      `${r.rollups} monthly roll-ups ` +
      `(${r.otherItems} other items) read in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(
    r.fromDay
      ? `compared days from ${r.fromDay} and the months that begin then or later (older raw records may have expired by TTL; ` +
          `${r.skippedAggregates} older aggregate items and ${r.skippedRollups} older roll-ups not compared; --all compares them too)`
      : 'compared every day and month',
  );
  if (r.problems.length) {
    const byMessage = new Map<string, number>();
    for (const p of r.problems) byMessage.set(p.message, (byMessage.get(p.message) ?? 0) + 1);
    console.log('not checkable (the raw records do not say):');
    for (const [m, n] of byMessage) console.log(`  ${n} x ${m}`);
  }
  const stale = opts.staleAfterMinutes ?? STALE_AFTER_MINUTES;
  if (r.stranded.length) {
    console.log(
      `${r.stranded.length} stranded item${r.stranded.length === 1 ? '' : 's'} (accepted work left undone; ` +
        `never planned or not handled for more than ${stale} minutes, or queued behind nobody):`,
    );
    console.log(formatStranded(r.stranded));
  } else console.log('0 stranded items');
  if (r.differences.length === 0) {
    console.log('0 differences');
    return r.stranded.length ? 1 : 0;
  }
  console.log(`${r.differences.length} difference${r.differences.length === 1 ? '' : 's'}:`);
  const daily = r.differences.filter((d): d is Difference => 'day' in d);
  const monthly = r.differences.filter((d): d is RollupDifference => 'month' in d);
  if (daily.length) console.log(formatDifferences(daily));
  if (daily.length && monthly.length) console.log('');
  if (monthly.length) console.log(`monthly roll-ups:\n${formatRollupDifferences(monthly)}`);
  return 1;
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
