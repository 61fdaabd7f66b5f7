import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quietSendTime, spreadFraction } from '#shared/domain/quiet-spread';
import { parseRules } from '#shared/domain/rules';
import { isQuietTime, nextAllowedTime } from '#shared/domain/time';

const SH = 'Asia/Shanghai';
const QUIET = { start: '21:00', end: '08:00', spreadMinutes: 60 };
const HOUR = 3_600_000;
/** Beijing wall clock (UTC+8, no DST since 1991). */
const bj = (local: string) => new Date(`${local}+08:00`);
const ms = (iso: string) => Date.parse(iso);

describe('quietSendTime: texts held over the quiet hours, spread by id', () => {
  it('leaves a time outside the quiet hours as it is (08:00:00 exactly, 20:59:59)', () => {
    for (const local of ['2026-11-22T08:00:00', '2026-11-21T20:59:59', '2026-11-21T12:00:00']) {
      const d = bj(local);
      expect(quietSendTime(d, 'S1', QUIET, SH)).toBe(d);
    }
  });

  it('a text due exactly at the start (21:00) goes the next morning in [08:00, 09:00)', () => {
    const t = quietSendTime(bj('2026-11-21T21:00:00'), 'S1', QUIET, SH).getTime();
    expect(t).toBeGreaterThanOrEqual(bj('2026-11-22T08:00:00').getTime());
    expect(t).toBeLessThan(bj('2026-11-22T09:00:00').getTime());
  });

  it('the same id gets the same time wherever in the night it is computed, one day later a night later', () => {
    const times = [
      '2026-11-21T21:00:00',
      '2026-11-21T23:59:59',
      '2026-11-22T03:00:00',
      '2026-11-22T07:59:59',
    ].map((local) => quietSendTime(bj(local), 'survey-42', QUIET, SH).getTime());
    expect(new Set(times).size).toBe(1);
    const next = quietSendTime(bj('2026-11-22T22:00:00'), 'survey-42', QUIET, SH).getTime();
    expect(next - (times[0] as number)).toBe(24 * HOUR);
  });

  it('spreadMinutes 0 is the end of the quiet hours itself (nextAllowedTime)', () => {
    const none = { ...QUIET, spreadMinutes: 0 };
    for (const id of ['a', 'b', 'c']) {
      expect(quietSendTime(bj('2026-11-21T23:00:00'), id, none, SH)).toEqual(bj('2026-11-22T08:00:00'));
    }
  });

  it('offsets are whole seconds from 0 up to the window minus one second, never quiet', () => {
    const night = bj('2026-11-21T23:00:00');
    const end = bj('2026-11-22T08:00:00').getTime();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 780 }),
        (id, minutes) => {
          const t = quietSendTime(night, id, { ...QUIET, spreadMinutes: minutes }, SH);
          const offset = t.getTime() - end;
          expect(offset % 1000).toBe(0);
          expect(offset).toBeGreaterThanOrEqual(0);
          expect(offset).toBeLessThanOrEqual(minutes * 60_000 - 1000);
          expect(isQuietTime(t, QUIET, SH)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
    // Over many ids both ends of the window are reached (within a minute of them).
    const offsets = Array.from(
      { length: 2000 },
      (_, i) => quietSendTime(night, `S-${i}`, QUIET, SH).getTime() - end,
    );
    expect(Math.min(...offsets)).toBeLessThan(60_000);
    expect(Math.max(...offsets)).toBeGreaterThan(59 * 60_000);
    expect(Math.max(...offsets)).toBeLessThan(60 * 60_000);
  });

  it('spreads sequential and random ids evenly: each tenth of the window gets 7-13 % of 2,000 ids', () => {
    for (const idOf of [
      (i: number) => `T-${i}`,
      (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    ]) {
      const tenths = new Array<number>(10).fill(0);
      for (let i = 0; i < 2000; i++) {
        const f = spreadFraction(idOf(i));
        expect(f).toBeGreaterThanOrEqual(0);
        expect(f).toBeLessThan(1);
        tenths[Math.floor(f * 10)] = (tenths[Math.floor(f * 10)] as number) + 1;
      }
      for (const n of tenths) {
        expect(n).toBeGreaterThanOrEqual(140);
        expect(n).toBeLessThanOrEqual(260);
      }
    }
  });

  it('clips the window to the allowed hours: a spread longer than the day still ends before 21:00', () => {
    const long = { ...QUIET, spreadMinutes: 2000 };
    const end = bj('2026-11-22T08:00:00').getTime();
    const times = Array.from({ length: 500 }, (_, i) =>
      quietSendTime(bj('2026-11-22T02:00:00'), `S-${i}`, long, SH),
    );
    for (const t of times) {
      expect(t.getTime()).toBeGreaterThanOrEqual(end);
      expect(t.getTime()).toBeLessThan(bj('2026-11-22T21:00:00').getTime());
      expect(isQuietTime(t, QUIET, SH)).toBe(false);
    }
    expect(Math.max(...times.map((t) => t.getTime())) - end).toBeGreaterThan(12 * HOUR);
  });

  it('a non-wrapping window (12:00-13:30) spreads from 13:30', () => {
    const lunch = { start: '12:00', end: '13:30', spreadMinutes: 30 };
    const t = quietSendTime(bj('2026-11-21T12:10:00'), 'S1', lunch, SH).getTime();
    expect(t).toBeGreaterThanOrEqual(bj('2026-11-21T13:30:00').getTime());
    expect(t).toBeLessThan(bj('2026-11-21T14:00:00').getTime());
  });

  it('uses the given time zone: 08:00 UTC in UTC', () => {
    const t = quietSendTime(new Date('2026-11-21T23:00:00Z'), 'S1', QUIET, 'UTC').getTime();
    expect(t).toBeGreaterThanOrEqual(ms('2026-11-22T08:00:00Z'));
    expect(t).toBeLessThan(ms('2026-11-22T09:00:00Z'));
    // The same instant is 07:00 in Beijing: quiet there too, but it ends at 08:00 Beijing (00:00Z).
    const sh = quietSendTime(new Date('2026-11-21T23:00:00Z'), 'S1', QUIET, SH).getTime();
    expect(sh - ms('2026-11-22T00:00:00Z')).toBe(t - ms('2026-11-22T08:00:00Z'));
  });

  it('in a zone with DST the window starts at the local end of the quiet hours on both sides of a change', () => {
    const NY = 'America/New_York';
    // 8 March 2026: clocks go 02:00 EST -> 03:00 EDT; 08:00 EDT is 12:00Z.
    const spring = quietSendTime(new Date('2026-03-08T06:00:00Z'), 'S1', QUIET, NY).getTime(); // 01:00 EST
    expect(spring - ms('2026-03-08T12:00:00Z')).toBe(
      quietSendTime(new Date('2026-03-07T06:00:00Z'), 'S1', QUIET, NY).getTime() - ms('2026-03-07T13:00:00Z'),
    );
    expect(spring).toBeLessThan(ms('2026-03-08T13:00:00Z'));
    // 1 November 2026: 02:00 EDT -> 01:00 EST; 08:00 EST is 13:00Z.
    const fall = quietSendTime(new Date('2026-11-01T03:00:00Z'), 'S1', QUIET, NY).getTime(); // 23:00 EDT
    expect(fall).toBeGreaterThanOrEqual(ms('2026-11-01T13:00:00Z'));
    expect(fall).toBeLessThan(ms('2026-11-01T14:00:00Z'));
    expect(nextAllowedTime(new Date('2026-11-01T03:00:00Z'), QUIET, NY).toISOString()).toBe(
      '2026-11-01T13:00:00.000Z',
    );
  });

  it("clips to a DST day's shorter allowed hours (Berlin 01:30-03:00 wall clock is 30 minutes on 29 March)", () => {
    const BER = 'Europe/Berlin';
    const q = { start: '03:00', end: '01:30', spreadMinutes: 90 };
    const due = new Date('2026-03-28T23:00:00Z'); // 00:00 CET, quiet
    const times = Array.from({ length: 500 }, (_, i) => quietSendTime(due, `S-${i}`, q, BER).getTime());
    // 01:30 CET = 00:30Z; 03:00 CEST = 01:00Z.
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(ms('2026-03-29T00:30:00Z'));
      expect(t).toBeLessThan(ms('2026-03-29T01:00:00Z'));
      expect(isQuietTime(new Date(t), q, BER)).toBe(false);
    }
    expect(Math.max(...times)).toBeGreaterThan(ms('2026-03-29T00:55:00Z'));
    // The day before, the whole 90 minutes are used.
    const before = Array.from({ length: 500 }, (_, i) =>
      quietSendTime(new Date('2026-03-27T23:00:00Z'), `S-${i}`, q, BER).getTime(),
    );
    expect(Math.max(...before)).toBeGreaterThan(ms('2026-03-28T01:50:00Z'));
    expect(Math.max(...before)).toBeLessThan(ms('2026-03-28T02:00:00Z'));
  });
});

