// Over 350 lines on purpose: the whole complaint loop of seed 003 against one table, step by step.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { closeCallback } from '#shared/app/callbacks/callbacks';
import { openComplaint, surveyOwner } from '#shared/app/callbacks/open-complaint';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { renderSms } from '#shared/domain/sms/templates';
import { listAlerts } from '#shared/gateways/alerts/local';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { aggregateUpdates, queryAggregates } from '#shared/store/aggregate';
import { callbackKey, getCallback } from '#shared/store/callback';
import { caseProgressKey } from '#shared/store/case-progress';
import { ddb, TABLE } from '#shared/store/client';
import { getSurvey } from '#shared/store/survey';
import { transact } from '#shared/store/tx';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { auditTable } from '../../infra/ops/verify.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound } from '../helpers/fixtures.ts';
import { phoneSource, surveyedTicket } from '../helpers/surveyed.ts';

/**
 * The complaint loop (docs/domain.md section 6, seed 003: record -> handle -> progress -> review ->
 * callback -> archive or handle again) and the rounds every case kind goes through, through the
 * raw callbacks handler and the scheduler, on DynamoDB Local. Case retention is set apart from the
 * raw-survey retention here to tell the two TTLs apart.
 */
const CASE_DAYS = 400;
const RAW_DAYS = 20;
const deps = testDeps({ rules: { complaints: { retentionDays: CASE_DAYS }, retention: { days: RAW_DAYS } } });
const callbacks = callbacksOn(deps);
const at = (iso: string) => pinClock(new Date(iso));
const H = 3_600_000;

const progressBody = renderSms('complaint_progress', {}, deps.rules.sms.signature).body;
const resultBody = renderSms('complaint_result', {}, deps.rules.sms.signature).body;

const freshPhone = phoneSource('137');

/** A ticket completed 2026-11-20 09:50 Beijing for `team`, its survey sent at 10:21. */
async function surveyed(team: string, engineerId: string) {
  return await surveyedTicket(deps, freshPhone(), { id: engineerId, name: '赵师傅', team });
}

/**
 * A complaint case opened on the survey at `openedAt` (10:30 Beijing by default) through the
 * open path intake uses (`openComplaint`), counted as a complaint and a case opened in the same
 * transaction.
 */
async function complaint(team: string, engineerId = `E-${team}`, openedAt = '2026-11-20T02:30:00Z') {
  const s = await surveyed(team, engineerId);
  const survey = await getSurvey(s.surveyId);
  if (!survey) throw new Error('no survey');
  at(openedAt);
  const when = new Date(openedAt);
  await transact([
    ...openComplaint(
      deps.rules,
      {
        ...surveyOwner(survey),
        caseId: survey.surveyId,
        surveyId: survey.surveyId,
        phone: survey.phone,
        comment: '网络还是不通',
      },
      when,
    ),
    ...aggregateUpdates(survey.day, survey, { complaints: 1, callbacksOpened: 1 }),
  ]);
  return { caseId: s.surveyId, phone: s.phone };
}

/** A 不满意 case opened by the customer's SMS reply at 10:21. */
async function dissatisfied(team: string, engineerId = `E-${team}`) {
  const s = await surveyed(team, engineerId);
  expect(await handleInboundSms(deps, inbound(s.phone.e164, '3'))).toBe('rated');
  return { caseId: s.surveyId, phone: s.phone };
}

type Claims = Record<string, string>;
const admin: Claims = { sub: 'admin-1', role: 'admin' };
const agent = (team: string): Claims => ({ sub: 'agent-1', role: 'agent', teams: scopeClaim(team) });
const manager = (team: string, sub = 'mgr-1'): Claims => ({ sub, role: 'manager', teams: scopeClaim(team) });

