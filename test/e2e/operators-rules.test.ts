import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The operators' rules over HTTP with the local clock: reminder, expiry, the waiting second
 * survey for a phone, fatigue suppression, reopen before and after sending, the reasons
 * question, and a ticket completed at 00:30 Beijing time on the 1st landing in that month.
 */
let sys: RunningSystem;
beforeAll(async () => {
  sys = await startNpm();
}, 120_000);
afterAll(async () => {
  await sys?.stop();
});

const phones = {
  a: '13700002222',
  b: '13700003333',
  c1: '13700004444',
  c2: '13700005555',
  d: '13700006666',
  e: '13700007777',
};
const eng = (id: string) => ({ id, name: '测试工程师', team: 'T-ops', region: 'R-ops' });
const clock = (iso: string) => sys.call('POST', '/local/clock', { now: iso });
const tick = () => sys.call('POST', '/local/tick');
const outbox = async (phone: string): Promise<Array<{ body: string; messageId: string }>> =>
  (await sys.call('GET', `/local/sms/outbox?phone=${phone}`)).body;
let inboundSeq = 0;
const reply = (phone: string, messageBody: string) =>
  sys.call('POST', '/local/sms/inbound', {
    originationNumber: `+86${phone}`,
    destinationNumber: '+8610690000',
    messageKeyword: 'KW',
    messageBody,
    inboundMessageId: `ops-${++inboundSeq}`,
  });
const complete = (ticketId: string, engineerId: string, phone: string, completedAt: string, extra = {}) =>
  sys.webhook(
    '/v1/tickets/completed',
    ticketBody({ ticketId, completedAt, engineer: eng(engineerId), customer: { phone }, ...extra }),
  );
const report = async (period: string) => {
  const res = await sys.call('GET', `/v1/reports/engineers?${period}`, undefined, {
    authorization: `Bearer ${sys.adminToken}`,
  });
  expect(res.status).toBe(200);
  return res.body as { engineers: Array<Record<string, any>> };
};
const row = (r: { engineers: Array<Record<string, any>> }, id: string) =>
  r.engineers.find((e) => e.engineerId === id);

