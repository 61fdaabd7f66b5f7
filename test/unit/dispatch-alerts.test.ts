import { describe, expect, it } from 'vitest';
import { dispatchResponse } from '#shared/app/tickets/dispatch-ticket';
import {
  dispatchAlertTimes,
  dueDispatchAlert,
  halfTimeReached,
  limitReached,
} from '#shared/domain/dispatch-alerts';
import { parseRules } from '#shared/domain/rules';
import { ticketDispatchedSchemaAt } from '#shared/http/schemas/ticket-dispatched';
import { pinnableClock } from '#shared/runtime/clock';

/** Dispatch-time supervision (000 line 391): alerts at half the repair limit and at the limit. */
const REPORTED = '2026-11-20T08:00:00+08:00';
const R = Date.parse(REPORTED);
const H = 3_600_000;
const atMs = (ms: number) => new Date(R + ms);

describe('half time (pure rule, docs/domain.md section 2)', () => {
  it.each([
    [3, 1.5 * H, true],
    [3, 1.5 * H - 1, false],
    [3, 1.5 * H + 1, true],
    [2, H, true],
    [2, H - 1, false],
    [12, 6 * H, true],
    [12, 6 * H - 1, false],
  ])('limit %i h, %i ms after the report -> %s', (limit, elapsed, expected) => {
    expect(halfTimeReached(REPORTED, limit, atMs(elapsed))).toBe(expected);
  });

  it('the limit itself: exactly at it has passed, 1 ms before has not', () => {
    expect(limitReached(REPORTED, 3, atMs(3 * H))).toBe(true);
    expect(limitReached(REPORTED, 3, atMs(3 * H - 1))).toBe(false);
  });

  it('the due times are the first millisecond each rule holds, also for a limit of an odd number of ms', () => {
    expect(dispatchAlertTimes(REPORTED, 3)).toEqual({
      halfTimeAt: '2026-11-20T01:30:00.000Z',
      limitAt: '2026-11-20T03:00:00.000Z',
    });
    const odd = 1 / H; // 1 ms: half of it is 0.5 ms
    const { halfTimeAt, limitAt } = dispatchAlertTimes(REPORTED, odd);
    expect(halfTimeReached(REPORTED, odd, new Date(halfTimeAt))).toBe(true);
    expect(halfTimeReached(REPORTED, odd, new Date(Date.parse(halfTimeAt) - 1))).toBe(false);
    expect(limitReached(REPORTED, odd, new Date(limitAt))).toBe(true);
  });

  it('which alert is due: none before half time, half_time, then limit_exceeded; a late run skips the stale one', () => {
    expect(dueDispatchAlert('half_time', REPORTED, 3, atMs(1.5 * H - 1))).toBeUndefined();
    expect(dueDispatchAlert('half_time', REPORTED, 3, atMs(1.5 * H))).toBe('half_time');
    expect(dueDispatchAlert('limit_exceeded', REPORTED, 3, atMs(3 * H - 1))).toBeUndefined();
    expect(dueDispatchAlert('limit_exceeded', REPORTED, 3, atMs(3 * H))).toBe('limit_exceeded');
    expect(dueDispatchAlert('half_time', REPORTED, 3, atMs(3 * H))).toBe('limit_exceeded');
  });
});

describe('the dispatch answer', () => {
  const clock = pinnableClock();
  clock.pin(new Date('2026-11-20T02:00:00Z'));
  const schema = ticketDispatchedSchemaAt(clock);
  const body = (o: Record<string, unknown> = {}) =>
    schema.parse({
      ticketId: 'T-d',
      source: 'ossA',
      segment: 'home',
      kind: 'repair',
      area: 'urban',
      faultType: 'equipment',
      reportedAt: REPORTED,
      dispatchedAt: '2026-11-20T08:05:00+08:00',
      engineer: { id: 'E1', name: '王师傅', team: 'T1', region: 'R1' },
      ...o,
    });
  const rules = parseRules(undefined);

  it('a home equipment repair in town is held to 3 h: alerts at 1.5 h and 3 h after the report', () => {
    expect(dispatchResponse(body(), { rules })).toEqual({
      ticketId: 'T-d',
      source: 'ossA',
      alerts: 'scheduled',
      repairLimitHours: 3,
      halfTimeAt: '2026-11-20T01:30:00.000Z',
      limitAt: '2026-11-20T03:00:00.000Z',
    });
  });

  it('an enterprise AAA cross-province circuit: 4 h', () => {
    const d = body({ segment: 'enterprise', serviceLevel: 'AAA', crossProvince: true });
    expect(dispatchResponse(d, { rules })).toMatchObject({
      repairLimitHours: 4,
      limitAt: '2026-11-20T04:00:00.000Z',
    });
  });

  it('no limit (an install, none configured; a home repair without its area): no alerts', () => {
    expect(dispatchResponse(body({ kind: 'install' }), { rules })).toEqual({
      ticketId: 'T-d',
      source: 'ossA',
      alerts: 'none',
      repairLimitHours: null,
    });
    expect(dispatchResponse(body({ area: undefined }), { rules }).alerts).toBe('none');
  });

  it('refuses a dispatch before its report or in the future, naming the field', () => {
    const bad = (o: Record<string, unknown>) => {
      const r = schema.safeParse({ ...body(), ...o });
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(bad({ dispatchedAt: '2026-11-20T07:59:59+08:00' })).toEqual(['reportedAt']);
    expect(bad({ dispatchedAt: '2026-11-20T10:02:00+08:00' })).toEqual(['dispatchedAt']);
    expect(bad({ reportedAt: undefined, engineer: { id: 'E1' } })).toEqual([
      'reportedAt',
      'engineer.name',
      'engineer.team',
      'engineer.region',
    ]);
  });
});
