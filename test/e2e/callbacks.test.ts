import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * A 不满意 by SMS over HTTP: the supervisors' alert is in GET /local/alerts right after the
 * inbound request (phone masked), then an agent of the team lists, notes and closes the case
 * with a token from `npm run token`; a manager of another team gets 403.
 */
let sys: RunningSystem;
beforeAll(async () => {
  sys = await startNpm();
}, 120_000);
afterAll(async () => {
  await sys?.stop();
});

function token(...args: string[]): string {
  return execFileSync('npm', ['run', '--silent', 'token', '--', ...args], {
    env: sys.env,
    encoding: 'utf8',
  }).trim();
}

describe('callbacks over HTTP', () => {
  it('alert at once, then an agent of the team works the case; others are kept out', async () => {
    const { call } = sys;
    await call('POST', '/local/clock', { now: '2026-11-20T02:00:00Z' });
    const accepted = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: 'E2E-CB-1',
        completedAt: '2026-11-20T09:55:00+08:00',
        engineer: { id: 'E-cb-e2e', name: '吴师傅', team: 'T-cb', region: 'R-cb' },
        customer: { phone: '13700008888' },
      }),
    );
    expect(accepted.status).toBe(202);
    await call('POST', '/local/clock', { now: '2026-11-20T02:26:00Z' });
    await call('POST', '/local/tick');
    const [survey] = (await call('GET', '/local/sms/outbox?phone=13700008888')).body;
    expect(survey).toBeDefined();

    expect((await call('GET', '/local/alerts')).body).toEqual([]);
    const inbound = await call('POST', '/local/sms/inbound', {
      originationNumber: '+8613700008888',
      destinationNumber: '+8610690000',
      messageKeyword: 'KW',
      messageBody: '3 师傅迟到了',
      inboundMessageId: 'e2e-cb-1',
      previousPublishedMessageId: survey.messageId,
    });
    expect(inbound.status).toBe(200);

    // no tick in between: the alert went out with the reply
    const alerts = (await call('GET', '/local/alerts')).body;
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'callback_opened',
        level: 'supervisors',
        team: 'T-cb',
        region: 'R-cb',
      }),
    ]);
    expect(alerts[0].message).toContain('137****8888');
    expect(JSON.stringify(alerts)).not.toContain('13700008888');

    const agentAuth = { authorization: `Bearer ${token('--role', 'agent', '--teams', 'T-cb')}` };
    const listed = await call('GET', '/v1/callbacks?status=open', undefined, agentAuth);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const item = listed.body.items[0];
    expect(item).toMatchObject({ status: 'open', team: 'T-cb', rating: 3, phone: '137****8888' });
    const id = item.caseId as string;

    const one = await call('GET', `/v1/callbacks/${id}`, undefined, agentAuth);
    expect(one.status).toBe(200);
    expect(one.body.phone).toBe('+8613700008888');
    expect(one.body.comment).toBe('师傅迟到了');

    await call('POST', '/local/clock', { now: '2026-11-20T03:00:00Z' });
    const noted = await call(
      'POST',
      `/v1/callbacks/${id}/notes`,
      { note: '已致电，客户同意改天复查' },
      agentAuth,
    );
    expect(noted.status).toBe(200);
    expect(noted.body.contactedAt).toBe('2026-11-20T03:00:00.000Z');
    expect(noted.body.history.at(-1)).toMatchObject({ by: 'local-agent', action: 'note' });

    const otherManager = { authorization: `Bearer ${token('--role', 'manager', '--teams', 'T-else')}` };
    const denied = await call('GET', `/v1/callbacks/${id}`, undefined, otherManager);
    expect(denied.status).toBe(403);
    expect(await call('GET', '/v1/callbacks/no-such-case', undefined, otherManager)).toEqual(denied);
    expect((await call('GET', '/v1/callbacks?team=T-cb', undefined, otherManager)).status).toBe(403);
    expect(
      (await call('POST', `/v1/callbacks/${id}/close`, { outcome: 'unreachable', note: 'x' }, otherManager))
        .status,
    ).toBe(403);

    const closed = await call(
      'POST',
      `/v1/callbacks/${id}/close`,
      { outcome: 'resolved_satisfied', note: '复查后客户满意' },
      agentAuth,
    );
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'resolved_satisfied' });
    const again = await call(
      'POST',
      `/v1/callbacks/${id}/close`,
      { outcome: 'unreachable', note: 'x' },
      agentAuth,
    );
    expect(again.status).toBe(409);
    const closedList = await call('GET', '/v1/callbacks?status=closed', undefined, agentAuth);
    expect(closedList.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([id]);
    expect((await call('GET', '/v1/callbacks', undefined, agentAuth)).body.items).toEqual([]);
  });
});
