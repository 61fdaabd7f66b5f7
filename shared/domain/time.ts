import { TZDate } from '@date-fns/tz';
import {
  addDays,
  addMonths,
  addWeeks,
  differenceInCalendarDays,
  getISOWeeksInYear,
  lightFormat,
  startOfISOWeek,
} from 'date-fns';
import { ValidationError } from '#shared/domain/errors';

/**
 * Calendar periods and quiet hours in an IANA time zone (docs/domain.md section 5: periods are
 * calendar periods in Asia/Shanghai by default; a ticket completed at 00:30 on 1 December
 * Beijing time belongs to December). Pure functions, no clock.
 */

export interface Period {
  /** `2026-11`, `2026-W47`, `2026-11-21` or `2026-11-01..2026-11-15`. */
  id: string;
  /** Local start of the period, ISO-8601 with the zone's offset: `2026-11-01T00:00:00+08:00`. */
  from: string;
  /** Local start of the next period (exclusive), same format. */
  to: string;
  /** Every local date `YYYY-MM-DD` in the period, in order. */
  days: string[];
}

export interface QuietHours {
  /** `HH:MM` local, inclusive. */
  start: string;
  /** `HH:MM` local, exclusive. A window with start > end wraps midnight (21:00-08:00). */
  end: string;
}

const MAX_RANGE_DAYS = 366;
const validZones = new Set<string>();

function zone(tz: string): string {
  if (validZones.has(tz)) return tz;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new RangeError(`Unknown time zone: ${tz}`);
  }
  validZones.add(tz);
  return tz;
}

/**
 * `+08:00`: the offset of a date in its zone (a TZDate's getTimezoneOffset is its zone's). Written
 * out rather than through date-fns' `format`, whose locale tables every bundle would load for it.
 */
