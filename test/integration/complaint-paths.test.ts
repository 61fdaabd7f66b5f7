import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { complaintCaseId } from '#shared/domain/complaints';
import { renderSms } from '#shared/domain/sms/templates';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { queryAggregates } from '#shared/store/aggregate';
import { callbackKey, getCallback } from '#shared/store/callback';
import { caseCustomerKey } from '#shared/store/case-customer';
import { caseProgressKey } from '#shared/store/case-progress';
import { ddb, TABLE } from '#shared/store/client';
import { customerRecords } from '#shared/store/customer';
import { surveyKey } from '#shared/store/survey';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { auditTable } from '../../infra/ops/verify.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound } from '../helpers/fixtures.ts';
import { phoneSource, surveyedTicket } from '../helpers/surveyed.ts';

/**
 * Every path that makes a complaint case, driven through the customer's SMS (handleInboundSms),
 * gets the one progress notice; a complaint upgraded from an overdue dissatisfied case is counted
 * as the recompute counts it; a case outlives its survey (erasure still finds it, a close still
 * works). Contact is due within 2 hours here, so a case can go overdue while its survey still
 * waits for the reasons; case retention is apart from the raw-survey retention.
 */
const deps = testDeps({
  rules: {
    callbacks: { contactWithinHours: 2 },
    complaints: { retentionDays: 400 },
    retention: { days: 20 },
  },
});
const api = callbacksOn(deps);
const at = (iso: string) => pinClock(new Date(iso));
const progressBody = renderSms('complaint_progress', {}, deps.rules.sms.signature).body;

const freshPhone = phoneSource('135', 40_000_000);

/** A ticket completed 2026-11-20 09:50 Beijing for `team`, its survey sent at 10:21 (open). */
async function surveyed(team: string) {
  return await surveyedTicket(deps, freshPhone(), { id: `E-${team}`, name: '周师傅', team });
}

const raw = async (key: { pk: string; sk: string }) =>
  (await ddb.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;
const progressTo = async (phone: { e164: string }) =>
  (await listOutbox(phone.e164)).filter((m) => m.body === progressBody);
const counts = async (engineerId: string) =>
  (await queryAggregates(['2026-11-20'])).find((r) => r.engineerId === engineerId);

/** The progress SMS goes out at progressNoticeHours after `openedAt`, not a minute before, and once. */
async function expectOneProgressNotice(caseId: string, phone: { e164: string }, openedAt: string) {
  expect(await raw(caseProgressKey(caseId))).toMatchObject({ status: 'pending' });
  const due = Date.parse(openedAt) + deps.rules.complaints.progressNoticeHours * 3_600_000;
  pinClock(new Date(due - 60_000));
  await runDueWork(deps);
  expect(await progressTo(phone)).toEqual([]);
  pinClock(new Date(due));
  await runDueWork(deps);
  expect(await progressTo(phone)).toHaveLength(1);
  pinClock(new Date(due + 3_600_000));
  await runDueWork(deps);
  await runDueWork(deps);
  expect(await progressTo(phone)).toHaveLength(1);
  expect(await raw(caseProgressKey(caseId))).toMatchObject({ status: 'sent' });
}

async function close(team: string, caseId: string, outcome: string) {
  const claims = { sub: 'agent-1', role: 'agent', teams: scopeClaim(team) };
  const event = {
    ...httpEvent({
      method: 'POST',
      path: '/v1/callbacks/{id}/close',
      claims,
      body: JSON.stringify({ outcome, note: '已回访' }),
      headers: { 'content-type': 'application/json' },
    }),
    pathParameters: { id: caseId },
  };
  const res = await api(event);
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body as string) : undefined };
}

/** What DynamoDB's TTL does to an expired survey (DynamoDB Local does not expire items). */
const expire = (key: { pk: string; sk: string }) =>
  ddb.send(new DeleteCommand({ TableName: TABLE, Key: key }));

beforeEach(() => at('2026-11-20T02:00:00Z'));

describe('the progress notice on every path that makes a complaint case', () => {
  it('a complaint text while the survey is open', async () => {
    const { surveyId, phone } = await surveyed('T-p1');
    at('2026-11-20T02:30:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '我要投诉，网络还是不通'))).toBe('complaint');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint' });
    await expectOneProgressNotice(surveyId, phone, '2026-11-20T02:30:00Z');
  });

  it('a complaint text with no survey open (a case of its own)', async () => {
    const phone = freshPhone();
    at('2026-11-20T02:40:00Z');
    const msg = inbound(phone.e164, '我要投诉');
    expect(await handleInboundSms(deps, msg)).toBe('complaint');
    const caseId = complaintCaseId(msg.inboundMessageId);
    expect(await getCallback(caseId)).toMatchObject({ caseKind: 'complaint' });
    await expectOneProgressNotice(caseId, phone, '2026-11-20T02:40:00Z');
  });

  it('a rating with a complaint ("3 我要投诉")', async () => {
    const { surveyId, phone } = await surveyed('T-p3');
    at('2026-11-20T02:35:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3 我要投诉'))).toBe('rated');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', rating: 3 });
    await expectOneProgressNotice(surveyId, phone, '2026-11-20T02:35:00Z');
  });

  it('a 不满意 case upgraded by a complaint in the reasons answer: due from the complaint', async () => {
    const { surveyId, phone } = await surveyed('T-p4');
    at('2026-11-20T02:25:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    expect(await raw(caseProgressKey(surveyId))).toBeUndefined(); // a dissatisfied case has none
    at('2026-11-20T02:50:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '1 我要投诉，没修好'))).toBe('reasons');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', status: 'open' });
    await expectOneProgressNotice(surveyId, phone, '2026-11-20T02:50:00Z');
  });
});

