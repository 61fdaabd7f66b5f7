import { describe, expect, it } from 'vitest';
import { dueWorkMessages } from '#shared/app/scheduler/fan-out-due';
import { slotGroupId, slotGroups } from '#shared/domain/due-slots';

const all = Array.from({ length: 64 }, (_, i) => i);

describe('slotGroups: the due index shared among the workers', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 16, 63, 64])('%i workers: every slot in exactly one group', (n) => {
    const groups = slotGroups(n, 64);
    expect(groups).toHaveLength(n);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(all);
    // balanced: group sizes differ by at most one
    const sizes = groups.map((g) => g.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('more workers than slots: one slot each, no empty group', () => {
    expect(slotGroups(100, 64)).toEqual(all.map((s) => [s]));
  });

  it('worker g of n reads the slots s with s % n === g', () => {
    expect(slotGroups(4, 64)[1]).toEqual(all.filter((s) => s % 4 === 1));
    expect(slotGroups(1, 64)).toEqual([all]);
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(() => slotGroups(0, 64)).toThrow(RangeError);
    expect(() => slotGroups(1.5, 64)).toThrow(RangeError);
    expect(() => slotGroups(2, 0)).toThrow(RangeError);
  });

  it('names each group by its index and the count (the FIFO message group)', () => {
    expect(slotGroupId(0, 8)).toBe('1of8');
    expect(slotGroupId(7, 8)).toBe('8of8');
  });
});

describe('dueWorkMessages: one message per group and tick', () => {
  const tick = new Date('2026-12-01T02:03:00Z');

  it.each([1, 2, 4, 8])('%i workers: the messages cover all 64 slots once, with distinct groups', (n) => {
    const messages = dueWorkMessages(tick, n);
    expect(messages).toHaveLength(n);
    expect(messages.flatMap((m) => m.slots).sort((a, b) => a - b)).toEqual(all);
    expect(new Set(messages.map((m) => m.group)).size).toBe(n);
    for (const m of messages) expect(m.tick).toBe('2026-12-01T02:03:00.000Z');
  });

  it('a changed worker count between ticks still covers every slot on each tick', () => {
    for (const [a, b] of [
      [3, 5],
      [8, 1],
      [1, 64],
    ] as const) {
      for (const n of [a, b]) {
        expect(new Set(dueWorkMessages(tick, n).flatMap((m) => m.slots)).size).toBe(64);
      }
    }
  });
});
