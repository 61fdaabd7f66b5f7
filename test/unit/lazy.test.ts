import { describe, expect, it } from 'vitest';
import { graphemes } from '#shared/domain/graphemes';
import { lazy } from '#shared/runtime/lazy';

describe('lazy', () => {
  it('builds nothing until the first call, then once', () => {
    let builds = 0;
    const value = lazy(() => {
      builds++;
      return { built: builds };
    });
    expect(builds).toBe(0);
    const first = value();
    expect(value()).toBe(first);
    expect(builds).toBe(1);
  });

  it('tries a build that threw again on the next call', () => {
    let calls = 0;
    const value = lazy(() => {
      calls++;
      if (calls === 1) throw new Error('not yet');
      return 'ok';
    });
    expect(() => value()).toThrow('not yet');
    expect(value()).toBe('ok');
    expect(value()).toBe('ok');
    expect(calls).toBe(2);
  });

  it('keeps an undefined value as built', () => {
    let calls = 0;
    const value = lazy(() => {
      calls++;
      return undefined;
    });
    value();
    value();
    expect(calls).toBe(1);
  });
});

describe('graphemes', () => {
  it('splits user-perceived characters, not code units', () => {
    expect([...graphemes('欧阳👍🏽e\u0301')]).toEqual(['欧', '阳', '👍🏽', 'e\u0301']);
    expect([...graphemes('')]).toEqual([]);
  });

  it('can be iterated again', () => {
    const g = graphemes('张三');
    expect([...g]).toEqual(['张', '三']);
    expect([...g]).toEqual(['张', '三']);
  });
});