function offsetOf(d: Date): string {
  const east = -d.getTimezoneOffset();
  const abs = Math.abs(east);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${east < 0 ? '-' : '+'}${hh}:${mm}`;
}

const isoWithOffset = (d: Date) => `${lightFormat(d, "yyyy-MM-dd'T'HH:mm:ss")}${offsetOf(d)}`;
const ymd = (d: Date) => lightFormat(d, 'yyyy-MM-dd');

/** 'YYYY-MM-DD' of the instant in the zone. */
export function localDay(date: Date, tz: string): string {
  return ymd(new TZDate(date, zone(tz)));
}

/** 'YYYY-MM' of the instant in the zone. */
export function localMonth(date: Date, tz: string): string {
  return lightFormat(new TZDate(date, zone(tz)), 'yyyy-MM');
}

function buildPeriod(id: string, startDate: Date, nextDate: Date, tz: string): Period {
  const start = new TZDate(startDate, tz);
  const next = new TZDate(nextDate, tz);
  const days: string[] = [];
  for (let d = start; d.getTime() < next.getTime(); d = addDays(d, 1)) days.push(ymd(d));
  return { id, from: isoWithOffset(start), to: isoWithOffset(next), days };
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError([{ field, message }]);
}

const MIN_YEAR = 1000;

/** Local midnight of a strict 'YYYY-MM-DD' date, or a message saying what is wrong. */
function parseDay(s: string, tz: string): TZDate | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return 'expected a date YYYY-MM-DD';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR) return `year must be ${MIN_YEAR} or later`;
  if (mo < 1 || mo > 12) return `month ${m[2]} does not exist`;
  const start = new TZDate(y, mo - 1, d, tz);
  if (d < 1 || start.getFullYear() !== y || start.getMonth() !== mo - 1 || start.getDate() !== d) {
    return `${s} is not a calendar date`;
  }
  return start;
}

/**
 * A calendar period: month `2026-11`, ISO week `2026-W47` (Monday start, ISO week-numbering
 * year) or day `2026-11-21`. Throws ValidationError on field `period` when it is not one.
 */
export function parsePeriod(p: string, tz: string): Period {
  zone(tz);
  const month = /^(\d{4})-(\d{2})$/.exec(p);
  if (month) {
    const [y, mo] = [Number(month[1]), Number(month[2])];
    if (y < MIN_YEAR) throw invalid('period', `year must be ${MIN_YEAR} or later`);
    if (mo < 1 || mo > 12) throw invalid('period', `month ${month[2]} does not exist`);
    const start = new TZDate(y, mo - 1, 1, tz);
    return buildPeriod(p, start, addMonths(start, 1), tz);
  }
  const week = /^(\d{4})-W(\d{2})$/.exec(p);
  if (week) {
    const [y, w] = [Number(week[1]), Number(week[2])];
    if (y < MIN_YEAR) throw invalid('period', `year must be ${MIN_YEAR} or later`);
    // 4 January is always in ISO week 1 of its year.
    const jan4 = new TZDate(y, 0, 4, tz);
    const weeks = getISOWeeksInYear(jan4);
    if (w < 1 || w > weeks) throw invalid('period', `week ${week[2]} does not exist in ${y} (1-${weeks})`);
    const start = new TZDate(addWeeks(startOfISOWeek(jan4), w - 1), tz);
    return buildPeriod(p, start, addWeeks(start, 1), tz);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(p)) {
    const start = parseDay(p, tz);
    if (typeof start === 'string') throw invalid('period', start);
    return buildPeriod(p, start, addDays(start, 1), tz);
  }
  throw invalid('period', 'expected a month YYYY-MM, an ISO week YYYY-Www or a day YYYY-MM-DD');
}

/**
 * The local dates `from`..`to`, both inclusive ('YYYY-MM-DD'), at most 366 days.
 * Errors name `field[0]` (from) or `field[1]` (to); `to` before `from` is an error on `to`.
 */
export function rangePeriod(
  from: string,
  to: string,
  tz: string,
  field: readonly [string, string] = ['from', 'to'],
): Period {
  zone(tz);
  const [fromField, toField] = field;
  const start = parseDay(from, tz);
  const end = parseDay(to, tz);
  const issues = [
    ...(typeof start === 'string' ? [{ field: fromField, message: start }] : []),
    ...(typeof end === 'string' ? [{ field: toField, message: end }] : []),
  ];
  if (issues.length > 0 || typeof start === 'string' || typeof end === 'string') {
    throw new ValidationError(issues);
  }
  if (end.getTime() < start.getTime()) throw invalid(toField, `must not be before ${fromField} (${from})`);
  if (differenceInCalendarDays(end, start) + 1 > MAX_RANGE_DAYS) {
    throw invalid(toField, `a range covers at most ${MAX_RANGE_DAYS} days`);
  }
  return buildPeriod(`${from}..${to}`, start, addDays(end, 1), tz);
}

/** Minutes after local midnight of `HH:MM`; throws on anything else. */
function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`Invalid time of day (expected HH:MM): ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Whether the instant falls inside the local quiet window: start inclusive, end exclusive.
 * 21:00-08:00 wraps midnight; 12:00-13:30 does not; start === end is an empty window.
 */
export function isQuietTime(date: Date, quiet: QuietHours, tz: string): boolean {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const local = new TZDate(date, zone(tz));
  const now = local.getHours() * 60 + local.getMinutes();
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The instant itself when it is not quiet; otherwise the end of the quiet window it is in. */
export function nextAllowedTime(date: Date, quiet: QuietHours, tz: string): Date {
  if (!isQuietTime(date, quiet, tz)) return date;
  const end = minutesOf(quiet.end);
  const local = new TZDate(date, zone(tz));
  const now = local.getHours() * 60 + local.getMinutes();
  // In a wrapping window, the part before midnight ends tomorrow; otherwise the end is today.
  const dayOffset = now >= end ? 1 : 0;
  const at = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() + dayOffset,
    Math.floor(end / 60),
    end % 60,
    tz,
  );
  return new Date(at.getTime());
}
