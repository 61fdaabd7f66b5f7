import { beforeAll, describe, expect, it } from 'vitest';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { reports as reportsOn } from '../../functions/reports/handler.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound } from '../helpers/fixtures.ts';
import { phoneSource, surveyedTicket } from '../helpers/surveyed.ts';

const deps = testDeps();
const callbacks = callbacksOn(deps);
const reports = reportsOn(deps);

/**
 * Team and region names are identifiers: `North Team` is one team, not `North` and `Team`, and a
 * `#` in a name (the roll-ups' sort keys are `{team}#{engineerId}`) does not open another team's
 * prefix. Through the raw handlers, with tokens' lists as JSON arrays.
 */

const TEAMS = {
  northTeam: { team: 'North Team', region: '华东，上海', engineerId: 'E-NT' },
  north: { team: 'North', region: 'R-N', engineerId: 'E-N' },
  team: { team: 'Team', region: 'R-T', engineerId: 'E-T' },
  northHash: { team: 'North#X', region: 'R-NX', engineerId: 'E-NX' },
  chinese: { team: '（南区）二组，夜班', region: '江西 南昌', engineerId: 'E-CN' },
  comma: { team: 'A, B', region: 'R-AB', engineerId: 'E-AB' },
} as const;
type Key = keyof typeof TEAMS;

const caseIds = {} as Record<Key, string>;
const nextPhone = phoneSource('139');

/** A completion for the engineer, surveyed and rated 不满意 (opens a callback case). */
async function ratedBadly(key: Key): Promise<void> {
  const { team, region, engineerId } = TEAMS[key];
  const { surveyId, phone } = await surveyedTicket(deps, nextPhone(), {
    id: engineerId,
    name: '李师傅',
    team,
    region,
  });
  expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
  caseIds[key] = surveyId;
}

beforeAll(async () => {
  for (const key of Object.keys(TEAMS) as Key[]) await ratedBadly(key);
  pinClock(new Date('2026-11-20T03:00:00Z'));
}, 120_000);

type Claims = Record<string, string>;
const manager = (teams: string[], regions: string[] = []): Claims => ({
  sub: 'mgr',
  role: 'manager',
  teams: scopeClaim(...teams),
  regions: scopeClaim(...regions),
});

async function report(route: string, claims: Claims, period: string) {
  const event = httpEvent({ method: 'GET', path: route, query: { period }, claims });
  const res = await reports(event);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) };
}

async function callbacksCall(
  claims: Claims,
  route: string,
  opts: { id?: string; query?: Record<string, string> } = {},
) {
  const event = {
    ...httpEvent({ method: 'GET', path: route, claims, ...(opts.query ? { query: opts.query } : {}) }),
    rawPath: opts.id ? route.replace('{id}', opts.id) : route,
    ...(opts.id ? { pathParameters: { id: opts.id } } : {}),
  };
  const res = await callbacks(event);
  return { status: res.statusCode, body: res.body ? JSON.parse(String(res.body)) : undefined };
}

const engineerIds = (body: { engineers: { engineerId: string }[] }) =>
  body.engineers.map((e) => e.engineerId).sort();

describe('reports: a manager sees exactly the teams named in the token', () => {
  // a day in the month (daily items) and the whole month (the roll-ups' sort-key prefixes)
  for (const period of ['2026-11-20', '2026-11']) {
    it(`${period}: "North Team" sees only North Team, "North" not "North#X" or "North Team"`, async () => {
      if (period === '2026-11') pinClock(new Date('2026-12-10T02:00:00Z'));
      try {
        const nt = await report('/v1/reports/engineers', manager(['North Team']), period);
        expect(nt.status).toBe(200);
        expect(engineerIds(nt.body)).toEqual(['E-NT']);
        const teams = await report('/v1/reports/teams', manager(['North Team']), period);
        expect(teams.body.teams.map((t: { team: string }) => t.team)).toEqual(['North Team']);

        expect(engineerIds((await report('/v1/reports/engineers', manager(['North']), period)).body)).toEqual(
          ['E-N'],
        );
        expect(engineerIds((await report('/v1/reports/engineers', manager(['Team']), period)).body)).toEqual([
          'E-T',
        ]);
        expect(
          engineerIds((await report('/v1/reports/engineers', manager(['North#X']), period)).body),
        ).toEqual(['E-NX']);
        const awkward = await report(
          '/v1/reports/engineers',
          manager(['（南区）二组，夜班', 'A, B']),
          period,
        );
        expect(engineerIds(awkward.body)).toEqual(['E-AB', 'E-CN']);
        const regional = await report(
          '/v1/reports/engineers',
          manager([], ['华东，上海', '江西 南昌']),
          period,
        );
        expect(engineerIds(regional.body)).toEqual(['E-CN', 'E-NT']);
      } finally {
        pinClock(new Date('2026-11-20T03:00:00Z'));
      }
    });
  }
});

describe('callbacks: a manager of "North Team" works their own cases, and only those', () => {
  it('lists and reads their own cases (200), not those of "North" or "Team"', async () => {
    const nt = manager(['North Team']);
    const listed = await callbacksCall(nt, '/v1/callbacks');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { caseId: string }) => c.caseId)).toEqual([caseIds.northTeam]);
    expect((await callbacksCall(nt, '/v1/callbacks', { query: { team: 'North Team' } })).status).toBe(200);
    expect((await callbacksCall(nt, '/v1/callbacks/{id}', { id: caseIds.northTeam })).status).toBe(200);
    for (const other of ['north', 'team', 'northHash'] as const) {
      expect((await callbacksCall(nt, '/v1/callbacks/{id}', { id: caseIds[other] })).status).toBe(403);
    }
    expect((await callbacksCall(nt, '/v1/callbacks', { query: { team: 'North' } })).status).toBe(403);
    expect((await callbacksCall(nt, '/v1/callbacks', { query: { team: 'Team' } })).status).toBe(403);
  });

  it('names with commas, full-width punctuation and Chinese, by team and by region', async () => {
    const m = manager(['A, B'], ['江西 南昌']);
    const listed = await callbacksCall(m, '/v1/callbacks');
    expect(listed.body.items.map((c: { caseId: string }) => c.caseId).sort()).toEqual(
      [caseIds.comma, caseIds.chinese].sort(),
    );
    expect((await callbacksCall(m, '/v1/callbacks/{id}', { id: caseIds.chinese })).status).toBe(200);
    expect((await callbacksCall(m, '/v1/callbacks/{id}', { id: caseIds.northTeam })).status).toBe(403);
  });

  it('a token whose list is not a JSON array answers 401, never a guess', async () => {
    const res = await callbacksCall({ sub: 'mgr', role: 'manager', teams: 'North Team' }, '/v1/callbacks');
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/teams must be a JSON array/);
  });
});
