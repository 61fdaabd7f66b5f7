import { beforeEach, describe, expect, it } from 'vitest';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { complaintCaseId, UNATTRIBUTED } from '#shared/domain/complaints';
import { listAlerts } from '#shared/gateways/alerts/local';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { principalFromEvent } from '#shared/http/auth';
import { queryAggregates } from '#shared/store/aggregate';
import { getCallback } from '#shared/store/callback';
import { customerRecords } from '#shared/store/customer';
import { getPhoneState } from '#shared/store/phone-state';
import { getSurvey } from '#shared/store/survey';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { auditTable } from '../../infra/ops/verify.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound } from '../helpers/fixtures.ts';
import { phoneSource, surveyedTicket } from '../helpers/surveyed.ts';

/**
 * Complaint intake (issue 12, docs/domain.md section 6): a complaint text opens one case of kind
 * complaint with a complaint_opened alert, with or without an open survey, attributed to the
 * phone's last surveyed ticket within 30 days or to nobody; a redelivery opens nothing; every
 * other text is kept and listed (GET /v1/messages), masked; the customer is told when they will
 * be called, and the hotline when one is set.
 */

const deps = testDeps({ rules: { sms: { hotline: '400-123-4567' } } });
const api = callbacksOn(deps);

const at = (iso: string) => pinClock(new Date(iso));

const freshPhone = phoneSource('136');
const masked = (national: string) => `${national.slice(0, 3)}****${national.slice(-4)}`;

/** A ticket completed 2026-11-20 09:50 Beijing for `team`, its survey sent at 10:21 (open). */
async function surveyed(team: string, engineerId = `E-${team}`) {
  const { surveyId, phone } = await surveyedTicket(deps, freshPhone(), {
    id: engineerId,
    name: '李师傅',
    team,
  });
  expect((await getSurvey(surveyId))?.status).toBe('sent');
  return { surveyId, phone, engineerId };
}

type Claims = Record<string, string>;
const admin: Claims = { sub: 'admin-1', role: 'admin' };
const manager = (team: string): Claims => ({ sub: 'mgr-1', role: 'manager', teams: scopeClaim(team) });

async function get(claims: Claims, route: string, query: Record<string, string>, id?: string) {
  const event = httpEvent({ method: 'GET', path: route, claims, query });
  const res = await api(
    id ? { ...event, rawPath: route.replace('{id}', id), pathParameters: { id } } : event,
  );
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body as string) : undefined };
}

async function counts(day: string, engineerId: string) {
  return (await queryAggregates([day])).find((r) => r.engineerId === engineerId);
}

const alertsOf = async (caseId: string) => (await listAlerts()).filter((a) => a.caseId === caseId);

beforeEach(() => at('2026-11-20T02:00:00Z'));

describe('a complaint while a survey is open', () => {
  it('in words, no rating: one complaint case with its alert, the survey closes unrated; a redelivery opens nothing', async () => {
    const { surveyId, phone, engineerId } = await surveyed('T-cw');
    at('2026-11-20T03:00:00Z');
    const msg = inbound(phone.e164, '我要投诉，网络还是不通');
    expect(await handleInboundSms(deps, msg)).toBe('complaint');
    expect(await handleInboundSms(deps, msg)).toBe('duplicate');

    expect(await getCallback(surveyId)).toMatchObject({
      caseKind: 'complaint',
      status: 'open',
      team: 'T-cw',
      engineerId,
      comment: '我要投诉，网络还是不通',
    });
    expect((await getCallback(surveyId))?.rating).toBeUndefined();
    expect(await getSurvey(surveyId)).toMatchObject({
      status: 'answered',
      comment: '我要投诉，网络还是不通',
    });

    const alerts = await alertsOf(surveyId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'complaint_opened', level: 'supervisors', team: 'T-cw' });
    expect(alerts[0]?.message).toContain(masked(phone.national));
    expect(JSON.stringify(alerts)).not.toContain(phone.national.slice(3));

    const row = await counts('2026-11-20', engineerId);
    expect(row).toMatchObject({ complaints: 1, callbacksOpened: 1, unrated: 1 });
    expect(row?.responses ?? 0).toBe(0);

    // the customer is told it is registered, when they will be contacted, and the hotline
    const sent = await listOutbox(phone.e164);
    const ack = sent[sent.length - 1];
    expect(ack?.body).toContain('24小时内');
    expect(ack?.body).toContain('400-123-4567');
    expect(ack?.segments).toBe(1);
    expect(sent).toHaveLength(2); // the survey and one acknowledgement, not two
  });

  it('"3 我要投诉" counts the rating and opens ONE case, of kind complaint; the reasons join it', async () => {
    const { surveyId, phone, engineerId } = await surveyed('T-c3');
    at('2026-11-20T03:00:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3 我要投诉'))).toBe('rated');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', rating: 3 });
    const alerts = await alertsOf(surveyId);
    expect(alerts.map((a) => a.kind)).toEqual(['complaint_opened']); // no callback_opened besides
    expect(await counts('2026-11-20', engineerId)).toMatchObject({
      responses: 1,
      dissatisfied: 1,
      callbacksOpened: 1,
      complaints: 1,
    });

    expect(await handleInboundSms(deps, inbound(phone.e164, '5'))).toBe('reasons');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', reasons: [5] });
    expect((await counts('2026-11-20', engineerId))?.complaints).toBe(1);
  });

  it('a 不满意 case still open becomes a complaint when the reasons answer complains (one case)', async () => {
    const { surveyId, phone, engineerId } = await surveyed('T-up');
    at('2026-11-20T03:00:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    expect((await getCallback(surveyId))?.caseKind).toBeUndefined();
    expect(await handleInboundSms(deps, inbound(phone.e164, '5 还是不通，要投诉'))).toBe('reasons');
    expect(await getCallback(surveyId)).toMatchObject({ caseKind: 'complaint', reasons: [5] });
    expect((await alertsOf(surveyId)).map((a) => a.kind).sort()).toEqual([
      'callback_opened',
      'complaint_opened',
    ]);
    expect(await counts('2026-11-20', engineerId)).toMatchObject({ callbacksOpened: 1, complaints: 1 });
  });

  it('a rating without complaint words opens a dissatisfied case, thanked with the hours and the hotline', async () => {
    const { surveyId, phone } = await surveyed('T-dis');
    at('2026-11-20T03:00:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    expect(await handleInboundSms(deps, inbound(phone.e164, '1'))).toBe('reasons');
    expect((await getCallback(surveyId))?.caseKind).toBeUndefined();
    const sent = await listOutbox(phone.e164);
    expect(sent[sent.length - 1]?.body).toMatch(/将在24小时内致电您.*400-123-4567/);

    const one = await get(admin, '/v1/callbacks', { team: 'T-dis' });
    expect(one.body.items[0]).toMatchObject({ caseId: surveyId, kind: 'dissatisfied', ticketKind: 'repair' });
  });
});