describe('the operators’ rules, over HTTP', () => {
  it('walks the whole conversation through four days of local clock', async () => {
    // Day 1, 10:00 Beijing: five tickets, four surveys fall due and go out.
    await clock('2026-11-20T02:00:00Z');
    expect((await complete('A1', 'E-a', phones.a, '2026-11-20T09:20:00+08:00')).status).toBe(202);
    expect((await complete('B1', 'E-b', phones.b, '2026-11-20T09:20:00+08:00')).status).toBe(202);
    expect((await complete('C2', 'E-c2', phones.c2, '2026-11-20T09:20:00+08:00')).status).toBe(202);
    const d1 = await complete('D1', 'E-d', phones.d, '2026-11-20T09:20:00+08:00', {
      reportedAt: '2026-11-20T06:00:00+08:00',
      firstContactAt: '2026-11-20T06:10:00+08:00', // within 15 min: on time
      appointmentAt: '2026-11-20T08:00:00+08:00',
      arrivedAt: '2026-11-20T08:05:00+08:00', // within 10 min: punctual
      // 3h20m for an urban equipment fault (limit 3 h): late
    });
    expect(d1.status).toBe(202);
    const c1 = await complete('C1', 'E-c1', phones.c1, '2026-11-20T09:58:00+08:00'); // due 10:28
    expect((await tick()).status).toBe(200);
    for (const p of [phones.a, phones.b, phones.c2, phones.d]) expect(await outbox(p)).toHaveLength(1);
    expect(await outbox(phones.c1)).toHaveLength(0);

    // 10:10: fatigue, reopen before and after sending, the reasons question.
    await clock('2026-11-20T02:10:00Z');
    const b2 = await complete('B2', 'E-b', phones.b, '2026-11-20T10:05:00+08:00');
    // Accepted from the ticket alone; the scheduler's plan reads the phone and suppresses it.
    expect(b2).toMatchObject({ status: 202, body: { status: 'scheduled' } });
    expect((await tick()).body).toMatchObject({ suppressed: 1 }); // B was surveyed 10 minutes ago
    expect(await outbox(phones.b)).toHaveLength(1);

    const reopen = (ticketId: string, reopenedAt: string) =>
      sys.webhook('/v1/tickets/reopened', { source: 'ossA', ticketId, reopenedAt });
    expect(await reopen('C1', '2026-11-20T10:02:00+08:00')).toMatchObject({
      status: 200,
      body: { survey: 'cancelled' },
    });
    expect(await reopen('C1', '2026-11-20T10:02:00+08:00')).toMatchObject({
      status: 200,
      body: { survey: 'kept' },
    });
    const c1again = await complete('C1', 'E-c1', phones.c1, '2026-11-20T10:06:00+08:00');
    expect(c1again.status).toBe(202);
    expect(c1again.body.surveyId).not.toBe(c1.body.surveyId);
    // a late duplicate of the first completion is not a new one
    expect((await complete('C1', 'E-c1', phones.c1, '2026-11-20T09:58:00+08:00')).status).toBe(200);

    expect(await reopen('C2', '2026-11-20T10:05:00+08:00')).toMatchObject({
      status: 200,
      body: { survey: 'closed_uncounted' },
    });
    expect((await reopen('NOPE', '2026-11-20T10:05:00+08:00')).status).toBe(404);
    await reply(phones.c2, '1');
    expect((await outbox(phones.c2)).at(-1)?.body).toContain('没有需要您回复');

    await reply(phones.d, '3');
    expect((await outbox(phones.d)).at(-1)?.body).toContain('1上门不准时');
    await reply(phones.d, '1，2 师傅态度不好');
    const dMsgs = await outbox(phones.d);
    expect(dMsgs).toHaveLength(3);
    expect(dMsgs[2]?.body).toContain('主管');
    for (const m of dMsgs) expect(m.body.length).toBeLessThanOrEqual(70);

    // Day 2, 09:45: a second ticket for phone A, due 10:10 (24h10m after A's first survey).
    await clock('2026-11-21T01:45:00Z');
    expect(await complete('A2', 'E-a', phones.a, '2026-11-21T09:40:00+08:00')).toMatchObject({
      status: 202,
      body: { status: 'scheduled' },
    });
    // 10:15: A's first survey gets its one reminder; the second waits behind it.
    await clock('2026-11-21T02:15:00Z');
    const t3 = (await tick()).body;
    expect(t3.queued).toBe(1);
    const aMsgs = await outbox(phones.a);
    expect(aMsgs).toHaveLength(2);
    expect(aMsgs[1]?.body).toContain('期待您的评价');
    await tick();
    expect(await outbox(phones.a)).toHaveLength(2); // one reminder only

    // Day 4, 10:01: 72 hours passed: A's first survey expires and the waiting one goes out.
    await clock('2026-11-23T02:01:00Z');
    await tick();
    await tick();
    const aAll = await outbox(phones.a);
    expect(aAll).toHaveLength(3);
    expect(aAll[2]?.body).toMatch(/回复1满意/);

    // 1 December, 00:30 Beijing time belongs to December.
    await clock('2026-12-01T01:00:00Z');
    expect((await complete('E1', 'E-e', phones.e, '2026-12-01T00:30:00+08:00')).status).toBe(202);
    await tick(); // the scheduler plans it and counts the completion

    const nov = await report('period=2026-11');
    expect(row(nov, 'E-e')).toBeUndefined();
    expect(row(nov, 'E-a')).toMatchObject({
      completed: 2,
      surveyed: 2,
      responses: 0,
      responseRate: 0,
      funnel: { expired: 2, reminded: 1 }, // by December A's second survey has expired too
    });
    expect(row(nov, 'E-b')).toMatchObject({
      completed: 2,
      surveyed: 1,
      funnel: { suppressed: { total: 1, recently_surveyed: 1 } },
    });
    expect(row(nov, 'E-c1')).toMatchObject({
      completed: 2,
      surveyed: 1,
      funnel: { reopened: 1, cancelled: 1 },
    });
    expect(row(nov, 'E-c2')).toMatchObject({
      completed: 1,
      surveyed: 0,
      funnel: { reopened: 1, cancelled: 1 },
    });
    const d = row(nov, 'E-d');
    expect(d).toMatchObject({
      responses: 1,
      dissatisfied: 1,
      satisfactionRate: 0,
      dissatisfactionRate: 1,
      averagePoints: 0,
      contactOnTimeRate: 1,
      repairOnTimeRate: 0,
      punctualityRate: 1,
      reasons: { late: 1, attitude: 1, uniform: 0, mess: 0, unsolved: 0, other: 0 },
      sampleSufficient: false,
    });
    // 50·0 + 20·0 + 15·100 + 15·100 over the full weight 100
    expect(d?.score).toBeCloseTo(30, 6);
    expect(d?.flags).toEqual(expect.arrayContaining(['below_target', 'insufficient_sample']));

    const dec = await report('period=2026-12');
    expect(row(dec, 'E-e')).toMatchObject({ completed: 1 });
    const range = await report('from=2026-11-30&to=2026-12-01');
    expect(row(range, 'E-e')).toMatchObject({ completed: 1 });
    expect(
      (
        await sys.call('GET', '/v1/reports/engineers?from=2026-12-01', undefined, {
          authorization: `Bearer ${sys.adminToken}`,
        })
      ).status,
    ).toBe(400);
  });
});
