import { describe, expect, it } from 'vitest';
import {
  busiestThread,
  busyFraction,
  dueLimit,
  parsePidStat,
  parseProcStat,
  parseSchedstat,
} from '../bench/proc-cpu.ts';

// The bench's /proc readings (test/bench/proc-cpu.ts): pure parsers, the busiest thread and the limit rule.
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

describe('parseSchedstat', () => {
  it('reads the time waiting on a runqueue (the second field, ns)', () => {
    expect(parseSchedstat('1098823 351566 16\n')).toBe(351566);
  });
  it('refuses a line without it', () => {
    expect(() => parseSchedstat('1098823\n')).toThrow(/bad line/);
  });
});

describe('busiestThread', () => {
  const t = (name: string, ticks: number) => ({ name, ticks });
  it('is the thread that used the most ticks between the readings, with all threads summed', () => {
    const from = new Map([
      [10, t('java', 500)],
      [11, t('SQLiteQueue[]', 1000)],
      [12, t('qtp1-1', 100)],
    ]);
    const to = new Map([
      [10, t('java', 510)],
      [11, t('SQLiteQueue[]', 1290)],
      [12, t('qtp1-1', 180)],
    ]);
    expect(busiestThread(from, to)).toEqual({ tid: 11, name: 'SQLiteQueue[]', ticks: 290, allTicks: 380 });
  });
  it('counts a thread born in between from 0 and leaves out one that ended', () => {
    const from = new Map([
      [1, t('a', 100)],
      [2, t('gone', 50)],
    ]);
    const to = new Map([
      [1, t('a', 130)],
      [3, t('new', 40)],
    ]);
    expect(busiestThread(from, to)).toEqual({ tid: 3, name: 'new', ticks: 40, allTicks: 70 });
  });
  it('is not the thread with the most ticks since it started, but in between', () => {
    const from = new Map([
      [1, t('old', 10_000)],
      [2, t('hot', 0)],
    ]);
    const to = new Map([
      [1, t('old', 10_001)],
      [2, t('hot', 90)],
    ]);
    expect(busiestThread(from, to)?.name).toBe('hot');
  });
  it("gives the busiest thread's wait for a core between the readings, when both have it", () => {
    const from = new Map([[1, { name: 'q', ticks: 10, waitNs: 5_000_000 }]]);
    const to = new Map([[1, { name: 'q', ticks: 60, waitNs: 305_000_000 }]]);
    expect(busiestThread(from, to)?.waitNs).toBe(300_000_000);
    expect(busiestThread(new Map([[1, { name: 'q', ticks: 10 }]]), to)?.waitNs).toBeUndefined();
    // born in between: its whole wait is in the run
    expect(busiestThread(new Map(), to)?.waitNs).toBe(305_000_000);
  });
  it('is undefined without threads', () => {
    expect(busiestThread(new Map(), new Map())).toBeUndefined();
  });
});

describe('dueLimit', () => {
  it('is the fewest workers at which the machine was at least 90% busy, in any order', () => {
    const rows = [
      { workers: 8, busy: 0.97 },
      { workers: 1, busy: 0.3 },
      { workers: 4, busy: 0.9 },
      { workers: 2, busy: 0.6 },
    ];
    expect(dueLimit(rows)).toEqual({ workers: 4, cause: 'cpu' });
  });
  it("is DynamoDB Local's ceiling when our calls reach 90% of it before the machine is busy", () => {
    const rows = [
      { workers: 1, busy: 0.7, ofCeiling: 0.93 },
      { workers: 2, busy: 0.8, ofCeiling: 0.97 },
      { workers: 4, busy: 0.95, ofCeiling: 0.98 },
    ];
    expect(dueLimit(rows)).toEqual({ workers: 1, cause: 'dynamodb-local' });
  });
  it('names both when both are reached at the same count', () => {
    expect(
      dueLimit([
        { workers: 1, busy: 0.5, ofCeiling: 0.5 },
        { workers: 2, busy: 0.92, ofCeiling: 0.9 },
      ]),
    ).toEqual({ workers: 2, cause: 'both' });
  });
  it('is undefined when neither was reached (or the ceiling was not measured)', () => {
    expect(
      dueLimit([
        { workers: 1, busy: 0.2, ofCeiling: 0.3 },
        { workers: 8, busy: 0.89 },
      ]),
    ).toBeUndefined();
  });
  it('takes other thresholds', () => {
    const rows = [
      { workers: 1, busy: 0.5, ofCeiling: 0.6 },
      { workers: 2, busy: 0.8, ofCeiling: 0.7 },
    ];
    expect(dueLimit(rows, 0.75, 0.95)).toEqual({ workers: 2, cause: 'cpu' });
    expect(dueLimit(rows, 0.95, 0.6)).toEqual({ workers: 1, cause: 'dynamodb-local' });
  });
});
