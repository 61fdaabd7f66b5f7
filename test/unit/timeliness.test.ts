import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRules } from '#shared/domain/rules';
import {
  contactOnTime,
  punctual,
  repairLimitHours,
  repairOnTime,
  timeliness,
} from '#shared/domain/timeliness';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { pinClock, ticketCompletedSchema } from '../helpers/deps.ts';

const defaults = parseRules(undefined);

/** Reported at 08:00 Beijing time; every other instant is an offset from it. */
const REPORTED = Date.parse('2026-03-10T08:00:00+08:00');
const at = (minutes: number, seconds = 0) =>
  new Date(REPORTED + minutes * 60_000 + seconds * 1000).toISOString();
const H = 60;

/** A ticket through the real webhook schema; `undefined` in overrides removes a field. */
function ticket(overrides: Record<string, unknown> = {}): TicketCompleted {
  const raw: Record<string, unknown> = {
    ticketId: 'T-1',
    segment: 'home',
    kind: 'repair',
    area: 'urban',
    faultType: 'equipment',
    reportedAt: at(0),
    completedAt: at(24 * H),
    engineer: { id: 'E-1', name: '张师傅', team: '城区维护站', region: '南昌' },
    customer: { phone: '13800138000' },
    ...overrides,
  };
  for (const [k, v] of Object.entries(raw)) if (v === undefined) delete raw[k];
  return ticketCompletedSchema.parse(raw);
}

beforeAll(() => pinClock(new Date('2026-06-01T00:00:00Z')));
afterAll(() => pinClock(undefined));

describe('repair limits, home customers (docs/domain.md section 2)', () => {
  it.each([
    ['equipment', 'urban', 3],
    ['equipment', 'suburban', 4],
    ['equipment', 'rural', 12],
    ['line', 'urban', 6],
    ['line', 'suburban', 6],
    ['line', 'rural', 12],
  ] as const)(
    '%s fault, %s: %i h, on time exactly on the limit, late one minute over',
    (faultType, area, hours) => {
      const onLimit = ticket({ faultType, area, completedAt: at(hours * H) });
      const over = ticket({ faultType, area, completedAt: at(hours * H + 1) });
      expect(repairLimitHours(onLimit, defaults)).toBe(hours);
      expect(repairOnTime(onLimit, defaults)).toBe(true);
      expect(repairOnTime(over, defaults)).toBe(false);
    },
  );
});

describe('repair limits, enterprise circuits (docs/domain.md section 2)', () => {
  it.each([
    [false, 'AAA', 2],
    [false, 'AA', 4],
    [false, 'A', 6],
    [false, 'standard', 8],
    [true, 'AAA', 4],
    [true, 'AA', 5],
    [true, 'A', 6],
    [true, 'standard', 8],
  ] as const)(
    'crossProvince=%s, %s: %i h, on time exactly on the limit, late one minute over',
    (crossProvince, serviceLevel, hours) => {
      const base = {
        segment: 'enterprise',
        area: undefined,
        faultType: undefined,
        crossProvince,
        serviceLevel,
      };
      const onLimit = ticket({ ...base, completedAt: at(hours * H) });
      const over = ticket({ ...base, completedAt: at(hours * H + 1) });
      expect(repairLimitHours(onLimit, defaults)).toBe(hours);
      expect(repairOnTime(onLimit, defaults)).toBe(true);
      expect(repairOnTime(over, defaults)).toBe(false);
    },
  );
});

describe('first contact (000 line 385)', () => {
  it.each([
    ['enterprise', 0, 0, true],
    ['enterprise', 5, 0, true],
    ['enterprise', 5, 1, false],
    ['enterprise', 6, 0, false],
    ['home', 15, 0, true],
    ['home', 15, 1, false],
    ['home', 16, 0, false],
  ] as const)('%s contacted %i min %i s after the report -> %s', (segment, minutes, seconds, expected) => {
    const t = ticket({ segment, serviceLevel: 'A', firstContactAt: at(minutes, seconds) });
    expect(contactOnTime(t, defaults)).toBe(expected);
  });

  it.each([
    ['no firstContactAt', { firstContactAt: undefined }],
    ['no reportedAt', { reportedAt: undefined, firstContactAt: at(3) }],
  ])('not applicable with %s', (_label, overrides) => {
    expect(contactOnTime(ticket(overrides), defaults)).toBeNull();
  });
});

describe('excluded (customer-caused) time', () => {
  // Home equipment fault, urban: 3 h. Completed 4 h after the report.
  it.each([
    [0, false],
    [59, false],
    [60, true],
    [120, true],
    [10_000, true], // more than the elapsed time: clamped at 0, still on time
  ])('excludedMinutes %i -> on time %s', (excludedMinutes, expected) => {
    expect(repairOnTime(ticket({ completedAt: at(4 * H), excludedMinutes }), defaults)).toBe(expected);
  });
});

