import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { GROUP_SATISFACTION_FLOOR, parseRules } from '#shared/domain/rules';

/** 004 1.4 标准说明 2): a province's standard may not be lower than the group's 95 % (004 5.2). */
describe('satisfaction.target: the group floor', () => {
  const start = (target: number) => () =>
    loadConfig({ TABLE_NAME: 'feedback-test', RULES: JSON.stringify({ satisfaction: { target } }) });

  it('0.94 stops the start naming RULES.satisfaction.target', () => {
    expect(start(0.94)).toThrow(/RULES\.satisfaction\.target: may not be below 0\.95/);
  });

  it('0.95 (the floor) and above are accepted; the default is the floor', () => {
    expect(start(0.95)().rules.satisfaction.target).toBe(0.95);
    expect(start(0.98)().rules.satisfaction.target).toBe(0.98);
    expect(parseRules(undefined).satisfaction.target).toBe(GROUP_SATISFACTION_FLOOR);
    expect(GROUP_SATISFACTION_FLOOR).toBe(0.95);
  });
});
