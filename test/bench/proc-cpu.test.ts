import { describe, expect, it } from 'vitest';
import { busyFraction, machineLimit, parsePidStat, parseProcStat } from './proc-cpu.ts';

// The bench's /proc readings (test/bench/proc-cpu.ts): pure parsers and the limit rule.
describe('parseProcStat', () => {
  it('counts idle and iowait as idle, the rest of the first eight fields as busy, guest not twice', () => {
    const text = 'cpu  100 5 50 800 20 3 7 15 40 2\ncpu0 50 2 25 400 10 1 3 7 20 1\nintr 1 2 3\n';
    // user nice system idle iowait irq softirq steal = 100+5+50+800+20+3+7+15 = 1000
    expect(parseProcStat(text)).toEqual({ busy: 1000 - 820, total: 1000 });
  });

  it('reads the aggregate line, not a per-core one, wherever it is', () => {
    const text = 'cpu0 1 1 1 1 1 1 1 1\ncpu  10 0 10 80 0 0 0 0\n';
    expect(parseProcStat(text)).toEqual({ busy: 20, total: 100 });
  });

  it('refuses text without the aggregate line or with a bad one', () => {
    expect(() => parseProcStat('cpu0 1 2 3 4\n')).toThrow(/no aggregate/);
    expect(() => parseProcStat('cpu  1 x 3 4\n')).toThrow(/bad cpu line/);
  });
});

describe('busyFraction', () => {
  it('is the busy share of the ticks between two readings', () => {
    expect(busyFraction({ busy: 100, total: 1000 }, { busy: 250, total: 1200 })).toBeCloseTo(0.75);
  });
  it('is 0 when no tick passed', () => {
    expect(busyFraction({ busy: 5, total: 10 }, { busy: 5, total: 10 })).toBe(0);
  });
});

describe('parsePidStat', () => {
  const tail = 'S 1 2 3 4 5 6 7 8 9 10 1234 56 0 0 20 0 30 0 99 1000 50';
  it('reads utime + stime (fields 14 and 15)', () => {
    expect(parsePidStat(`4242 (java) ${tail}`)).toBe(1234 + 56);
  });
  it('counts fields from the last parenthesis: a command name with spaces and parentheses', () => {
    expect(parsePidStat(`4242 (a (b) c) d) ${tail}`)).toBe(1290);
  });
  it('refuses a line without the command name or times', () => {
    expect(() => parsePidStat('4242 java S 1')).toThrow(/no command name/);
    expect(() => parsePidStat('4242 (java) S 1 2')).toThrow(/bad times/);
  });
});

describe('machineLimit', () => {
  it('is the fewest workers at which the machine was at least 90% busy, in any order', () => {
    const rows = [
      { workers: 8, busy: 0.97 },
      { workers: 1, busy: 0.3 },
      { workers: 4, busy: 0.9 },
      { workers: 2, busy: 0.6 },
    ];
    expect(machineLimit(rows)).toBe(4);
  });
  it('is undefined when no count reached the threshold', () => {
    expect(
      machineLimit([
        { workers: 1, busy: 0.2 },
        { workers: 8, busy: 0.89 },
      ]),
    ).toBeUndefined();
  });
  it('takes another threshold', () => {
    expect(
      machineLimit(
        [
          { workers: 1, busy: 0.5 },
          { workers: 2, busy: 0.8 },
        ],
        0.75,
      ),
    ).toBe(2);
  });
});
