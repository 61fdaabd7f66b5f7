import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-local.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The web survey over HTTP: `npm start` with a source configured for it; the link in the SMS
 * points at the local server (PUBLIC_BASE_URL defaults to its URL), the page is fetched and the
 * form posted as a browser would.
 */
let sys: RunningSystem;
beforeAll(async () => {
  sys = await startNpm({
    PORT: String(await freePort()),
    RULES: JSON.stringify({ sources: { web: { webSurvey: true } } }),
  });
}, 120_000);
afterAll(async () => {
  await sys?.stop();
});

const outbox = async (phone: string): Promise<Array<{ body: string; segments: number }>> =>
  (await sys.call('GET', `/local/sms/outbox?phone=${phone}`)).body;

describe('the web survey, over HTTP', () => {
  it('sends the link, serves the page, takes the form once and counts it', async () => {
    await sys.call('POST', '/local/clock', { now: '2026-11-20T02:00:00Z' });
    const completed = (id: string, name: string, phone: string) =>
      sys.webhook(
        '/v1/tickets/completed',
        ticketBody({
          source: 'web',
          completedAt: '2026-11-20T09:20:00+08:00',
          engineer: { id, name, team: 'T-web', region: 'R-web' },
          customer: { phone },
        }),
      );
    expect((await completed('E-webA', '张伟', '13600001111')).status).toBe(202);
    // A 10-character name leaves no room for this server's long link: the digit prompt goes out.
    expect((await completed('E-webB', '欧阳一二三四五六七八', '13600002222')).status).toBe(202);
    expect((await sys.call('POST', '/local/tick')).status).toBe(200);

    const [sms] = await outbox('13600001111');
    expect(sms?.segments).toBe(1);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]{16}) 回T退订$/.exec(sms?.body ?? '')?.[1];
    expect(link, sms?.body).toBeDefined();
    expect(link?.startsWith(sys.url)).toBe(true);
    const [fallback] = await outbox('13600002222');
    expect(fallback?.body).toContain('回复1满意，2基本满意，3不满意');

    const page = await fetch(link as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('张伟');

    const post = () =>
      fetch(link as string, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'rating=3&reasons=1&reasons=5&comment=%E7%BD%91%E8%BF%98%E6%98%AF%E6%96%AD', // 网还是断
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('服务主管将在24小时内致电您');
    expect((await post()).status).toBe(410);
    expect((await fetch(link as string)).status).toBe(410);

    const sent = await outbox('13600001111');
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toContain('服务主管将在24小时内致电您');

    const report = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, {
      authorization: `Bearer ${sys.adminToken}`,
    });
    const row = (report.body.engineers as Array<Record<string, unknown>>).find(
      (e) => e.engineerId === 'E-webA',
    );
    expect(row).toMatchObject({ responses: 1, dissatisfied: 1 });
  });
});
