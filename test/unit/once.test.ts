import { describe, expect, it } from 'vitest';
import { onceUntilFailure } from '#shared/runtime/once';

describe('onceUntilFailure', () => {
  it('loads once and keeps the result; concurrent callers share the one load', async () => {
    let loads = 0;
    const get = onceUntilFailure(async () => ++loads);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(await get()).toBe(1);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next call loads again', async () => {
    let loads = 0;
    const get = onceUntilFailure(async () => {
      loads += 1;
      if (loads === 1) throw new Error('not readable yet');
      return 'ready';
    });
    await expect(get()).rejects.toThrow('not readable yet');
    expect(await get()).toBe('ready');
    expect(await get()).toBe('ready');
    expect(loads).toBe(2);
  });
});
