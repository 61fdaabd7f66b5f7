import { describe, expect, it } from 'vitest';
import { counters } from '#shared/domain/counters';
import type { EngineerRef } from '#shared/domain/types';
import {
  addToAggregate,
  aggregateUpdates,
  aggShard,
  fromRollup,
  rollupAttr,
  rollupKey,
  rollupKeyParts,
  rollupRefAttr,
} from '#shared/store/aggregate';

const eng: EngineerRef = { engineerId: 'E1', engineerName: '王师傅', team: '装维#一班', region: 'R1' };

describe('monthly roll-up items', () => {
  it('name every counter with a short attribute of its own, clear of the other attributes', () => {
    const names = Object.values(rollupAttr);
    expect(Object.keys(rollupAttr)).toEqual([...counters]);
    expect(new Set(names).size).toBe(counters.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9]$/);
    const others = [...Object.values(rollupRefAttr), 'pk', 'sk', 'ttl'];
    expect(new Set(others).size).toBe(others.length);
    for (const other of others) expect(names).not.toContain(other);
  });

  it('are keyed by month, team and engineer; the engineer id is after the last #', () => {
    expect(rollupKey('2026-11', '装维#一班', 'E1')).toEqual({
      pk: `AGGM#2026-11#${aggShard('E1')}`,
      sk: '装维#一班#E1',
    });
    expect(rollupKeyParts('装维#一班#E1')).toEqual({ team: '装维#一班', engineerId: 'E1' });
  });

  it('aggregateUpdates: the daily item as addToAggregate writes it, then the roll-up ADDing every counter', () => {
    const delta = { responses: 1, satisfied: 1 };
    const [daily, monthly, ...rest] = aggregateUpdates('2026-11-05', eng, delta);
    expect(rest).toEqual([]);
    expect(daily).toEqual(addToAggregate('2026-11-05', eng, delta));
    const u = monthly?.Update;
    expect(u?.Key).toEqual({ pk: `AGGM#2026-11#${aggShard('E1')}`, sk: '装维#一班#E1' });
    const names = u?.ExpressionAttributeNames ?? {};
    const values = u?.ExpressionAttributeValues ?? {};
    const added = Object.fromEntries(
      [...(u?.UpdateExpression ?? '').matchAll(/(#c\d+) (:c\d+)/g)].map((m) => [
        names[m[1] as string],
        values[m[2] as string],
      ]),
    );
    expect(Object.keys(added).sort()).toEqual(Object.values(rollupAttr).sort());
    expect(added).toMatchObject({ rs: 1, r1: 1, co: 0, r3: 0 });
    expect(u?.UpdateExpression).toMatch(/^SET #nm = :nm, #rg = :rg, #ld = :ld ADD /);
    expect([names['#nm'], values[':nm'], names['#rg'], values[':rg'], names['#ld'], values[':ld']]).toEqual([
      'nm',
      '王师傅',
      'rg',
      'R1',
      'ld',
      5,
    ]);
    expect(u?.ConditionExpression).toBeUndefined();
  });

  it('read back as aggregate items whose day is the day of the latest write', () => {
    const raw = {
      pk: 'AGGM#2026-11',
      sk: '装维#一班#E1',
      nm: '王师傅',
      rg: 'R1',
      ld: 17,
      ...Object.fromEntries(counters.map((c) => [rollupAttr[c], 0])),
      rs: 4,
      r1: 4,
    };
    const item = fromRollup(raw);
    expect(item).toMatchObject({ ...eng, day: '2026-11-17', responses: 4, satisfied: 4, completed: 0 });
    expect(Object.keys(item)).not.toContain('rs');
  });
});