describe('not applicable repair timeliness', () => {
  it.each([
    ['home without area', { area: undefined }],
    ['home without faultType', { faultType: undefined }],
    ['enterprise without serviceLevel', { segment: 'enterprise', serviceLevel: undefined }],
    ['install (no limit in the source, none configured)', { kind: 'install' }],
    ['move (no limit in the source, none configured)', { kind: 'move' }],
    ['inspection', { kind: 'inspection' }],
  ])('%s -> limit null, repairOnTime null', (_label, overrides) => {
    const t = ticket({ completedAt: at(H), ...overrides });
    expect(repairLimitHours(t, defaults)).toBeNull();
    expect(repairOnTime(t, defaults)).toBeNull();
  });

  it('no reportedAt -> repairOnTime null though a limit applies', () => {
    const t = ticket({ reportedAt: undefined, completedAt: at(H) });
    expect(repairLimitHours(t, defaults)).toBe(3);
    expect(repairOnTime(t, defaults)).toBeNull();
  });

  const withInstall = parseRules('{"timeLimits":{"otherKindHours":{"install":24}}}');
  it.each([
    [24 * H, true],
    [24 * H + 1, false],
  ])('install with otherKindHours.install = 24, completed after %i min -> %s', (minutes, expected) => {
    const t = ticket({ kind: 'install', area: undefined, faultType: undefined, completedAt: at(minutes) });
    expect(repairLimitHours(t, withInstall)).toBe(24);
    expect(repairOnTime(t, withInstall)).toBe(expected);
    expect(repairLimitHours(ticket({ kind: 'move' }), withInstall)).toBeNull();
  });
});

describe('punctuality (docs/domain.md section 3)', () => {
  const appointmentAt = at(2 * H); // 10:00
  it.each([
    ['exactly +10 min', { arrivedAt: at(2 * H + 10) }, true],
    ['+10 min 1 s', { arrivedAt: at(2 * H + 10, 1) }, false],
    ['on the minute', { arrivedAt: appointmentAt }, true],
    ['10 min early', { arrivedAt: at(2 * H - 10) }, true],
    [
      'rescheduled 1 h 59 min before, arrived on time',
      { appointmentChangedAt: at(H + 1), arrivedAt: appointmentAt },
      false,
    ],
    [
      'rescheduled 2 h before, arrived on time',
      { appointmentChangedAt: at(0), arrivedAt: appointmentAt },
      true,
    ],
    [
      'rescheduled 2 h before, arrived 11 min late',
      { appointmentChangedAt: at(0), arrivedAt: at(2 * H + 11) },
      false,
    ],
    ['no arrivedAt', {}, null],
    ['no appointmentAt', { appointmentAt: undefined, arrivedAt: appointmentAt }, null],
  ])('%s -> %s', (_label, overrides, expected) => {
    expect(punctual(ticket({ appointmentAt, ...overrides }), defaults)).toBe(expected);
  });
});

describe('overrides from RULES', () => {
  it('a longer home equipment/urban limit turns a late repair on time', () => {
    const t = ticket({ completedAt: at(3 * H + 30) });
    const rules = parseRules('{"timeLimits":{"homeRepairHours":{"equipment":{"urban":4}}}}');
    expect(repairOnTime(t, defaults)).toBe(false);
    expect(repairLimitHours(t, rules)).toBe(4);
    expect(repairOnTime(t, rules)).toBe(true);
    // the rest of the table keeps its defaults
    expect(rules.timeLimits.homeRepairHours.equipment.suburban).toBe(4);
  });

  it('a shorter enterprise first-contact limit makes a 4-minute contact late', () => {
    const t = ticket({ segment: 'enterprise', serviceLevel: 'AAA', firstContactAt: at(4) });
    expect(contactOnTime(t, defaults)).toBe(true);
    expect(contactOnTime(t, parseRules('{"timeLimits":{"firstContactMinutes":{"enterprise":3}}}'))).toBe(
      false,
    );
  });

  it('a wider punctuality tolerance and shorter notice', () => {
    const t = ticket({
      appointmentAt: at(2 * H),
      appointmentChangedAt: at(H + 30),
      arrivedAt: at(2 * H + 15),
    });
    expect(punctual(t, defaults)).toBe(false);
    const rules = parseRules('{"punctuality":{"toleranceMinutes":15,"rescheduleNoticeHours":0.5}}');
    expect(punctual(t, rules)).toBe(true);
  });
});

describe('timeliness()', () => {
  it('combines the three verdicts and the limit', () => {
    const t = ticket({
      firstContactAt: at(20),
      appointmentAt: at(H),
      arrivedAt: at(H - 5),
      completedAt: at(2 * H),
    });
    expect(timeliness(t, defaults)).toEqual({
      contactOnTime: false,
      repairOnTime: true,
      punctual: true,
      repairLimitHours: 3,
    });
  });

  it('is all null for a bare install ticket', () => {
    const t = ticket({ kind: 'install', reportedAt: undefined, area: undefined, faultType: undefined });
    expect(timeliness(t, defaults)).toEqual({
      contactOnTime: null,
      repairOnTime: null,
      punctual: null,
      repairLimitHours: null,
    });
  });
});
