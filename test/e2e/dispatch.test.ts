import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The dispatch webhook over HTTP on `npm start`: the route is served, and the half-time alert
 * shows in GET /local/alerts once the scheduler ticks at half the repair limit.
 */
let sys: RunningSystem;
beforeAll(async () => {
  sys = await startNpm();
}, 120_000);
afterAll(async () => {
  await sys?.stop();
});

describe('POST /v1/tickets/dispatched over HTTP', () => {
  it('202, then the half_time alert in /local/alerts at half the limit, not before', async () => {
    const { call } = sys;
    await call('POST', '/local/clock', { now: '2026-11-20T00:10:00Z' });
    const body = {
      ticketId: 'E2E-DISP-1',
      source: 'ossA',
      segment: 'enterprise',
      kind: 'repair',
      serviceLevel: 'AAA',
      reportedAt: '2026-11-20T08:00:00+08:00',
      dispatchedAt: '2026-11-20T08:03:00+08:00',
      engineer: { id: 'E-disp-e2e', name: '钱师傅', team: 'T-disp-e2e', region: 'R-disp-e2e' },
    };
    const accepted = await sys.webhook('/v1/tickets/dispatched', body);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ alerts: 'scheduled', repairLimitHours: 2 });
    expect((await sys.webhook('/v1/tickets/dispatched', body)).status).toBe(200);

    await call('POST', '/local/clock', { now: '2026-11-20T00:59:59Z' });
    await call('POST', '/local/tick');
    expect((await call('GET', '/local/alerts')).body).toEqual([]);

    await call('POST', '/local/clock', { now: '2026-11-20T01:00:00Z' });
    await call('POST', '/local/tick');
    expect((await call('GET', '/local/alerts')).body).toEqual([
      expect.objectContaining({ kind: 'half_time', ticketId: 'E2E-DISP-1', team: 'T-disp-e2e' }),
    ]);
  });
});
