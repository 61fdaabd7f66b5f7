import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../../infra/local/http-io.ts';
import { clockSetting, normalizePhone, validateInboundSms } from '../../infra/local/requests.ts';

/** The local server's checks of what /local is sent: the domain's phone rule and the inbound-SMS schema. */
describe('local request checks', () => {
  it('normalises a queried phone with the domain rule, a decoded + included', () => {
    for (const q of ['13800138000', '8613800138000', '+8613800138000', ' 8613800138000', '138-0013-8000']) {
      expect(normalizePhone(q), q).toBe('+8613800138000');
    }
    for (const bad of ['12345', '+12025550123', '01088886666']) {
      expect(() => normalizePhone(bad), bad).toThrow(HttpProblem);
    }
    try {
      normalizePhone('12345');
    } catch (err) {
      expect(err).toMatchObject({ status: 400, extra: { field: 'phone' } });
    }
  });

  it('checks inbound SMS with the function schema, the destination required, naming the field', () => {
    const valid = {
      originationNumber: '+8613800138000',
      destinationNumber: '+8610690000',
      messageBody: '1',
      inboundMessageId: 'in-1',
    };
    expect(validateInboundSms({ ...valid, extra: 'dropped' })).toEqual(valid);
    expect(validateInboundSms({ ...valid, messageKeyword: null })).toEqual({
      ...valid,
      messageKeyword: null,
    });
    for (const field of Object.keys(valid) as (keyof typeof valid)[]) {
      const { [field]: _, ...rest } = valid;
      expect(() => validateInboundSms(rest)).toThrow(
        expect.objectContaining({ status: 400, extra: { field } }),
      );
    }
    expect(() => validateInboundSms({ ...valid, messageBody: 7 })).toThrow(
      expect.objectContaining({ extra: { field: 'messageBody' } }),
    );
  });

  it('reads the clock setting: an ISO time, null for real time, anything else a 400 on now', () => {
    expect(clockSetting({ now: '2026-11-03T09:30:00+08:00' })?.toISOString()).toBe(
      '2026-11-03T01:30:00.000Z',
    );
    expect(clockSetting({ now: null })).toBeUndefined();
    for (const b of [{}, { now: 'tomorrow' }, { now: 5 }, { now: '2026-13-45T00:00:00Z' }]) {
      expect(() => clockSetting(b)).toThrow(
        expect.objectContaining({ status: 400, extra: { field: 'now' } }),
      );
    }
  });
});
