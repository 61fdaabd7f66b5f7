import { beforeAll, describe, expect, it } from 'vitest';
import { reports as reportsOn } from '#functions/reports/handler';
import type { EngineerDetail } from '#shared/app/reports/engineer-detail';
import type { TeamReport } from '#shared/app/reports/rollups';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

/**
 * `rankInTeam` on GET /v1/reports/engineers/{engineerId}: the engineer's place within their team,
 * ordered as the team report orders the team (score.ts `rank`), colleagues never named; at its
 * edges: ties, insufficient samples, an engineer alone in their team, a moved engineer, no data.
 *
 * minSample 2. Team TA (R1): A1 3 x 满意; A2 and A4 each 满意 + 不满意 (a tie: A2 before A4 by id);
 * A3 one 满意 (insufficient). M1 in TB (R1) on 11-05 (2 x 不满意), in TA on 11-19 (one 满意).
 * TB also has B1 (2 x 满意). TS (R2): S1 alone.
 */
const deps = testDeps({ rules: { score: { minSample: 2 } } });
const reports = reportsOn(deps);

interface Eng {
  id: string;
  name: string;
  team: string;
  region: string;
}
const eng = (id: string, name: string, team: string, region = 'R1'): Eng => ({ id, name, team, region });
const A1 = eng('A1', '甲一', 'TA');
const A2 = eng('A2', '甲二', 'TA');
const A3 = eng('A3', '甲三', 'TA');
const A4 = eng('A4', '甲四', 'TA');
const M1b = eng('M1', '迁移', 'TB');
const M1a = eng('M1', '迁移', 'TA');
const B1 = eng('B1', '乙一', 'TB');
const S1 = eng('S1', '丙一', 'TS', 'R2');

let phoneSeq = 0;
const freshPhone = () => `+86137${String(20_000_000 + ++phoneSeq * 7919).slice(-8)}`;

/** One completed ticket per reply at 09:00 Beijing on `day`, sent at 09:31, answered after. */
async function seedDay(day: string, answers: Array<[Eng, string]>) {
  pinClock(new Date(`${day}T01:00:00Z`));
  const phones: string[] = [];
  for (const [e] of answers) {
    const phone = freshPhone();
    phones.push(phone);
    await completeAndPlan(
      deps,
      ticketCompletedSchema.parse(
        ticketBody({
          customer: { phone: phone.slice(3) },
          engineer: e,
          completedAt: `${day}T09:00:00+08:00`,
        }),
      ),
    );
  }
  pinClock(new Date(`${day}T01:31:00Z`));
  await runDueWork(deps);
  for (const [i, [, reply]] of answers.entries()) {
    pinClock(new Date(`${day}T01:${40 + i}:00Z`));
    expect(await handleInboundSms(deps, inbound(phones[i] as string, reply))).toBe('rated');
  }
}

beforeAll(async () => {
  await seedDay('2026-11-05', [
    [A1, '1'],
    [A1, '1'],
    [A1, '1'],
    [A2, '1'],
    [A2, '3'],
    [A4, '3'],
    [A4, '1'],
    [A3, '1'],
    [M1b, '3'],
    [M1b, '3'],
    [B1, '1'],
    [B1, '1'],
    [S1, '1'],
  ]);
  await seedDay('2026-11-19', [[M1a, '1']]);
  pinClock(new Date('2026-12-10T02:00:00Z'));
}, 120_000);

type Claims = Record<string, string>;
const ADMIN: Claims = { sub: 'admin', role: 'admin' };
const mgr = (team: string): Claims => ({ sub: 'm', role: 'manager', teams: scopeClaim(team), regions: '[]' });
const engineer = (id: string): Claims => ({ sub: id, role: 'engineer', engineerId: id });

async function get(route: string, claims: Claims, query: Record<string, string>, engineerId?: string) {
  const path = engineerId ? route.replace('{engineerId}', engineerId) : route;
  const event = httpEvent({ method: 'GET', path, query, claims });
  event.routeKey = `GET ${route}`;
  event.requestContext.routeKey = `GET ${route}`;
  if (engineerId) event.pathParameters = { engineerId };
  const res = await reports(event);
  return { status: res.statusCode, raw: res.body ?? '' };
}

async function detail(id: string, claims: Claims, query: Record<string, string> = { period: '2026-11' }) {
  const res = await get('/v1/reports/engineers/{engineerId}', claims, query, id);
  expect(res.status).toBe(200);
  return { body: JSON.parse(res.raw) as EngineerDetail, raw: res.raw };
}

const rankOf = async (id: string, claims: Claims, query?: Record<string, string>) =>
  (await detail(id, claims, query)).body.rankInTeam;