describe('a complaint with no open survey', () => {
  /** A phone surveyed (and answered) on 2026-11-20, complaining `days` after its survey went out. */
  async function complainAfter(days: number, team: string) {
    const s = await surveyed(team);
    expect(await handleInboundSms(deps, inbound(s.phone.e164, '1'))).toBe('rated');
    const sentAt = (await getPhoneState(s.phone.e164)).lastSurveyedAt as string;
    pinClock(new Date(Date.parse(sentAt) + days * 86_400_000));
    const msg = inbound(s.phone.e164, '上次装的宽带还是不通，我要投诉');
    expect(await handleInboundSms(deps, msg)).toBe('complaint');
    expect(await handleInboundSms(deps, msg)).toBe('duplicate');
    return {
      ...s,
      caseId: complaintCaseId(msg.inboundMessageId),
      day: days === 30 ? '2026-12-20' : '2026-12-21',
    };
  }

  it('30 days after the last survey: attributed to that ticket, counted on the day it arrived, once', async () => {
    const { caseId, phone, engineerId, day } = await complainAfter(30, 'T-30');
    const c = await getCallback(caseId);
    expect(c).toMatchObject({
      caseKind: 'complaint',
      surveyId: '',
      team: 'T-30',
      region: 'R-T-30',
      engineerId,
      kind: 'repair',
      day,
      phone: phone.e164,
    });
    expect(await alertsOf(caseId)).toEqual([
      expect.objectContaining({ kind: 'complaint_opened', team: 'T-30' }),
    ]);
    expect(await counts(day, engineerId)).toMatchObject({ complaints: 1, callbacksOpened: 1 });
    // the survey's own day is not touched again
    expect((await counts('2026-11-20', engineerId))?.complaints ?? 0).toBe(0);

    const listed = await get(manager('T-30'), '/v1/callbacks', {});
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        caseId,
        kind: 'complaint',
        ticketKind: 'repair',
        phone: masked(phone.national),
      }),
    ]);
  });

  it('31 days after: attributed to nobody, listed for admins only, counted for no engineer', async () => {
    const { caseId, engineerId, day } = await complainAfter(31, 'T-31');
    expect(await getCallback(caseId)).toMatchObject({
      caseKind: 'complaint',
      engineerId: '',
      team: UNATTRIBUTED,
      region: UNATTRIBUTED,
      kind: '',
    });
    expect(await alertsOf(caseId)).toEqual([expect.objectContaining({ kind: 'complaint_opened' })]);
    expect(await counts(day, engineerId)).toBeUndefined();
    expect(await counts(day, '')).toBeUndefined();

    const forAdmin = await get(admin, '/v1/callbacks', { team: UNATTRIBUTED });
    expect(forAdmin.body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);
    expect((await get(manager('T-31'), '/v1/callbacks', {})).body.items).toEqual([]);
    expect((await get(manager(UNATTRIBUTED), '/v1/callbacks', { team: UNATTRIBUTED })).status).toBe(403);
    expect((await get(manager(UNATTRIBUTED), '/v1/callbacks/{id}', {}, caseId)).status).toBe(403);
    expect((await get(admin, '/v1/callbacks/{id}', {}, caseId)).body).toMatchObject({
      caseId,
      kind: 'complaint',
      ticketKind: '',
      team: UNATTRIBUTED,
    });
  });

  it('a digit alone with no survey is never a complaint: kept as text, one notice naming the hotline', async () => {
    const p = freshPhone();
    at('2026-12-02T02:00:00Z');
    expect(await handleInboundSms(deps, inbound(p.e164, '3'))).toBe('no_open_survey');
    const sent = await listOutbox(p.e164);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toContain('400-123-4567');
    expect(sent[0]?.segments).toBe(1);
    const texts = await get(admin, '/v1/messages', { period: '2026-12-02', team: UNATTRIBUTED });
    expect(texts.body.items).toEqual([
      expect.objectContaining({ kind: 'text', text: '3', phone: masked(p.national), unattributed: true }),
    ]);
  });
});

