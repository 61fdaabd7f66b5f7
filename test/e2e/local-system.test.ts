import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The whole loop as a user drives it: `npm start` (its own DynamoDB Local, in memory), then a
 * signed webhook, the clock, a tick, the outbox, an inbound reply and the report, over HTTP only.
 */
let sys: RunningSystem;

beforeAll(async () => {
  // every log line of the run is captured: DEBUG so that nothing is left out of the search below
  sys = await startNpm({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
}, 120_000);

afterAll(async () => {
  await sys?.stop();
});

describe('npm start, driven over HTTP', () => {
  it('prints the API URL, webhook secret, admin token and where the data lives', () => {
    expect(sys.output()).toMatch(/Data\s+in memory/);
    expect(sys.adminToken.split('.')).toHaveLength(3);
  });

  it('turns a completed ticket into a survey SMS, a reply and a score', async () => {
    const { call } = sys;
    await call('POST', '/local/clock', { now: '2026-11-20T02:00:00Z' }); // 10:00 Beijing

    const accepted = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: 'E2E-1',
        completedAt: '2026-11-20T09:55:00+08:00',
        engineer: { id: 'E-e2e', name: '陈师傅', team: 'T1', region: 'R1' },
        customer: { phone: '+8613700001111', name: '刘女士' },
      }),
    );
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('scheduled');

    // not due yet: nothing sent
    await call('POST', '/local/tick');
    expect((await call('GET', '/local/sms/outbox?phone=13700001111')).body).toEqual([]);

    await call('POST', '/local/clock', { now: '2026-11-20T02:26:00Z' });
    await call('POST', '/local/tick');
    const outbox = (await call('GET', '/local/sms/outbox?phone=13700001111')).body;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: '+8613700001111', segments: 1 });
    expect(outbox[0].body).toContain('陈师傅');

    const reply = {
      originationNumber: '+8613700001111',
      destinationNumber: '+8610690000',
      messageKeyword: 'KEYWORD_000000000000',
      messageBody: '1 很好',
      inboundMessageId: 'e2e-inbound-1',
      previousPublishedMessageId: outbox[0].messageId,
    };
    expect((await call('POST', '/local/sms/inbound', reply)).status).toBe(200);
    expect((await call('POST', '/local/sms/inbound', reply)).status).toBe(200); // duplicate delivery
    const after = (await call('GET', '/local/sms/outbox?phone=13700001111')).body;
    expect(after).toHaveLength(2);
    expect(after[1].body).toMatch(/感谢/);

    expect((await call('GET', '/v1/reports/engineers?period=2026-11')).status).toBe(401);
    const report = await call('GET', '/v1/reports/engineers?period=2026-W47', undefined, {
      authorization: `Bearer ${sys.adminToken}`,
    });
    expect(report.status).toBe(200);
    expect(report.body.period).toEqual({
      id: '2026-W47',
      from: '2026-11-16T00:00:00+08:00',
      to: '2026-11-23T00:00:00+08:00',
    });
    expect(report.body.engineers).toEqual([
      expect.objectContaining({
        engineerId: 'E-e2e',
        name: '陈师傅',
        team: 'T1',
        region: 'R1',
        completed: 1,
        surveyed: 1,
        responses: 1,
        satisfied: 1,
        basicallySatisfied: 0,
        dissatisfied: 0,
        satisfactionRate: 1,
      }),
    ]);
  });

  it('mints tokens with npm run token that the server accepts, scoped by role', async () => {
    const engineerToken = execFileSync(
      'npm',
      ['run', '--silent', 'token', '--', '--role', 'engineer', '--engineer', 'E-other'],
      { env: sys.env, encoding: 'utf8' },
    ).trim();
    const res = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, {
      authorization: `Bearer ${engineerToken}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.engineers).toEqual([]);
  });

  it('never logs a phone number, a customer name or a message body in clear', () => {
    const out = sys.output();
    expect(out).toMatch(/"level":"(INFO|DEBUG)"/); // the handlers' logs are in the capture
    for (const secret of ['13700001111', '1370000111', '刘女士', '1 很好', '很好']) {
      expect(out, `log leaks ${secret}`).not.toContain(secret);
    }
    expect(out).toContain('137****1111'); // phones appear masked only
  });
});