describe('RULES sms.quietHours.spreadMinutes', () => {
  it('defaults to 60 and accepts 0 and the whole allowed day', () => {
    expect(parseRules(undefined).sms.quietHours.spreadMinutes).toBe(60);
    expect(parseRules('{"sms":{"quietHours":{"spreadMinutes":0}}}').sms.quietHours.spreadMinutes).toBe(0);
    expect(parseRules('{"sms":{"quietHours":{"spreadMinutes":780}}}').sms.quietHours.spreadMinutes).toBe(780);
    const wide = '{"sms":{"quietHours":{"start":"22:00","end":"07:00","spreadMinutes":900}}}';
    expect(parseRules(wide).sms.quietHours.spreadMinutes).toBe(900);
    const none = '{"sms":{"quietHours":{"start":"21:00","end":"21:00","spreadMinutes":1440}}}';
    expect(parseRules(none).sms.quietHours.spreadMinutes).toBe(1440);
  });

  it.each([
    [-1, /RULES\.sms\.quietHours\.spreadMinutes: /],
    [1.5, /RULES\.sms\.quietHours\.spreadMinutes: /],
    ['60', /RULES\.sms\.quietHours\.spreadMinutes: /],
    [
      781,
      /RULES\.sms\.quietHours\.spreadMinutes: at most 780: the spread must end before the quiet hours start again/,
    ],
  ])('stops start-up on %j naming the path', (value, message) => {
    expect(() => parseRules(JSON.stringify({ sms: { quietHours: { spreadMinutes: value } } }))).toThrow(
      message,
    );
  });

  it('checks the spread against the configured hours (22:00-07:00 allows 900, not 901)', () => {
    expect(() =>
      parseRules('{"sms":{"quietHours":{"start":"22:00","end":"07:00","spreadMinutes":901}}}'),
    ).toThrow(/RULES\.sms\.quietHours\.spreadMinutes: at most 900/);
  });
});
