import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRules } from '#shared/domain/rules';
import { contactOnTime, punctual } from '#shared/domain/timeliness';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { countedFields, countedOf } from '#shared/store/ticket';
import { pinClock, ticketCompletedSchema } from '../helpers/deps.ts';

/**
 * 000 第三十条: a change of appointment must be notified at least 2 h before the appointment it
 * changes; only a change by the staff side counts against the engineer. First contact is timed
 * from the dispatch when known (000 line 385).
 */
const defaults = parseRules(undefined);
const t = (hhmm: string, ms = 0) => new Date(Date.parse(`2026-03-10T${hhmm}:00+08:00`) + ms).toISOString();

function ticket(overrides: Record<string, unknown> = {}): TicketCompleted {
  const raw: Record<string, unknown> = {
    ticketId: 'T-1',
    segment: 'home',
    kind: 'repair',
    area: 'urban',
    faultType: 'equipment',
    reportedAt: t('07:00'),
    completedAt: t('18:00'),
    engineer: { id: 'E-1', name: '张师傅', team: '城区维护站', region: '南昌' },
    customer: { phone: '13800138000' },
    ...overrides,
  };
  for (const [k, v] of Object.entries(raw)) if (v === undefined) delete raw[k];
  return ticketCompletedSchema.parse(raw);
}

beforeAll(() => pinClock(new Date('2026-06-01T00:00:00Z')));
afterAll(() => pinClock(undefined));

describe('punctuality against the original appointment', () => {
  const staffChange = (changedAt: string, overrides: Record<string, unknown> = {}) =>
    ticket({
      originalAppointmentAt: t('10:00'),
      appointmentChangedAt: changedAt,
      appointmentChangedBy: 'staff',
      appointmentAt: t('15:00'),
      arrivedAt: t('15:00'),
      ...overrides,
    });

  it('the issue example: original 10:00, changed by staff at 09:55 to 15:00, arrived 15:00 -> not punctual', () => {
    expect(punctual(staffChange(t('09:55')), defaults)).toBe(false);
  });

  it('a staff change exactly 2 h before the original is in time; 1 ms later is not', () => {
    expect(punctual(staffChange(t('08:00')), defaults)).toBe(true);
    expect(punctual(staffChange(t('08:00', 1)), defaults)).toBe(false);
  });

  it('the notice is measured against the original, not the new appointment (5 h 05 min before 15:00 is no excuse)', () => {
    const measuredAgainstNew = ticket({
      appointmentChangedAt: t('09:55'),
      appointmentAt: t('15:00'),
      arrivedAt: t('15:00'),
    });
    expect(punctual(measuredAgainstNew, defaults)).toBe(true); // a completion without the new fields
    expect(punctual(staffChange(t('09:55')), defaults)).toBe(false);
  });

  it("a customer's change never counts against the engineer: judged on the new appointment only", () => {
    const customer = (arrivedAt: string) =>
      ticket({
        originalAppointmentAt: t('10:00'),
        appointmentChangedAt: t('09:55'),
        appointmentChangedBy: 'customer',
        appointmentAt: t('15:00'),
        arrivedAt,
      });
    expect(punctual(customer(t('15:10')), defaults)).toBe(true);
    expect(punctual(customer(t('15:10', 1)), defaults)).toBe(false);
  });

  it('a staff change in time still needs the arrival within the tolerance of the new appointment', () => {
    expect(punctual(staffChange(t('07:00'), { arrivedAt: t('15:10') }), defaults)).toBe(true);
    expect(punctual(staffChange(t('07:00'), { arrivedAt: t('15:10', 1) }), defaults)).toBe(false);
  });

  it('earlyToleranceMinutes: unset, any early arrival is punctual; set to 10, exactly 10 min early is, 1 ms more is not', () => {
    const early = (ms: number) => ticket({ appointmentAt: t('10:00'), arrivedAt: t('09:50', ms) });
    expect(punctual(early(-3_600_000), defaults)).toBe(true);
    const twoSided = parseRules('{"punctuality":{"earlyToleranceMinutes":10}}');
    expect(twoSided.punctuality.toleranceMinutes).toBe(10);
    expect(punctual(early(0), twoSided)).toBe(true);
    expect(punctual(early(-1), twoSided)).toBe(false);
    expect(defaults.punctuality.earlyToleranceMinutes).toBeUndefined();
  });

  it('refuses a change it cannot judge, naming the field', () => {
    const issues = (o: Record<string, unknown>) => {
      const r = ticketCompletedSchema.safeParse({
        ticketId: 'T-1',
        segment: 'home',
        kind: 'repair',
        completedAt: t('18:00'),
        engineer: { id: 'E-1', name: '张师傅', team: 'T', region: 'R' },
        customer: { phone: '13800138000' },
        appointmentAt: t('15:00'),
        ...o,
      });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ appointmentChangedAt: t('09:55'), appointmentChangedBy: 'staff' })).toEqual([
      'originalAppointmentAt: required when appointmentChangedBy is staff (the notice is measured against it)',
    ]);
    expect(issues({ originalAppointmentAt: t('10:00') })).toEqual([
      'appointmentChangedAt: required with originalAppointmentAt',
    ]);
    expect(issues({ appointmentChangedAt: t('09:55'), appointmentChangedBy: 'boss' })[0]).toMatch(
      /^appointmentChangedBy: /,
    );
    // an original appointment after the completion (moved earlier) is fine
    expect(issues({ appointmentChangedAt: t('06:00'), originalAppointmentAt: t('20:00') })).toEqual([]);
  });

  it('the new fields are counted: a repeat that differs in them is a conflict', () => {
    expect(countedFields).toEqual(
      expect.arrayContaining(['dispatchedAt', 'originalAppointmentAt', 'appointmentChangedBy']),
    );
    const a = countedOf(staffChange(t('09:55')));
    const b = countedOf(staffChange(t('09:55'), { appointmentChangedBy: 'customer' }));
    expect(a.appointmentChangedBy).toBe('staff');
    expect(b.appointmentChangedBy).toBe('customer');
    expect(a.originalAppointmentAt).toBe('2026-03-10T02:00:00.000Z');
  });
});

describe('first contact timed from the dispatch when known', () => {
  it('from dispatchedAt: 15 min after it is on time, 1 ms more is late (though 2 h after the report)', () => {
    const c = (firstContactAt: string) => ticket({ dispatchedAt: t('09:00'), firstContactAt });
    expect(contactOnTime(c(t('09:15')), defaults)).toBe(true);
    expect(contactOnTime(c(t('09:15', 1)), defaults)).toBe(false);
  });

  it('from reportedAt without a dispatch; not applicable without either', () => {
    expect(contactOnTime(ticket({ firstContactAt: t('07:15') }), defaults)).toBe(true);
    expect(contactOnTime(ticket({ firstContactAt: t('07:15', 1) }), defaults)).toBe(false);
    expect(contactOnTime(ticket({ reportedAt: undefined, firstContactAt: t('07:15') }), defaults)).toBeNull();
    expect(
      contactOnTime(
        ticket({ reportedAt: undefined, dispatchedAt: t('07:05'), firstContactAt: t('07:15') }),
        defaults,
      ),
    ).toBe(true);
  });

  it('a dispatchedAt after the completion is refused', () => {
    const r = ticketCompletedSchema.safeParse({
      ticketId: 'T-1',
      segment: 'home',
      kind: 'repair',
      completedAt: t('18:00'),
      dispatchedAt: t('18:01'),
      engineer: { id: 'E-1', name: '张师傅', team: 'T', region: 'R' },
      customer: { phone: '13800138000' },
    });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['dispatchedAt']);
  });
});