describe('an overdue dissatisfied case that becomes a complaint', () => {
  it('counts a complaint overdue, as the recompute does: verify finds no difference', async () => {
    const { surveyId, phone } = await surveyed('T-ovd');
    at('2026-11-20T02:25:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    at('2026-11-20T04:30:00Z'); // past the 2-hour contact deadline: the scheduler makes it overdue
    await runDueWork(deps);
    expect(await getCallback(surveyId)).toMatchObject({ status: 'overdue' });
    at('2026-11-20T05:00:00Z'); // the survey still waits for the reasons (24 h)
    expect(await handleInboundSms(deps, inbound(phone.e164, '2 我要投诉，还是不通'))).toBe('reasons');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', status: 'overdue' });
    expect(await counts('E-T-ovd')).toMatchObject({
      callbacksOpened: 1,
      callbacksOverdue: 1,
      complaints: 1,
      complaintsOverdue: 1,
    });
    const report = await auditTable(deps, { at: new Date('2026-11-20T05:00:00Z'), allDays: true });
    expect(report.differences).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('a case not overdue when upgraded counts its complaint overdue once, when it goes overdue', async () => {
    const { surveyId, phone } = await surveyed('T-ovd2');
    at('2026-11-20T02:25:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    at('2026-11-20T03:00:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '我要投诉'))).toBe('reasons');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', status: 'open', version: 1 });
    expect(await counts('E-T-ovd2')).toMatchObject({ complaints: 1 });
    expect((await counts('E-T-ovd2'))?.complaintsOverdue ?? 0).toBe(0);
    at('2026-11-20T04:30:00Z');
    await runDueWork(deps);
    expect(await counts('E-T-ovd2')).toMatchObject({ complaints: 1, complaintsOverdue: 1 });
    const report = await auditTable(deps, { at: new Date('2026-11-20T04:30:00Z'), allDays: true });
    expect(report.differences).toEqual([]);
  });
});

describe('a case outlives its survey', () => {
  it('has its own customer-index entry, kept as long as the case (again from its close)', async () => {
    const { surveyId, phone } = await surveyed('T-idx');
    at('2026-11-20T02:25:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    const opened = Date.parse('2026-11-20T02:25:00Z') / 1000;
    expect(await raw(caseCustomerKey(surveyId))).toMatchObject({
      type: 'case_customer',
      caseId: surveyId,
      gsi3pk: `CUST#${phone.e164}`,
      ttl: opened + 400 * 86_400,
    });
    expect((await raw(callbackKey(surveyId)))?.ttl).toBe(opened + 400 * 86_400);
    at('2026-11-21T02:00:00Z');
    expect((await close('T-idx', surveyId, 'resolved_satisfied')).status).toBe(200);
    const closed = Date.parse('2026-11-21T02:00:00Z') / 1000;
    expect((await raw(callbackKey(surveyId)))?.ttl).toBe(closed + 400 * 86_400);
    expect((await raw(caseCustomerKey(surveyId)))?.ttl).toBe(closed + 400 * 86_400);
  });

  it('erasure after the survey and the kept text expired still masks the case', async () => {
    const { surveyId, phone } = await surveyed('T-era');
    at('2026-11-20T02:25:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    at('2026-11-20T02:30:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '1 我要投诉 师傅态度差'))).toBe('reasons');
    const lone = inbound(phone.e164, '我要投诉，还是不能用');
    at('2026-11-20T03:00:00Z');
    expect(await handleInboundSms(deps, lone)).toBe('complaint');
    const loneCase = complaintCaseId(lone.inboundMessageId);
    expect((await getCallback(loneCase))?.phone).toBe(phone.e164);

    // retention.days later: every raw record about the customer is gone but the cases' entries
    for (const r of await customerRecords(phone.e164)) {
      if (r.type !== 'case_customer') await expire({ pk: r.pk, sk: r.sk });
    }
    await expire(surveyKey(surveyId));
    expect((await customerRecords(phone.e164)).map((r) => r.type).sort()).toEqual([
      'case_customer',
      'case_customer',
    ]);

    at('2027-06-01T02:00:00Z');
    await eraseCustomer(deps, { subject: 'admin-1', role: 'admin', teams: [], regions: [] }, phone.national);
    for (const caseId of [surveyId, loneCase]) {
      const c = await getCallback(caseId);
      expect(c?.phone, caseId).toBe(`${phone.national.slice(0, 3)}****${phone.national.slice(-4)}`);
      expect(c?.erasedAt, caseId).toBe('2027-06-01T02:00:00.000Z');
      expect(c, caseId).not.toHaveProperty('comment');
      expect(await raw(caseCustomerKey(caseId)), caseId).toBeUndefined();
    }
    expect(await customerRecords(phone.e164)).toEqual([]);
    // an erased case still closes, and does not list the number again
    expect((await close('T-era', loneCase, 'unreachable')).status).toBe(200);
    expect(await raw(caseCustomerKey(loneCase))).toBeUndefined();
  });

  it('a dissatisfied case whose survey expired can still be closed', async () => {
    const { surveyId, phone } = await surveyed('T-gone');
    at('2026-11-20T02:25:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    at('2026-11-20T02:40:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '1'))).toBe('reasons');
    await expire(surveyKey(surveyId));
    at('2026-12-20T02:00:00Z');
    const closed = await close('T-gone', surveyId, 'resolved_satisfied');
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'resolved_satisfied' });
    expect(await raw(surveyKey(surveyId))).toBeUndefined(); // no survey stub written
    expect(await counts('E-T-gone')).toMatchObject({ callbacksClosed: 1, callbacksResolvedSatisfied: 1 });
  });
});