async function call(claims: Claims, route: string, id: string, body?: unknown) {
  const event = {
    ...httpEvent({
      method: route.startsWith('GET') ? 'GET' : 'POST',
      path: route.split(' ')[1] as string,
      claims,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    }),
    pathParameters: { id },
  };
  const res = await callbacks(event);
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body as string) : undefined };
}
const close = (c: Claims, id: string, body: unknown) => call(c, 'POST /v1/callbacks/{id}/close', id, body);
const review = (c: Claims, id: string, body: unknown) => call(c, 'POST /v1/callbacks/{id}/review', id, body);
const note = (c: Claims, id: string, text: string) =>
  call(c, 'POST /v1/callbacks/{id}/notes', id, { note: text });
const get = (c: Claims, id: string) => call(c, 'GET /v1/callbacks/{id}', id);

const smsTo = async (phone: { e164: string }, body: string) =>
  (await listOutbox(phone.e164)).filter((m) => m.body === body);
const raw = async (key: { pk: string; sk: string }) =>
  (await ddb.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;
const counts = async (engineerId: string) =>
  (await queryAggregates(['2026-11-20'])).find((r) => r.engineerId === engineerId);

beforeEach(() => at('2026-11-20T02:00:00Z'));

describe('the progress notice (003: not finished within 24 hours -> tell the customer)', () => {
  it('goes out once at progressNoticeHours, not a minute before, however often the scheduler runs', async () => {
    const { caseId, phone } = await complaint('T-prog');
    const c = await get(agent('T-prog'), caseId);
    expect(c.body).toMatchObject({ kind: 'complaint', ticketKind: 'repair', status: 'open' });
    expect(c.body).not.toHaveProperty('rating');

    at('2026-11-21T02:29:00Z'); // 23 h 59 min
    await runDueWork(deps);
    expect(await smsTo(phone, progressBody)).toEqual([]);

    at('2026-11-21T02:30:00Z');
    await Promise.all([runDueWork(deps), runDueWork(deps)]);
    await runDueWork(deps);
    at('2026-11-21T05:00:00Z');
    await runDueWork(deps);
    const sent = await smsTo(phone, progressBody);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.segments).toBe(1);
    expect(await raw(caseProgressKey(caseId))).toMatchObject({ status: 'sent' });
    expect((await raw(caseProgressKey(caseId)))?.gsi1pk).toBeUndefined();
    const history = (await getCallback(caseId))?.history.map((h) => h.action);
    expect(history?.filter((a) => a === 'progress_notice')).toHaveLength(1);
  });

  it('a complaint closed before the notice is due gets none; a dissatisfied case never has one', async () => {
    const { caseId, phone } = await complaint('T-prog2');
    at('2026-11-20T05:00:00Z');
    expect(
      (await close(agent('T-prog2'), caseId, { outcome: 'resolved_satisfied', note: '已修复' })).status,
    ).toBe(200);
    expect((await review(manager('T-prog2'), caseId, { approve: true, note: '同意' })).status).toBe(200);
    at('2026-11-21T03:00:00Z');
    await runDueWork(deps);
    expect(await smsTo(phone, progressBody)).toEqual([]);
    expect(await raw(caseProgressKey(caseId))).toMatchObject({ status: 'skipped' });

    const d = await dissatisfied('T-prog3');
    expect(await raw(caseProgressKey(d.caseId))).toBeUndefined();
  });

  it('an erased customer gets no notice, and the case keeps only the masked phone', async () => {
    const { caseId, phone } = await complaint('T-erase');
    at('2026-11-20T06:00:00Z');
    await eraseCustomer(deps, { subject: 'admin-1', role: 'admin', teams: [], regions: [] }, phone.national);
    const c = await getCallback(caseId);
    expect(c?.phone).toBe(`${phone.national.slice(0, 3)}****${phone.national.slice(-4)}`);
    expect(c?.comment).toBeUndefined();
    expect(c?.erasedAt).toBeDefined();
    at('2026-11-21T03:00:00Z');
    await runDueWork(deps);
    expect(await listOutbox(phone.e164)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ body: progressBody })]),
    );
    expect(await raw(caseProgressKey(caseId))).toMatchObject({ status: 'skipped' });
  });
});

