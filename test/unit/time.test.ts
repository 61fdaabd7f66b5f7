import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/domain/errors';
import {
  isQuietTime,
  localDay,
  localMonth,
  nextAllowedTime,
  parsePeriod,
  rangePeriod,
} from '#shared/domain/time';

const SH = 'Asia/Shanghai';
const QUIET = { start: '21:00', end: '08:00' };

/** The ValidationError issues a call throws (fails the test when it does not throw one). */
function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

/** Beijing has had no DST since 1991: an independent oracle for its local wall clock. */
const beijingMinutes = (d: Date) => ((d.getUTCHours() + 8) % 24) * 60 + d.getUTCMinutes();

// An instant range where Date arithmetic is safe and Asia/Shanghai is fixed at +08:00.
const instant = fc.date({
  min: new Date('1995-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});

describe('localDay / localMonth', () => {
  it.each([
    ['2026-11-30T16:30:00Z', SH, '2026-12-01', '2026-12'],
    ['2026-11-30T15:59:59Z', SH, '2026-11-30', '2026-11'],
    ['2026-11-30T16:00:00Z', SH, '2026-12-01', '2026-12'],
    ['2026-11-30T16:30:00Z', 'UTC', '2026-11-30', '2026-11'],
    ['2026-12-31T16:00:00Z', SH, '2027-01-01', '2027-01'],
    ['2026-03-08T04:59:00Z', 'America/New_York', '2026-03-07', '2026-03'],
  ])('%s in %s is %s (%s)', (iso, tz, day, month) => {
    expect(localDay(new Date(iso), tz)).toBe(day);
    expect(localMonth(new Date(iso), tz)).toBe(month);
  });

  it('rejects an unknown time zone', () => {
    expect(() => localDay(new Date(), 'Mars/Olympus')).toThrow(/time zone/);
  });
});

describe('parsePeriod', () => {
  it('a month', () => {
    const p = parsePeriod('2026-11', SH);
    expect(p.id).toBe('2026-11');
    expect(p.from).toBe('2026-11-01T00:00:00+08:00');
    expect(p.to).toBe('2026-12-01T00:00:00+08:00');
    expect(p.days).toHaveLength(30);
    expect(p.days[0]).toBe('2026-11-01');
    expect(p.days.at(-1)).toBe('2026-11-30');
  });

  it('February of a leap year and December', () => {
    expect(parsePeriod('2024-02', SH).days).toHaveLength(29);
    expect(parsePeriod('2026-02', SH).days).toHaveLength(28);
    expect(parsePeriod('2026-12', SH).to).toBe('2027-01-01T00:00:00+08:00');
  });

  it.each([
    ['2026-W47', '2026-11-16T00:00:00+08:00', '2026-11-23T00:00:00+08:00', '2026-11-16', '2026-11-22'],
    ['2026-W01', '2025-12-29T00:00:00+08:00', '2026-01-05T00:00:00+08:00', '2025-12-29', '2026-01-04'],
    ['2026-W53', '2026-12-28T00:00:00+08:00', '2027-01-04T00:00:00+08:00', '2026-12-28', '2027-01-03'],
    ['2020-W53', '2020-12-28T00:00:00+08:00', '2021-01-04T00:00:00+08:00', '2020-12-28', '2021-01-03'],
    ['2021-W01', '2021-01-04T00:00:00+08:00', '2021-01-11T00:00:00+08:00', '2021-01-04', '2021-01-10'],
    ['2027-W01', '2027-01-04T00:00:00+08:00', '2027-01-11T00:00:00+08:00', '2027-01-04', '2027-01-10'],
  ])('ISO week %s runs from %s to %s', (id, from, to, first, last) => {
    const p = parsePeriod(id, SH);
    expect(p).toMatchObject({ id, from, to });
    expect(p.days).toHaveLength(7);
    expect(p.days[0]).toBe(first);
    expect(p.days[6]).toBe(last);
  });

  it('a day', () => {
    expect(parsePeriod('2026-11-21', SH)).toEqual({
      id: '2026-11-21',
      from: '2026-11-21T00:00:00+08:00',
      to: '2026-11-22T00:00:00+08:00',
      days: ['2026-11-21'],
    });
    expect(parsePeriod('2024-02-29', SH).days).toEqual(['2024-02-29']);
  });

  it('uses the offsets of a zone with daylight saving time', () => {
    expect(parsePeriod('2026-03', 'America/New_York')).toMatchObject({
      from: '2026-03-01T00:00:00-05:00',
      to: '2026-04-01T00:00:00-04:00',
    });
    const dstDay = parsePeriod('2026-03-08', 'America/New_York');
    expect(dstDay).toMatchObject({ from: '2026-03-08T00:00:00-05:00', to: '2026-03-09T00:00:00-04:00' });
    expect(dstDay.days).toEqual(['2026-03-08']);
    expect(parsePeriod('2026-11', 'UTC').from).toBe('2026-11-01T00:00:00+00:00');
    expect(parsePeriod('2026-11-21', 'Asia/Kolkata').from).toBe('2026-11-21T00:00:00+05:30');
    expect(parsePeriod('2026-11-21', 'America/St_Johns').from).toBe('2026-11-21T00:00:00-03:30');
  });

  it.each([
    '2026-13',
    '2026-00',
    '2026-1',
    '2026-02-30',
    '2026-02-29',
    '2026-04-31',
    '2026-11-00',
    '2026-W54',
    '2026-W00',
    '2021-W53',
    '2027-W53',
    '2026-W5',
    '2026W47',
    '2026-w47',
    ' 2026-11',
    '2026-11-21T00:00',
    '0999-01',
    'november',
    '',
  ])('%j is a ValidationError on field period', (p) => {
    const issues = issuesOf(() => parsePeriod(p, SH));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe('period');
    expect(issues[0]?.message).not.toBe('');
  });

  it('rejects an unknown time zone', () => {
    expect(() => parsePeriod('2026-11', 'Nowhere/City')).toThrow(RangeError);
  });

  it('an instant always lies in the month, week and day periods of its own local date', () => {
    fc.assert(
      fc.property(instant, (d) => {
        const day = localDay(d, SH);
        const periods = [parsePeriod(localMonth(d, SH), SH), parsePeriod(day, SH)];
        for (const p of periods) {
          expect(p.days).toContain(day);
          expect(Date.parse(p.from)).toBeLessThanOrEqual(d.getTime());
          expect(d.getTime()).toBeLessThan(Date.parse(p.to));
        }
      }),
    );
  });

  it('consecutive ISO weeks tile the calendar: every week is 7 days and starts where the last ended', () => {
    fc.assert(
      fc
        .property(fc.integer({ min: 1995, max: 2099 }), (year) => {
          // A year has 53 ISO weeks when 1 January is a Thursday, or a Wednesday in a leap year.
          const jan1 = new Date(Date.UTC(year, 0, 1)).getUTCDay();
          const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
          const weeks = jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
          if (weeks === 52) expect(() => parsePeriod(`${year}-W53`, SH)).toThrow(ValidationError);
          let prev = parsePeriod(`${year}-W01`, SH);
          expect(new Date(prev.from).getUTCDay()).toBe(0); // Monday 00:00 +08:00 is Sunday 16:00Z
          for (let w = 2; w <= weeks; w++) {
            const cur = parsePeriod(`${year}-W${String(w).padStart(2, '0')}`, SH);
            expect(cur.from).toBe(prev.to);
            expect(cur.days).toHaveLength(7);
            prev = cur;
          }
          expect(prev.to).toBe(parsePeriod(`${year + 1}-W01`, SH).from);
        })
        .beforeEach(() => {}),
      { numRuns: 20 },
    );
  });
});

describe('rangePeriod', () => {
  it('inclusive local dates', () => {
    const p = rangePeriod('2026-11-01', '2026-11-15', SH);
    expect(p.id).toBe('2026-11-01..2026-11-15');
    expect(p.from).toBe('2026-11-01T00:00:00+08:00');
    expect(p.to).toBe('2026-11-16T00:00:00+08:00');
    expect(p.days).toHaveLength(15);
    expect(p.days.at(-1)).toBe('2026-11-15');
  });

  it('a single day and a range across the year end', () => {
    expect(rangePeriod('2026-11-21', '2026-11-21', SH).days).toEqual(['2026-11-21']);
    expect(rangePeriod('2026-12-30', '2027-01-02', SH).days).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
  });

  it('allows 366 days and no more', () => {
    expect(rangePeriod('2024-01-01', '2024-12-31', SH).days).toHaveLength(366);
    expect(issuesOf(() => rangePeriod('2024-01-01', '2025-01-01', SH))).toEqual([
      { field: 'to', message: expect.stringContaining('366') },
    ]);
    expect(issuesOf(() => rangePeriod('1000-01-01', '9999-12-31', SH))[0]?.field).toBe('to');
  });

  it('names the field that is wrong', () => {
    expect(issuesOf(() => rangePeriod('2026-02-30', '2026-03-01', SH)).map((i) => i.field)).toEqual(['from']);
    expect(issuesOf(() => rangePeriod('2026-03-01', '2026-13-01', SH)).map((i) => i.field)).toEqual(['to']);
    expect(issuesOf(() => rangePeriod('x', 'y', SH)).map((i) => i.field)).toEqual(['from', 'to']);
    expect(issuesOf(() => rangePeriod('2026-11-15', '2026-11-14', SH)).map((i) => i.field)).toEqual(['to']);
  });

  it('uses the caller-given field names', () => {
    expect(issuesOf(() => rangePeriod('2026-11-15', '2026-11-01', SH, ['since', 'until']))).toEqual([
      { field: 'until', message: expect.any(String) },
    ]);
    expect(issuesOf(() => rangePeriod('bad', '2026-11-01', SH, ['since', 'until']))[0]?.field).toBe('since');
  });

  it('days are consecutive and the count matches the span', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 365 }), (d, span) => {
        const from = localDay(d, SH);
        const to = localDay(new Date(d.getTime() + span * 86_400_000), SH);
        const p = rangePeriod(from, to, SH);
        expect(p.days).toHaveLength(span + 1);
        expect(p.days[0]).toBe(from);
        expect(p.days.at(-1)).toBe(to);
        expect(Date.parse(p.to) - Date.parse(p.from)).toBe((span + 1) * 86_400_000);
      }),
    );
  });
});