describe('rankInTeam on the engineer detail', () => {
  it('orders the team as the team report does: sufficient samples first, ties by id', async () => {
    const res = await get('/v1/reports/teams', ADMIN, { period: '2026-11' });
    const ta = (JSON.parse(res.raw) as TeamReport).teams.find((t) => t.team === 'TA');
    const order = ta?.engineers.map((e) => e.engineerId);
    expect(order).toEqual(['A1', 'A2', 'A4', 'A3', 'M1']);
    for (const [i, id] of (order ?? []).entries()) {
      expect(await rankOf(id, ADMIN)).toMatchObject({ rank: i + 1, of: 5 });
    }
    // A2 and A4 have the same figures: the tie falls to the id, as in every ranking
    const [a2, a4] = await Promise.all([detail('A2', ADMIN), detail('A4', ADMIN)]);
    expect(a2.body.score).toBe(a4.body.score);
    expect(a2.body.rankInTeam).toEqual({ rank: 2, of: 5, sampleSufficient: true });
    expect(a4.body.rankInTeam).toEqual({ rank: 3, of: 5, sampleSufficient: true });
  });

  it('an insufficient sample ranks after every sufficient one, whatever its score, and says so', async () => {
    const a3 = (await detail('A3', ADMIN)).body;
    expect(a3.score).toBe(100);
    expect(a3.sampleSufficient).toBe(false);
    expect(a3.rankInTeam).toEqual({ rank: 4, of: 5, sampleSufficient: false });
  });

  it('an engineer alone in their team is 1 of 1', async () => {
    expect(await rankOf('S1', engineer('S1'))).toEqual({ rank: 1, of: 1, sampleSufficient: false });
    // a week (daily aggregates): M1 is TA's only engineer in W47
    expect(await rankOf('M1', engineer('M1'), { period: '2026-W47' })).toEqual({
      rank: 1,
      of: 1,
      sampleSufficient: false,
    });
  });

  it('the engineer sees their own place and nothing of their colleagues', async () => {
    const { body, raw } = await detail('A3', engineer('A3'));
    expect(body.rankInTeam).toEqual({ rank: 4, of: 5, sampleSufficient: false });
    for (const other of [A1, A2, A4, M1a, B1]) {
      expect(raw).not.toContain(other.name);
      expect(raw).not.toContain(`"${other.id}"`);
    }
    // another engineer's detail (and so their rank) stays 403
    expect(
      (await get('/v1/reports/engineers/{engineerId}', engineer('A3'), { period: '2026-11' }, 'A1')).status,
    ).toBe(403);
  });

  it('is the same for the engineer, their manager and an admin; a week and a range read like the month', async () => {
    const expected = { rank: 2, of: 5, sampleSufficient: true };
    expect(await rankOf('A2', engineer('A2'))).toEqual(expected);
    expect(await rankOf('A2', mgr('TA'))).toEqual(expected);
    // a range = the whole month (roll-ups) plus two days of December (daily items, none)
    expect(await rankOf('A2', ADMIN, { from: '2026-11-01', to: '2026-12-02' })).toEqual(expected);
    // W45 (11-02..11-08) from the daily aggregates: M1 was in TB then, so TA has four engineers
    expect(await rankOf('A1', ADMIN, { period: '2026-W45' })).toEqual({
      rank: 1,
      of: 4,
      sampleSufficient: true,
    });
    expect(await rankOf('A4', ADMIN, { period: '2026-W45' })).toEqual({
      rank: 3,
      of: 4,
      sampleSufficient: true,
    });
  });

  it('a moved engineer ranks within the team the viewer sees them in, on the days counted there', async () => {
    // their latest team of the month is TA, with one response there
    expect(await rankOf('M1', engineer('M1'))).toEqual({ rank: 5, of: 5, sampleSufficient: false });
    // TB's manager sees the TB days: two 不满意 against B1's two 满意
    const tb = (await detail('M1', mgr('TB'))).body;
    expect(tb.team).toBe('TB');
    expect(tb.rankInTeam).toEqual({ rank: 2, of: 2, sampleSufficient: true });
  });

  it('null when nothing of theirs is counted in the period, or they were never seen', async () => {
    expect(await rankOf('A1', ADMIN, { period: '2026-10' })).toBeNull();
    expect(await rankOf('E9', engineer('E9'))).toBeNull();
  });

  it('the engineer report names whom it was cut for, so that a page can choose its view', async () => {
    const as = async (claims: Claims) =>
      JSON.parse((await get('/v1/reports/engineers', claims, { period: '2026-11' })).raw).viewer;
    expect(await as(engineer('A3'))).toEqual({ role: 'engineer', engineerId: 'A3' });
    expect(await as(mgr('TA'))).toEqual({ role: 'manager', engineerId: null });
    expect(await as(ADMIN)).toEqual({ role: 'admin', engineerId: null });
  });
});
