import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config';

describe('configuration', () => {
  it('applies domain.md defaults', () => {
    const c = loadConfig({ TABLE_NAME: 't' });
    expect(c.rules.sms.signature).toBe('客户服务');
    expect(c.rules.sms.quietHours).toEqual({ start: '21:00', end: '08:00' });
    expect(c.rules.survey.delayMinutes.repair).toBe(30);
    expect(c.rules.survey.delayMinutes.store_sale).toBe(4320);
    expect(c.rules.timeZone).toBe('Asia/Shanghai');
  });

  it('fails fast naming the variable that is wrong', () => {
    expect(() => loadConfig({})).toThrow(/TABLE_NAME/);
    expect(() => loadConfig({ TABLE_NAME: 't', SMS_GATEWAY: 'pigeon' })).toThrow(/SMS_GATEWAY/);
    expect(() => loadConfig({ TABLE_NAME: 't', RULES: '{"sms":{"signature":"ACME"}}' })).toThrow(/signature/);
    expect(() => loadConfig({ TABLE_NAME: 't', RULES: 'not json' })).toThrow(/RULES/);
  });

  it('merges overrides over the defaults', () => {
    const c = loadConfig({ TABLE_NAME: 't', RULES: '{"sms":{"signature":"江西移动"}}' });
    expect(c.rules.sms.signature).toBe('江西移动');
    expect(c.rules.sms.quietHours.start).toBe('21:00');
  });
});