describe('quiet hours', () => {
  // Times are Beijing wall clock on 21-22 November 2026 (UTC+8).
  const bj = (local: string) => new Date(`${local}+08:00`);

  it.each([
    ['2026-11-21T20:59:59', false],
    ['2026-11-21T21:00:00', true],
    ['2026-11-21T23:00:00', true],
    ['2026-11-22T00:00:00', true],
    ['2026-11-22T03:00:00', true],
    ['2026-11-22T07:59:00', true],
    ['2026-11-22T07:59:59', true],
    ['2026-11-22T08:00:00', false],
    ['2026-11-22T12:00:00', false],
  ])('21:00-08:00: %s quiet=%s', (local, quiet) => {
    expect(isQuietTime(bj(local), QUIET, SH)).toBe(quiet);
  });

  it.each([
    ['2026-11-21T11:59:59', false],
    ['2026-11-21T12:00:00', true],
    ['2026-11-21T13:29:59', true],
    ['2026-11-21T13:30:00', false],
    ['2026-11-21T23:00:00', false],
  ])('non-wrapping 12:00-13:30: %s quiet=%s', (local, quiet) => {
    expect(isQuietTime(bj(local), { start: '12:00', end: '13:30' }, SH)).toBe(quiet);
  });

  it('uses the given time zone', () => {
    // 13:00Z is 21:00 in Beijing but 13:00 in UTC.
    const d = new Date('2026-11-21T13:00:00Z');
    expect(isQuietTime(d, QUIET, SH)).toBe(true);
    expect(isQuietTime(d, QUIET, 'UTC')).toBe(false);
  });

  it('an empty window (start = end) is never quiet; a malformed time throws', () => {
    expect(isQuietTime(bj('2026-11-21T21:00:00'), { start: '21:00', end: '21:00' }, SH)).toBe(false);
    expect(() => isQuietTime(new Date(), { start: '9pm', end: '08:00' }, SH)).toThrow(/HH:MM/);
    expect(() => isQuietTime(new Date(), { start: '21:00', end: '24:00' }, SH)).toThrow(/HH:MM/);
  });

  it('agrees with the Beijing wall clock for any instant', () => {
    fc.assert(
      fc.property(instant, (d) => {
        const m = beijingMinutes(d);
        expect(isQuietTime(d, QUIET, SH)).toBe(m >= 21 * 60 || m < 8 * 60);
        expect(isQuietTime(d, { start: '12:00', end: '13:30' }, SH)).toBe(m >= 12 * 60 && m < 13 * 60 + 30);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['2026-11-21T23:00:00', '2026-11-22T08:00:00'],
    ['2026-11-21T21:00:00', '2026-11-22T08:00:00'],
    ['2026-11-22T03:00:00', '2026-11-22T08:00:00'],
    ['2026-11-22T07:59:59', '2026-11-22T08:00:00'],
    ['2026-11-30T22:00:00', '2026-12-01T08:00:00'],
    ['2026-12-31T21:30:00', '2027-01-01T08:00:00'],
  ])('nextAllowedTime(%s) = %s', (local, expected) => {
    expect(nextAllowedTime(bj(local), QUIET, SH).toISOString()).toBe(bj(expected).toISOString());
  });

  it('nextAllowedTime returns the instant itself outside the window', () => {
    const d = bj('2026-11-21T10:00:00');
    expect(nextAllowedTime(d, QUIET, SH)).toBe(d);
    const edge = bj('2026-11-22T08:00:00');
    expect(nextAllowedTime(edge, QUIET, SH)).toBe(edge);
  });

  it('nextAllowedTime in a non-wrapping window is its end the same day', () => {
    expect(
      nextAllowedTime(bj('2026-11-21T12:15:00'), { start: '12:00', end: '13:30' }, SH).toISOString(),
    ).toBe(bj('2026-11-21T13:30:00').toISOString());
  });

  it('nextAllowedTime is never quiet, never earlier, and at most one window later', () => {
    fc.assert(
      fc.property(instant, (d) => {
        const next = nextAllowedTime(d, QUIET, SH);
        expect(isQuietTime(next, QUIET, SH)).toBe(false);
        expect(next.getTime()).toBeGreaterThanOrEqual(d.getTime());
        expect(next.getTime() - d.getTime()).toBeLessThanOrEqual(11 * 3_600_000);
        if (next.getTime() !== d.getTime()) expect(beijingMinutes(next)).toBe(8 * 60);
      }),
      { numRuns: 500 },
    );
  });
});