describe('every other text is kept and listed', () => {
  it('with no open survey: recorded cleaned, attributed, listed by period in scope, phone masked', async () => {
    const s = await surveyed('T-txt');
    expect(await handleInboundSms(deps, inbound(s.phone.e164, '1'))).toBe('rated');
    at('2026-11-25T02:00:00Z');
    expect(await handleInboundSms(deps, inbound(s.phone.e164, '请问\u202e下次\u0000什么时候来？'))).toBe(
      'no_open_survey',
    );
    at('2026-11-25T02:01:00Z');
    expect(await handleInboundSms(deps, inbound(s.phone.e164, '好的谢谢'))).toBe('no_open_survey');

    const page = await get(manager('T-txt'), '/v1/messages', { period: '2026-11', limit: '1' });
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([
      expect.objectContaining({
        kind: 'text',
        text: '好的谢谢',
        outcome: 'no_open_survey',
        team: 'T-txt',
        engineerId: s.engineerId,
        phone: masked(s.phone.national),
        unattributed: false,
      }),
    ]);
    const next = await get(manager('T-txt'), '/v1/messages', {
      period: '2026-11',
      limit: '1',
      cursor: page.body.cursor,
    });
    expect(next.body.items).toEqual([expect.objectContaining({ text: '请问下次什么时候来？' })]);
    expect(next.body.cursor).toBeUndefined();
    expect(JSON.stringify([page.body, next.body])).not.toContain(s.phone.national.slice(3));

    // another team's manager sees none of it; another period holds none of it
    expect((await get(manager('T-other'), '/v1/messages', { period: '2026-11' })).body.items).toEqual([]);
    expect((await get(manager('T-txt'), '/v1/messages', { period: '2026-10' })).body.items).toEqual([]);
    // a bad period is a 400 naming it
    const bad = await get(manager('T-txt'), '/v1/messages', { period: 'November' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('period');
    // an admin who names no team or region reads every text (gsi4, all shards merged)
    const all = await get(admin, '/v1/messages', { period: '2026-11' });
    expect(all.status).toBe(200);
    expect(all.body.items.map((t: { text: string }) => t.text)).toEqual(
      expect.arrayContaining(['好的谢谢', '请问下次什么时候来？']),
    );
  });

  it('an unreadable reply to an open survey is kept too, not only re-prompted', async () => {
    const s = await surveyed('T-rep');
    at('2026-11-20T03:00:00Z');
    expect(await handleInboundSms(deps, inbound(s.phone.e164, '你好？'))).toBe('reprompted');
    const texts = await get(manager('T-rep'), '/v1/messages', { period: '2026-11-20' });
    expect(texts.body.items).toEqual([
      expect.objectContaining({ text: '你好？', outcome: 'reprompted', surveyId: s.surveyId }),
    ]);
  });
});

describe('erasure', () => {
  it("deletes the customer's kept texts and masks a complaint case no survey owned", async () => {
    const p = freshPhone();
    at('2026-12-03T02:00:00Z');
    const msg = inbound(p.e164, '你们态度差，我要投诉');
    expect(await handleInboundSms(deps, msg)).toBe('complaint');
    const caseId = complaintCaseId(msg.inboundMessageId);
    expect((await customerRecords(p.e164)).filter((r) => r.type === 'text')).toHaveLength(1);

    const erased = await eraseCustomer(
      deps,
      principalFromEvent(httpEvent({ method: 'GET', path: '/', claims: admin })),
      p.national,
    );
    expect(erased.messages).toBeGreaterThanOrEqual(2); // the acknowledgement and the kept text
    expect(await customerRecords(p.e164)).toEqual([]);
    const c = await getCallback(caseId);
    expect(c).toMatchObject({ phone: masked(p.national), caseKind: 'complaint' });
    expect(c?.comment).toBeUndefined();
    expect(JSON.stringify(c)).not.toContain(p.national.slice(3));
  });
});

describe('npm run verify', () => {
  it('recomputes the complaint counters of every case above from the raw records: no difference', async () => {
    const report = await auditTable(deps, { allDays: true });
    expect(report.callbacks).toBeGreaterThanOrEqual(6);
    expect(report.differences).toEqual([]);
    expect(report.problems).toEqual([]);
  });
});
