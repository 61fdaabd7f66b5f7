// Over 350 lines on purpose: every callback route and role against one seeded set of cases.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { listAlerts } from '#shared/gateways/alerts/local';
import { queryAggregates } from '#shared/store/aggregate';
import { callbackKey, getCallback } from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { getSurvey } from '#shared/store/survey';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const callbacks = callbacksOn(deps);

/**
 * Callback cases (回访) through the raw handler: opened by a 不满意 rating with an alert, listed
 * by status/team/region within the caller's scope, read, noted, closed once, made overdue once.
 */

const at = (iso: string) => pinClock(new Date(iso));

let phoneSeq = 0;
function freshPhone(): { national: string; e164: string } {
  phoneSeq++;
  const national = `139${String(20_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

/** A ticket completed 2026-11-20 09:50 Beijing, surveyed and rated `rating` by SMS at `ratedAt` (10:21). */
async function rated(
  team: string,
  region: string,
  rating = '3',
  engineerId = `E-${team}`,
  ratedAt = '2026-11-20T02:21:00Z',
) {
  const p = freshPhone();
  at('2026-11-20T02:00:00Z');
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        completedAt: '2026-11-20T09:50:00+08:00',
        engineer: { id: engineerId, name: '李师傅', team, region },
        customer: { phone: p.national },
      }),
    ),
  );
  at(ratedAt);
  await runDueWork(deps);
  expect(await handleInboundSms(deps, inbound(p.e164, rating))).toBe('rated');
  return { caseId: response.surveyId as string, phone: p };
}

type Claims = Record<string, string>;
const admin: Claims = { sub: 'admin-1', role: 'admin' };
const agent = (team: string): Claims => ({ sub: 'agent-1', role: 'agent', teams: scopeClaim(team) });
const manager = (team: string, region = ''): Claims => ({
  sub: 'mgr-1',
  role: 'manager',
  teams: scopeClaim(team),
  regions: scopeClaim(region),
});
const engineer: Claims = { sub: 'eng-1', role: 'engineer', engineerId: 'E-x' };

async function call(
  claims: Claims,
  method: 'GET' | 'POST',
  route: string,
  opts: { id?: string; query?: Record<string, string>; body?: unknown } = {},
) {
  const rawPath = opts.id ? route.replace('{id}', opts.id) : route;
  const event = {
    ...httpEvent({
      method,
      path: route,
      claims,
      ...(opts.query ? { query: opts.query } : {}),
      ...(opts.body !== undefined
        ? { body: JSON.stringify(opts.body), headers: { 'content-type': 'application/json' } }
        : {}),
    }),
    rawPath,
    ...(opts.id ? { pathParameters: { id: opts.id } } : {}),
  };
  const res = await callbacks(event);
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body as string) : undefined };
}

const list = (claims: Claims, query: Record<string, string> = {}) =>
  call(claims, 'GET', '/v1/callbacks', { query });
const get = (claims: Claims, id: string) => call(claims, 'GET', '/v1/callbacks/{id}', { id });
const note = (claims: Claims, id: string, body: unknown) =>
  call(claims, 'POST', '/v1/callbacks/{id}/notes', { id, body });
const close = (claims: Claims, id: string, body: unknown) =>
  call(claims, 'POST', '/v1/callbacks/{id}/close', { id, body });

const masked = (national: string) => `${national.slice(0, 3)}****${national.slice(-4)}`;

async function counts(engineerId: string) {
  const rows = await queryAggregates(['2026-11-20']);
  return rows.find((r) => r.engineerId === engineerId);
}

beforeEach(() => at('2026-11-20T02:00:00Z'));

describe('opening', () => {
  it('a 不满意 opens a case and alerts the supervisors at once, phone masked', async () => {
    const { caseId, phone } = await rated('T-open', 'R-open');
    const c = await getCallback(caseId);
    expect(c).toMatchObject({
      status: 'open',
      team: 'T-open',
      region: 'R-open',
      rating: 3,
      phone: phone.e164,
    });
    expect(c?.deadline).toBe('2026-11-21T02:21:00.000Z');

    // delivered in the rating's own request, not a scheduler tick later
    const alerts = (await listAlerts()).filter((a) => a.caseId === caseId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'callback_opened', level: 'supervisors', team: 'T-open' });
    expect(alerts[0]?.message).toContain(masked(phone.national));
    expect(JSON.stringify(alerts)).not.toContain(phone.national);
    expect(JSON.stringify(alerts)).not.toContain(phone.national.slice(3));
    expect((await counts('E-T-open'))?.callbacksOpened).toBe(1);
  });

  it('a 基本满意 opens no case by default', async () => {
    const { caseId } = await rated('T-basic', 'R-basic', '2');
    expect(await getCallback(caseId)).toBeUndefined();
    expect((await listAlerts()).filter((a) => a.caseId === caseId)).toEqual([]);
  });
});

describe('access', () => {
  it('engineer: 403 on every route', async () => {
    const { caseId } = await rated('T-eng', 'R-eng');
    expect((await list(engineer, { team: 'T-eng' })).status).toBe(403);
    expect((await get(engineer, caseId)).status).toBe(403);
    expect((await note(engineer, caseId, { note: '已联系' })).status).toBe(403);
    expect((await close(engineer, caseId, { outcome: 'unreachable', note: 'x' })).status).toBe(403);
    expect((await getCallback(caseId))?.history).toHaveLength(1);
  });

  it('a case out of scope answers exactly like a missing one (403, no detail); an admin gets 404', async () => {
    const { caseId } = await rated('T-scope', 'R-scope');
    const outsider = manager('T-other', 'R-other');
    const outOfScope = await get(outsider, caseId);
    const missing = await get(outsider, 'no-such-case');
    expect(outOfScope.status).toBe(403);
    expect(missing).toEqual(outOfScope);
    expect(JSON.stringify(outOfScope.body)).not.toContain(caseId);
    expect(await note(agent('T-other'), caseId, { note: '试试' })).toEqual(
      await note(agent('T-other'), 'no-such-case', { note: '试试' }),
    );
    expect((await close(outsider, caseId, { outcome: 'unreachable', note: 'x' })).status).toBe(403);
    expect((await get(admin, 'no-such-case')).status).toBe(404);
    expect((await getCallback(caseId))?.status).toBe('open');
  });

  it('the full phone only for agent and admin; managers see it masked', async () => {
    const { caseId, phone } = await rated('T-phone', 'R-phone');
    const asAgent = await get(agent('T-phone'), caseId);
    expect(asAgent.status).toBe(200);
    expect(asAgent.body.phone).toBe(phone.e164);
    expect(asAgent.body).toMatchObject({ caseId, rating: 3, ticketId: expect.any(String), status: 'open' });
    expect(asAgent.body.history).toEqual([
      { at: '2026-11-20T02:21:00.000Z', by: 'system', action: 'opened' },
    ]);
    expect(asAgent.body).not.toHaveProperty('pk');
    expect(asAgent.body).not.toHaveProperty('gsi1pk');
    expect((await get(admin, caseId)).body.phone).toBe(phone.e164);
    const asManager = await get(manager('', 'R-phone'), caseId);
    expect(asManager.status).toBe(200);
    expect(asManager.body.phone).toBe(masked(phone.national));
    expect(JSON.stringify(asManager.body)).not.toContain(phone.national);
  });
});

describe('listing', () => {
  it('by status, team and region, newest first, scoped to the token, phones masked, paged', async () => {
    const a = await rated('T-L1', 'R-L');
    const b = await rated('T-L2', 'R-L');
    const c = await rated('T-L3', 'R-L2');
    const d = await rated('T-L1', 'R-L', '3', 'E-T-L1', '2026-11-20T02:30:00Z'); // newer: first

    const mine = await list(agent('T-L1'));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([d.caseId, a.caseId]);
    expect(mine.body.items[0].phone).toBe(masked(d.phone.national));
    expect(mine.body.items[0]).not.toHaveProperty('history');
    expect(JSON.stringify(mine.body)).not.toContain(d.phone.national);
    expect(mine.body.cursor).toBeUndefined();

    expect((await list(agent('T-L1'), { team: 'T-L2' })).status).toBe(403);
    expect((await list(agent('T-L1'), { region: 'R-L' })).status).toBe(403);

    // a regional manager sees every team of the region, and a team of theirs elsewhere
    const regional = await list(manager('T-L3', 'R-L'));
    const ids = regional.body.items.map((i: { caseId: string }) => i.caseId);
    expect(new Set(ids)).toEqual(new Set([a.caseId, b.caseId, c.caseId, d.caseId]));
    expect(ids).toHaveLength(4); // no case twice although found by team and by region
    expect((await list(manager('T-L3', 'R-L'), { region: 'R-L2' })).status).toBe(403);
    const byTeamAndRegion = await list(manager('', 'R-L'), { team: 'T-L2', region: 'R-L' });
    expect(byTeamAndRegion.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([b.caseId]);

    // an admin who names neither lists every case (test/integration/case-lists.test.ts)
    const noFilter = await list(admin);
    expect(noFilter.status).toBe(200);
    expect(noFilter.body.items.map((i: { caseId: string }) => i.caseId)).toEqual(
      expect.arrayContaining([a.caseId, b.caseId, c.caseId, d.caseId]),
    );
    const r2 = await list(admin, { region: 'R-L2' });
    expect(r2.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([c.caseId]);

    // pages of one, no duplicates, no gaps
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 6; i++) {
      const page = await list(manager('T-L3', 'R-L'), { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((x: { caseId: string }) => x.caseId));
      cursor = page.body.cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids);

    // closed ones only under status=closed
    expect(
      (await close(agent('T-L2'), b.caseId, { outcome: 'resolved_satisfied', note: '已解决' })).status,
    ).toBe(200);
    const open = await list(admin, { region: 'R-L', status: 'open' });
    expect(open.body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(b.caseId);
    const closed = await list(admin, { region: 'R-L', status: 'closed' });
    expect(closed.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([b.caseId]);
    expect(closed.body.items[0]).toMatchObject({ status: 'closed', outcome: 'resolved_satisfied' });
  });

  it('rejects a bad status, limit or cursor naming the field', async () => {
    const bad = async (query: Record<string, string>) => {
      const r = await list(admin, { team: 'T-x', ...query });
      expect(r.status).toBe(400);
      return r.body.errors.map((e: { field: string }) => e.field);
    };
    expect(await bad({ status: 'pending' })).toEqual(['status']);
    expect(await bad({ limit: '0' })).toEqual(['limit']);
    expect(await bad({ limit: '101' })).toEqual(['limit']);
    expect(await bad({ cursor: 'not-a-cursor' })).toEqual(['cursor']);
  });
});

describe('working a case', () => {
  it('notes keep who and when; the first records the contact and ends the deadline', async () => {
    const { caseId } = await rated('T-note', 'R-note');
    at('2026-11-20T03:00:00Z');
    const first = await note(agent('T-note'), caseId, { note: '已致电客户，约明天上门复查' });
    expect(first.status).toBe(200);
    expect(first.body.contactedAt).toBe('2026-11-20T03:00:00.000Z');
    at('2026-11-20T04:00:00Z');
    const second = await note(manager('T-note'), caseId, { note: '主管已跟进' });
    expect(second.body.contactedAt).toBe('2026-11-20T03:00:00.000Z');
    expect(second.body.history.slice(1)).toEqual([
      { at: '2026-11-20T03:00:00.000Z', by: 'agent-1', action: 'note', note: '已致电客户，约明天上门复查' },
      { at: '2026-11-20T04:00:00.000Z', by: 'mgr-1', action: 'note', note: '主管已跟进' },
    ]);
    const raw = await ddb.send(new GetCommand({ TableName: TABLE, Key: callbackKey(caseId) }));
    expect(raw.Item?.gsi1pk).toBeUndefined();

    // past the deadline: contacted in time, so never overdue
    at('2026-11-22T02:00:00Z');
    await runDueWork(deps);
    expect((await getCallback(caseId))?.status).toBe('open');
    expect((await listAlerts()).filter((a) => a.caseId === caseId && a.kind === 'callback_overdue')).toEqual(
      [],
    );
  });

  it('a bad note changes nothing and names the field', async () => {
    const { caseId } = await rated('T-badnote', 'R-badnote');
    for (const body of [{ note: '' }, { note: '   ' }, { note: 'x'.repeat(501) }, {}]) {
      const r = await note(agent('T-badnote'), caseId, body);
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['note']);
    }
    expect((await getCallback(caseId))?.history).toHaveLength(1);
  });

  it('closing records the outcome beside the rating and counts it, once; a second close is 409', async () => {
    const { caseId } = await rated('T-close', 'R-close', '3', 'E-close');
    at('2026-11-20T05:00:00Z');
    const bad = await close(agent('T-close'), caseId, { outcome: 'happy', note: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['outcome']);
    expect((await close(agent('T-close'), caseId, { outcome: 'unreachable' })).status).toBe(400);

    const done = await close(agent('T-close'), caseId, {
      outcome: 'unreachable',
      note: '客户电话无人接听',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      status: 'closed',
      outcome: 'unreachable',
      closedAt: '2026-11-20T05:00:00.000Z',
      closedBy: 'agent-1',
    });
    expect(done.body.history.at(-1)).toEqual({
      at: '2026-11-20T05:00:00.000Z',
      by: 'agent-1',
      action: 'closed',
      outcome: 'unreachable',
      note: '客户电话无人接听',
    });
    const survey = await getSurvey(caseId);
    expect(survey?.rating).toBe(3);
    expect((survey as unknown as { callback: unknown }).callback).toEqual({
      outcome: 'unreachable',
      channel: 'phone',
      closedAt: '2026-11-20T05:00:00.000Z',
      by: 'agent-1',
    });
    const raw = await ddb.send(new GetCommand({ TableName: TABLE, Key: callbackKey(caseId) }));
    expect(raw.Item).toMatchObject({ gsi2pk: 'CB#closed#T#T-close', gsi3pk: 'CB#closed#R#R-close' });
    expect(raw.Item?.gsi1pk).toBeUndefined();

    const again = await close(admin, caseId, { outcome: 'resolved_satisfied', note: '再关一次' });
    expect(again.status).toBe(409);
    expect((await note(agent('T-close'), caseId, { note: '补充' })).status).toBe(409);
    // two racing closes: one wins
    const other = await rated('T-close', 'R-close', '3', 'E-close');
    const race = await Promise.all([
      close(agent('T-close'), other.caseId, { outcome: 'unreachable', note: '无人接听' }),
      close(manager('T-close'), other.caseId, { outcome: 'resolved_satisfied', note: '已解决' }),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);

    const row = await counts('E-close');
    expect(row).toMatchObject({ callbacksOpened: 2, callbacksClosed: 2 });
    expect((row?.callbacksUnreachable ?? 0) + (row?.callbacksResolvedSatisfied ?? 0)).toBe(2);
    expect(row?.callbacksResolvedUnsatisfied ?? 0).toBe(0);
    expect(row?.dissatisfied).toBe(2);
  });
});

describe('overdue', () => {
  it('no contact by the deadline: overdue once, one escalation alert to the region, counted', async () => {
    const { caseId, phone } = await rated('T-late', 'R-late', '3', 'E-late');
    at('2026-11-21T02:20:00Z'); // a minute before the deadline
    await runDueWork(deps);
    expect((await getCallback(caseId))?.status).toBe('open');

    at('2026-11-21T02:22:00Z');
    const run = await runDueWork(deps);
    expect(run.callbacksOverdue).toBeGreaterThanOrEqual(1); // other tests' cases fall due too
    at('2026-11-21T02:30:00Z');
    await runDueWork(deps);
    await runDueWork(deps);

    const c = await getCallback(caseId);
    expect(c).toMatchObject({
      status: 'overdue',
      gsi2pk: 'CB#overdue#T#T-late',
      gsi3pk: 'CB#overdue#R#R-late',
    });
    expect(c?.gsi1pk).toBeUndefined();
    expect(c?.history.at(-1)).toEqual({ at: '2026-11-21T02:22:00.000Z', by: 'system', action: 'overdue' });

    const escalations = (await listAlerts()).filter(
      (a) => a.caseId === caseId && a.kind === 'callback_overdue',
    );
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ level: 'region', region: 'R-late', team: 'T-late' });
    expect(escalations[0]?.message).toContain(masked(phone.national));
    expect(JSON.stringify(escalations)).not.toContain(phone.national);
    expect((await counts('E-late'))?.callbacksOverdue).toBe(1);

    const overdueList = await list(manager('', 'R-late'), { status: 'overdue' });
    expect(overdueList.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([caseId]);
    expect((await list(manager('', 'R-late'), { status: 'open' })).body.items).toEqual([]);

    // a late note records the contact; the case stays overdue until closed
    const late = await note(agent('T-late'), caseId, { note: '终于联系上客户' });
    expect(late.body).toMatchObject({ status: 'overdue', contactedAt: '2026-11-21T02:30:00.000Z' });
    const closed = await close(agent('T-late'), caseId, { outcome: 'resolved_satisfied', note: '已解决' });
    expect(closed.body.status).toBe('closed');
    expect(await counts('E-late')).toMatchObject({
      callbacksOverdue: 1,
      callbacksClosed: 1,
      callbacksResolvedSatisfied: 1,
    });
  });

  it('a first note after the deadline but before the scheduler ran still makes the case overdue', async () => {
    const { caseId } = await rated('T-late2', 'R-late2', '3', 'E-late2');
    at('2026-11-21T03:00:00Z');
    const r = await note(agent('T-late2'), caseId, { note: '联系上了' });
    expect(r.body).toMatchObject({ status: 'overdue', contactedAt: '2026-11-21T03:00:00.000Z' });
    expect(r.body.history.map((h: { action: string }) => h.action)).toEqual(['opened', 'overdue', 'note']);
    await runDueWork(deps);
    expect(
      (await listAlerts()).filter((a) => a.caseId === caseId && a.kind === 'callback_overdue'),
    ).toHaveLength(1);
    expect((await counts('E-late2'))?.callbacksOverdue).toBe(1);
  });
});
