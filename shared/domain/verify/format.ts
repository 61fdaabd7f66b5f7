import type { Difference, RollupDifference } from '#shared/domain/verify/compare';
import type { Stranded } from '#shared/domain/verify/stranded';

/** The audit's findings as plain-text tables, for the console (`npm run verify`). */

/** Rows as a plain-text table: the last `numeric` columns right-aligned. */
function textTable(rows: string[][], numeric: number): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const firstNumeric = widths.length - numeric;
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i >= firstNumeric ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(rows[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join(
    '\n',
  );
}

const signed = (d: { stored: number; expected: number }) =>
  (d.stored - d.expected > 0 ? '+' : '') + String(d.stored - d.expected);

/** The differences as a plain-text table (for the console). */
export function formatDifferences(diffs: Difference[]): string {
  return textTable(
    [
      ['day', 'engineerId', 'counter', 'stored', 'expected', 'stored-expected'],
      ...diffs.map((d) => [d.day, d.engineerId, d.counter, String(d.stored), String(d.expected), signed(d)]),
    ],
    3,
  );
}

/** The roll-up differences as a plain-text table (for the console). */
export function formatRollupDifferences(diffs: RollupDifference[]): string {
  return textTable(
    [
      ['month', 'team', 'engineerId', 'counter', 'stored', 'expected', 'stored-expected'],
      ...diffs.map((d) => [
        d.month,
        d.team,
        d.engineerId,
        d.counter,
        String(d.stored),
        String(d.expected),
        signed(d),
      ]),
    ],
    3,
  );
}

/** The stranded items as a plain-text table (for the console). */
export function formatStranded(items: Stranded[]): string {
  return textTable(
    [['since', 'type', 'pk', 'what'], ...items.map((s) => [s.since, s.type, s.pk, s.message])],
    0,
  );
}