describe('close -> pending_review -> review (003: 经理审查)', () => {
  it('approve: closed, the result texted to the customer, counted as a complaint closed', async () => {
    const { caseId, phone } = await complaint('T-appr');
    at('2026-11-20T04:00:00Z');
    const closed = await close(agent('T-appr'), caseId, {
      outcome: 'resolved_satisfied',
      note: '已上门修复',
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'pending_review', proposedOutcome: 'resolved_satisfied' });
    expect(closed.body).not.toHaveProperty('outcome');
    expect((await raw(callbackKey(caseId)))?.gsi2pk).toBe('CB#pending_review#T#T-appr');
    // listed under its status; a second close waits for the review
    const listed = await call(agent('T-appr'), 'GET /v1/callbacks', '');
    expect(listed.body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);
    const again = await close(agent('T-appr'), caseId, { outcome: 'unreachable', note: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/review/);
    expect((await counts('E-T-appr'))?.complaintsClosed ?? 0).toBe(0);

    at('2026-11-20T05:00:00Z');
    const approved = await review(manager('T-appr'), caseId, { approve: true, note: '处理到位' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'closed',
      outcome: 'resolved_satisfied',
      closedAt: '2026-11-20T05:00:00.000Z',
      reviewedBy: 'mgr-1',
    });
    expect(approved.body.history.map((h: { action: string }) => h.action)).toEqual([
      'opened',
      'submitted',
      'approved',
    ]);
    expect(((await getSurvey(caseId)) as unknown as { callback: unknown }).callback).toMatchObject({
      outcome: 'resolved_satisfied',
    });
    await runDueWork(deps); // the callbacks function queues the SMS; the scheduler delivers it
    expect(await smsTo(phone, resultBody)).toHaveLength(1);
    await runDueWork(deps);
    expect(await smsTo(phone, resultBody)).toHaveLength(1);
    expect(await counts('E-T-appr')).toMatchObject({
      complaints: 1,
      complaintsClosed: 1,
      callbacksClosed: 1,
      callbacksResolvedSatisfied: 1,
    });
    // the archive: kept complaints.retentionDays from its close, apart from the raw records
    const ttl = (await raw(callbackKey(caseId)))?.ttl;
    expect(ttl).toBe(Date.parse('2026-11-20T05:00:00Z') / 1000 + CASE_DAYS * 86_400);
    expect((await raw({ pk: `SURVEY#${caseId}`, sk: 'SURVEY' }))?.ttl).toBeLessThan(
      Date.parse('2026-11-20T05:00:00Z') / 1000 + (RAW_DAYS + 1) * 86_400,
    );
    expect((await review(manager('T-appr'), caseId, { approve: true, note: '再批' })).status).toBe(409);
  });

  it('reject: back to in_progress with a new deadline; overdue again later, counted once', async () => {
    const { caseId } = await complaint('T-rej');
    // nobody called: overdue at 24 h (counted), then the agent closes, the manager rejects
    at('2026-11-21T02:31:00Z');
    await runDueWork(deps);
    expect((await getCallback(caseId))?.status).toBe('overdue');
    expect(await counts('E-T-rej')).toMatchObject({ callbacksOverdue: 1, complaintsOverdue: 1 });
    expect(
      (await close(agent('T-rej'), caseId, { outcome: 'resolved_satisfied', note: '已处理' })).status,
    ).toBe(200);
    at('2026-11-21T04:00:00Z');
    const rejected = await review(manager('T-rej'), caseId, { approve: false, note: '未上门核实，重新处理' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'in_progress', deadline: '2026-11-22T04:00:00.000Z' });
    expect(rejected.body).not.toHaveProperty('proposedOutcome');
    expect((await raw(callbackKey(caseId)))?.gsi1sk).toMatch(/^2026-11-22T04:00:00.000Z#/);

    at('2026-11-22T03:59:00Z');
    await runDueWork(deps);
    expect((await getCallback(caseId))?.status).toBe('in_progress');
    at('2026-11-22T04:01:00Z');
    await runDueWork(deps);
    const c = await getCallback(caseId);
    expect(c?.status).toBe('overdue');
    expect(c?.overdueAt).toBe('2026-11-21T02:31:00.000Z'); // the first time stays
    const escalations = (await listAlerts()).filter(
      (a) => a.caseId === caseId && a.kind === 'callback_overdue',
    );
    expect(escalations).toHaveLength(2); // one per late round
    expect(await counts('E-T-rej')).toMatchObject({ callbacksOverdue: 1, complaintsOverdue: 1 });
  });

  it('a contact noted in the new round keeps it from going overdue', async () => {
    const { caseId } = await complaint('T-rej2');
    at('2026-11-20T03:00:00Z');
    await note(agent('T-rej2'), caseId, '已联系客户');
    await close(agent('T-rej2'), caseId, { outcome: 'resolved_satisfied', note: '已处理' });
    await review(manager('T-rej2'), caseId, { approve: false, note: '请复查' });
    at('2026-11-20T05:00:00Z');
    const n = await note(agent('T-rej2'), caseId, '复查中');
    expect(n.body).toMatchObject({ status: 'in_progress', roundContactedAt: '2026-11-20T05:00:00.000Z' });
    at('2026-11-22T03:00:00Z');
    await runDueWork(deps);
    expect((await getCallback(caseId))?.status).toBe('in_progress');
    expect((await counts('E-T-rej2'))?.complaintsOverdue ?? 0).toBe(0);
  });

  it('only managers and admins in scope review; agents and engineers 403; bad input 400, nothing changed', async () => {
    const { caseId } = await complaint('T-acc');
    at('2026-11-20T04:00:00Z');
    // nothing to review yet
    const early = await review(manager('T-acc'), caseId, { approve: true, note: '同意' });
    expect(early.status).toBe(409);
    await close(agent('T-acc'), caseId, { outcome: 'unreachable', note: '无人接听' });
    expect((await review(agent('T-acc'), caseId, { approve: true, note: '我来批' })).status).toBe(403);
    expect(
      (
        await review({ sub: 'e', role: 'engineer', engineerId: 'E-T-acc' }, caseId, {
          approve: true,
          note: 'x',
        })
      ).status,
    ).toBe(403);
    expect((await review(manager('T-other'), caseId, { approve: true, note: '越权' })).status).toBe(403);
    for (const body of [{ approve: 'yes', note: 'x' }, { note: 'x' }, { approve: true, note: '' }, {}]) {
      const r = await review(manager('T-acc'), caseId, body);
      expect(r.status).toBe(400);
      expect(r.body.errors.length).toBeGreaterThan(0);
    }
    const badField = await review(manager('T-acc'), caseId, { approve: 'yes', note: 'x' });
    expect(badField.body.errors.map((e: { field: string }) => e.field)).toEqual(['approve']);
    expect((await getCallback(caseId))?.status).toBe('pending_review');
    const ok = await review(admin, caseId, { approve: true, note: '管理员审核' });
    expect(ok.body).toMatchObject({ status: 'closed', outcome: 'unreachable', reviewedBy: 'admin-1' });
  });

  it('two racing reviews: one wins, the other 409 with a clear message; racing closes likewise', async () => {
    const { caseId } = await complaint('T-race');
    at('2026-11-20T04:00:00Z');
    const closes = await Promise.all([
      close(agent('T-race'), caseId, { outcome: 'resolved_satisfied', note: '甲' }),
      close(manager('T-race'), caseId, { outcome: 'resolved_unsatisfied', note: '乙' }),
    ]);
    expect(closes.map((r) => r.status).sort()).toEqual([200, 409]);
    let c = await getCallback(caseId);
    if (c?.status === 'in_progress') {
      // the unsatisfied close won: round 2; contact the customer again, close it for review
      await note(agent('T-race'), caseId, '再次联系客户');
      await close(agent('T-race'), caseId, { outcome: 'resolved_satisfied', note: '丙' });
      c = await getCallback(caseId);
    }
    expect(c?.status).toBe('pending_review');
    const reviews = await Promise.all([
      review(manager('T-race', 'mgr-a'), caseId, { approve: true, note: '同意' }),
      review(manager('T-race', 'mgr-b'), caseId, { approve: false, note: '驳回' }),
    ]);
    expect(reviews.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = reviews.find((r) => r.status === 409);
    expect(loser?.body.detail).toMatch(/changed by someone else|already closed|can be reviewed/);
    const after = await getCallback(caseId);
    expect(after?.history.filter((h) => h.action === 'approved' || h.action === 'rejected')).toHaveLength(1);
    const row = await counts('E-T-race');
    expect(row?.complaintsClosed ?? 0).toBe(after?.status === 'closed' ? 1 : 0);
  });
});

describe('resolved_unsatisfied: back to handling for every case kind, then escalation', () => {
  it('a dissatisfied case: rounds 1..3 each return it with a new deadline; the third escalates to the region', async () => {
    const { caseId, phone } = await dissatisfied('T-rnd');
    for (const [i, when] of ['2026-11-20T04:00:00Z', '2026-11-20T06:00:00Z'].entries()) {
      at(when);
      const r = await close(agent('T-rnd'), caseId, {
        outcome: 'resolved_unsatisfied',
        note: `第${i + 1}轮仍不满意`,
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        status: 'in_progress',
        round: i + 2,
        deadline: new Date(Date.parse(when) + 24 * H).toISOString(),
      });
      expect(r.body.history.at(-1)).toMatchObject({
        action: 'returned',
        outcome: 'resolved_unsatisfied',
        round: i + 2,
      });
      const stored = await raw(callbackKey(caseId));
      expect(stored?.gsi2pk).toBe('CB#in_progress#T#T-rnd');
      expect(stored?.gsi1sk).toMatch(new RegExp(`^${new Date(Date.parse(when) + 24 * H).toISOString()}#`));
      // the same close again (a double click, a retry) burns no round: it must be worked first
      const repeat = await close(agent('T-rnd'), caseId, {
        outcome: 'resolved_unsatisfied',
        note: '重复提交',
      });
      expect(repeat.status).toBe(409);
      expect(repeat.body.detail).toMatch(/returned to handling/);
      expect((await getCallback(caseId))?.round).toBe(i + 2);
      expect((await note(agent('T-rnd'), caseId, `第${i + 2}轮已联系客户`)).status).toBe(200);
    }
    expect((await counts('E-T-rnd'))?.callbacksClosed ?? 0).toBe(0);
    at('2026-11-20T08:00:00Z');
    const third = await close(agent('T-rnd'), caseId, {
      outcome: 'resolved_unsatisfied',
      note: '第3轮仍不满意',
    });
    expect(third.body).toMatchObject({
      status: 'escalated',
      round: 3,
      escalatedAt: '2026-11-20T08:00:00.000Z',
    });
    const raised = (await listAlerts()).filter((a) => a.caseId === caseId && a.kind === 'callback_escalated');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ level: 'region', region: 'R-T-rnd', team: 'T-rnd' });
    expect(JSON.stringify(raised)).not.toContain(phone.national);
    const stored = await raw(callbackKey(caseId));
    expect(stored?.gsi1pk).toBeUndefined(); // no deadline: never overdue while escalated
    expect(stored?.gsi3pk).toBe('CB#escalated#R#R-T-rnd');
    expect(await getSurvey(caseId)).not.toHaveProperty('callback');
    at('2026-11-23T08:00:00Z');
    await runDueWork(deps);
    expect((await getCallback(caseId))?.status).toBe('escalated');

    // the region works it, then closes it for good, whatever the outcome
    expect(
      (await close(manager('T-rnd'), caseId, { outcome: 'resolved_satisfied', note: '未联系' })).status,
    ).toBe(409);
    await note(manager('T-rnd'), caseId, '区域主管已致电客户');
    const last = await close(manager('T-rnd'), caseId, {
      outcome: 'resolved_unsatisfied',
      note: '区域已处理',
    });
    expect(last.body).toMatchObject({ status: 'closed', outcome: 'resolved_unsatisfied' });
    expect(await counts('E-T-rnd')).toMatchObject({ callbacksClosed: 1, callbacksResolvedUnsatisfied: 1 });
    expect((await counts('E-T-rnd'))?.complaintsClosed ?? 0).toBe(0);
  });

  it('maxRounds 1: the first resolved_unsatisfied escalates at once', async () => {
    const { caseId } = await dissatisfied('T-one');
    at('2026-11-20T04:00:00Z');
    const one = { ...deps, rules: { ...deps.rules, callbacks: { ...deps.rules.callbacks, maxRounds: 1 } } };
    const principal = { subject: 'agent-1', role: 'agent' as const, teams: ['T-one'], regions: [] };
    const r = await closeCallback(one, principal, caseId, {
      outcome: 'resolved_unsatisfied',
      note: '仍不满意',
    });
    expect(r).toMatchObject({ status: 'escalated' });
    expect(r).not.toHaveProperty('round');
  });

  it('a complaint returns to handling the same way, and reaches review only with another outcome', async () => {
    const { caseId } = await complaint('T-crnd');
    at('2026-11-20T04:00:00Z');
    const r = await close(agent('T-crnd'), caseId, { outcome: 'resolved_unsatisfied', note: '仍不通' });
    expect(r.body).toMatchObject({ status: 'in_progress', round: 2, kind: 'complaint' });
    await note(agent('T-crnd'), caseId, '已再次上门');
    const s = await close(agent('T-crnd'), caseId, { outcome: 'resolved_satisfied', note: '已恢复' });
    expect(s.body).toMatchObject({ status: 'pending_review', round: 2 });
  });
});

describe('retention and the audit', () => {
  it('a case is kept complaints.retentionDays (TTL), its progress notice as long, the survey by retention.days', async () => {
    const { caseId } = await complaint('T-ttl', 'E-T-ttl', '2026-11-20T03:00:00Z');
    const opened = Date.parse('2026-11-20T03:00:00Z') / 1000;
    expect((await raw(callbackKey(caseId)))?.ttl).toBe(opened + CASE_DAYS * 86_400);
    expect((await raw(caseProgressKey(caseId)))?.ttl).toBe(opened + CASE_DAYS * 86_400);
    const surveyTtl = (await raw({ pk: `SURVEY#${caseId}`, sk: 'SURVEY' }))?.ttl as number;
    expect(surveyTtl).toBeLessThanOrEqual(opened + RAW_DAYS * 86_400);
    expect(surveyTtl).toBeGreaterThan(opened + (RAW_DAYS - 1) * 86_400);
  });

  it('npm run verify recomputes every counter, complaints included, from the case records', async () => {
    at('2026-11-23T02:00:00Z');
    await runDueWork(deps);
    const report = await auditTable(deps, { at: new Date('2026-11-23T02:00:00Z'), allDays: true });
    expect(report.differences).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.callbacks).toBeGreaterThan(5);
    const stored = (await queryAggregates(['2026-11-20'])).reduce(
      (t, r) => ({
        closed: t.closed + (r.complaintsClosed ?? 0),
        overdue: t.overdue + (r.complaintsOverdue ?? 0),
      }),
      { closed: 0, overdue: 0 },
    );
    expect(stored.closed).toBeGreaterThan(0);
    expect(stored.overdue).toBeGreaterThan(0);
  });
});
