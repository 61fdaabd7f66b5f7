import { describe, expect, it } from 'vitest';
import { type Counts, counters } from '#shared/domain/counters';
import { compareAggregates, compareRollups } from '#shared/domain/verify/compare';
import { aggregateId, emptyExpected } from '#shared/domain/verify/recompute';
import {
  aggKey,
  aggPartitions,
  aggregateUpdates,
  aggShard,
  fromDailyAggregate,
  fromRollup,
  isDailyAggregate,
  isRollup,
  rollupAttr,
  rollupKey,
} from '#shared/store/aggregate';
import { AGG_SHARDS } from '#shared/store/table';

/** Issue 14: the aggregate partitions are write-sharded by engineer (no month key takes every event). */
describe('aggregate write shards', () => {
  it('put an engineer always on the same shard, within 0 .. AGG_SHARDS - 1 (FNV-1a of the id)', () => {
    expect(AGG_SHARDS).toBeGreaterThan(1);
    // pinned (a key format: items exist under it): FNV-1a 32 of the UTF-16 code units, mod 8
    expect(AGG_SHARDS).toBe(8);
    expect(['E1', 'E2', 'E-001', '工号7'].map(aggShard)).toEqual([3, 6, 2, 6]);
    expect(aggShard('')).toBe(0x811c9dc5 % AGG_SHARDS);
    for (let i = 0; i < 500; i++) {
      const s = aggShard(`E${i}`);
      expect(Number.isInteger(s) && s >= 0 && s < AGG_SHARDS).toBe(true);
    }
  });

  it('spread 400 engineers evenly enough: no shard over 1.5x its share', () => {
    const load = new Array<number>(AGG_SHARDS).fill(0);
    for (let i = 1; i <= 400; i++) {
      const k = aggShard(`E${String(i).padStart(4, '0')}`);
      load[k] = (load[k] ?? 0) + 1;
    }
    expect(Math.min(...load)).toBeGreaterThan(0);
    expect(Math.max(...load)).toBeLessThanOrEqual(1.5 * (400 / AGG_SHARDS));
  });

  it('key the daily item and the roll-up by month and the engineer shard', () => {
    const s = aggShard('E7');
    expect(aggKey('2026-11-05', 'E7')).toEqual({ pk: `AGG#2026-11#${s}`, sk: '05#E7' });
    expect(rollupKey('2026-11', 'T#1', 'E7')).toEqual({ pk: `AGGM#2026-11#${s}`, sk: 'T#1#E7' });
    const eng = { engineerId: 'E7', engineerName: 'n', team: 'T#1', region: 'R' };
    const [daily, monthly] = aggregateUpdates('2026-11-05', eng, { completed: 1 });
    expect(daily?.Update?.Key).toEqual(aggKey('2026-11-05', 'E7'));
    expect(monthly?.Update?.Key).toEqual(rollupKey('2026-11', 'T#1', 'E7'));
  });

  it('read every shard and the unsharded key of items written before the shards', () => {
    const daily = aggPartitions('daily', '2026-11');
    expect(daily).toHaveLength(AGG_SHARDS + 1);
    expect(daily[0]).toBe('AGG#2026-11');
    expect(new Set(daily)).toEqual(
      new Set(['AGG#2026-11', ...Array.from({ length: AGG_SHARDS }, (_, i) => `AGG#2026-11#${i}`)]),
    );
    expect(aggPartitions('rollup', '2026-11')[0]).toBe('AGGM#2026-11');
    for (let i = 0; i < 50; i++) {
      expect(daily).toContain(aggKey('2026-11-30', `X${i}`).pk);
      expect(aggPartitions('rollup', '2026-11')).toContain(rollupKey('2026-11', 'T', `X${i}`).pk);
    }
  });

  it('read back items of either layout by kind, month and day', () => {
    for (const pk of ['AGG#2026-11', 'AGG#2026-11#5']) {
      const raw = { pk, sk: '09#E1', completed: 2 };
      expect(isDailyAggregate(raw) && !isRollup(raw)).toBe(true);
      expect(fromDailyAggregate(raw)).toMatchObject({ day: '2026-11-09', engineerId: 'E1', completed: 2 });
    }
    for (const pk of ['AGGM#2026-11', 'AGGM#2026-11#7']) {
      const raw = { pk, sk: 'T#E1', ld: 9, nm: 'n', rg: 'R', [rollupAttr.completed]: 3 };
      expect(isRollup(raw) && !isDailyAggregate(raw)).toBe(true);
      expect(fromRollup(raw)).toMatchObject({ day: '2026-11-09', team: 'T', engineerId: 'E1', completed: 3 });
    }
  });

  it('verify sums an old-layout item and a sharded one of the same engineer and day (nothing lost or doubled)', () => {
    const expected = emptyExpected();
    expected.aggregates.set(aggregateId('2026-11-09', 'E1'), {
      day: '2026-11-09',
      engineerId: 'E1',
      counts: Object.fromEntries(counters.map((c) => [c, c === 'completed' ? 5 : 0])) as Counts,
    });
    const old = fromDailyAggregate({ pk: 'AGG#2026-11', sk: '09#E1', completed: 2 });
    const sharded = fromDailyAggregate({ pk: `AGG#2026-11#${aggShard('E1')}`, sk: '09#E1', completed: 3 });
    expect(compareAggregates(expected, [old, sharded])).toEqual([]);
    expect(compareAggregates(expected, [sharded])).toMatchObject([
      { counter: 'completed', stored: 3, expected: 5 },
    ]);
  });

  it('verify sums old-layout and sharded roll-ups of the same engineer, team and month', () => {
    const expected = emptyExpected();
    const roll = (pk: string, n: number) => {
      const { day, engineerName: _n, region: _r, ...rest } = fromRollup({ pk, sk: 'T#E1', ld: 9, co: n });
      return { ...rest, month: day.slice(0, 7) };
    };
    const stored = [roll('AGGM#2026-11', 2), roll(`AGGM#2026-11#${aggShard('E1')}`, 3)];
    const diff = compareRollups(expected, stored);
    expect(diff).toMatchObject([
      { month: '2026-11', team: 'T', engineerId: 'E1', counter: 'completed', stored: 5 },
    ]);
  });
});
