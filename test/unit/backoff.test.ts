import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  maxAttempts,
  nextAttemptAt,
  REPLY_BACKOFF,
  replyQueueMaxReceives,
} from '#shared/domain/backoff';

const { baseMs, capMs, jitter, windowMs } = REPLY_BACKOFF;
const MIN = 60_000;

/** Every attempt time of a delivery that always fails, first attempt at `first`. */
function schedule(first: Date, random: () => number): Date[] {
  const times = [first];
  for (let n = 1; n < 1000; n++) {
    const next = nextAttemptAt(first, n, times[times.length - 1] as Date, random());
    if (!next) return times;
    times.push(next);
  }
  throw new Error('the schedule never ends');
}

describe('backoff of the reply to the work order', () => {
  it('starts at a minute and doubles up to the cap of an hour (no jitter at random 0.5)', () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelayMs(i + 1, 0.5) / MIN);
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(backoffDelayMs(500, 0.5)).toBe(capMs);
    expect(backoffDelayMs(10_000, 0.5)).toBe(capMs);
  });

  it('jitter stays within ±20% of the nominal delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const nominal = Math.min(capMs, baseMs * 2 ** (n - 1));
          const d = backoffDelayMs(n, r);
          expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)));
          expect(d).toBeLessThanOrEqual(Math.ceil(nominal * (1 + jitter)));
        },
      ),
    );
    expect(backoffDelayMs(1, 0)).toBe(48_000);
    expect(backoffDelayMs(1, 0.999_999)).toBe(72_000);
  });

  it('delays strictly increase until the cap, whatever the jitter, and never exceed it by more than the jitter', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 12,
          maxLength: 12,
        }),
        (rs) => {
          const delays = rs.map((r, i) => backoffDelayMs(i + 1, r));
          for (let i = 1; i < delays.length; i++) {
            const nominal = Math.min(capMs, baseMs * 2 ** i);
            if (nominal < capMs) expect(delays[i]).toBeGreaterThan(delays[i - 1] as number);
            expect(delays[i]).toBeLessThanOrEqual(capMs * (1 + jitter));
          }
        },
      ),
    );
  });

  it('retries for exactly 24 hours after the first attempt, then gives up', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (first, seed) => {
          let x = seed;
          const random = () => {
            x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
            return x / 2 ** 31;
          };
          const times = schedule(first, random);
          const end = first.getTime() + windowMs;
          for (let i = 1; i < times.length; i++) {
            expect((times[i] as Date).getTime()).toBeGreaterThan((times[i - 1] as Date).getTime());
          }
          expect(times.at(-1)?.getTime()).toBe(end);
          expect(times.length).toBeLessThanOrEqual(maxAttempts());
          expect(nextAttemptAt(first, times.length, new Date(end), random())).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a failure noticed after the window (a late run) ends the retries', () => {
    const first = new Date('2026-11-20T00:00:00Z');
    expect(nextAttemptAt(first, 3, new Date(first.getTime() + windowMs + 1))).toBeUndefined();
    const nearEnd = new Date(first.getTime() + windowMs - 10_000);
    expect(nextAttemptAt(first, 20, nearEnd, 0)?.getTime()).toBe(first.getTime() + windowMs);
  });

  it('the most attempts in the window: the shortest delays throughout; SQS may receive a few more', () => {
    const shortest = schedule(new Date(0), () => 0);
    expect(maxAttempts()).toBe(shortest.length);
    expect(maxAttempts()).toBeGreaterThan(schedule(new Date(0), () => 0.999).length);
    expect(maxAttempts()).toBe(36);
    expect(replyQueueMaxReceives()).toBeGreaterThan(maxAttempts());
  });
});
