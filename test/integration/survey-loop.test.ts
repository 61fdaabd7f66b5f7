import { beforeEach, describe, expect, it } from 'vitest';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { smsSegments } from '#shared/domain/sms/segments';
import { parsePeriod } from '#shared/domain/time';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { principalFromEvent } from '#shared/http/auth';
import { getSurvey } from '#shared/store/survey';
import { httpEvent } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();

const admin = principalFromEvent(
  httpEvent({ method: 'GET', path: '/', claims: { sub: 'a', role: 'admin' } }),
);

let phoneSeq = 0;
/** A fresh mainland mobile for each test so that phone state never leaks between tests. */
function freshPhone(): { national: string; e164: string } {
  phoneSeq++;
  const national = `137${String(10_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

async function complete(overrides: Record<string, unknown>) {
  return completeAndPlan(deps, ticketCompletedSchema.parse(ticketBody(overrides)));
}

const at = (iso: string) => pinClock(new Date(iso));

describe('the survey loop', () => {
  beforeEach(() => at('2026-11-20T02:00:00Z')); // 10:00 Beijing

  it('sends the survey when due, takes a rating, thanks once and counts it once', async () => {
    const p = freshPhone();
    const eng = { id: 'E-loop', name: '张伟', team: 'T1', region: 'R1' };
    const { response } = await complete({
      customer: { phone: p.national },
      engineer: eng,
      completedAt: '2026-11-20T09:50:00+08:00',
    });

    at('2026-11-20T02:10:00Z'); // 10:10, before due (10:20)
    await runDueWork(deps);
    expect(await listOutbox(p.e164)).toHaveLength(0);

    at('2026-11-20T02:21:00Z');
    const run = await runDueWork(deps);
    expect(run.surveysSent).toBe(1);
    const [survey] = await listOutbox(p.e164);
    expect(survey?.body).toMatch(/^【客户服务】/);
    expect(survey?.body).toContain('张伟');
    expect(survey?.body).toContain('回复1满意，2基本满意，3不满意');
    expect(survey?.body).toMatch(/回T退订$/);
    expect(survey?.segments).toBe(1);
    expect(smsSegments(survey?.body ?? '')).toBe(1);

    // a second run does not send it again
    await runDueWork(deps);
    expect(await listOutbox(p.e164)).toHaveLength(1);

    const reply = inbound(p.e164, '１ 师傅很专业');
    expect(await handleInboundSms(deps, reply)).toBe('rated');
    expect(await handleInboundSms(deps, reply)).toBe('duplicate');
    const s = await getSurvey(response.surveyId);
    expect(s).toMatchObject({ status: 'answered', rating: 1, comment: '师傅很专业' });

    const sent = await listOutbox(p.e164);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toMatch(/谢/);

    const report = await engineerReport(deps, admin, parsePeriod('2026-11', 'Asia/Shanghai'));
    const row = report.engineers.find((e) => e.engineerId === 'E-loop');
    expect(row).toMatchObject({ completed: 1, surveyed: 1, responses: 1, satisfied: 1, satisfactionRate: 1 });
  });

  it('two different replies racing for one survey are counted once', async () => {
    const p = freshPhone();
    await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-race2', name: '赵六', team: 'T1', region: 'R1' },
    });
    at('2026-11-20T03:00:00Z');
    await runDueWork(deps);
    const outcomes = await Promise.all([
      handleInboundSms(deps, inbound(p.e164, '3')),
      handleInboundSms(deps, inbound(p.e164, '1')),
    ]);
    expect(outcomes.filter((o) => o === 'rated')).toHaveLength(1);
    const report = await engineerReport(deps, admin, parsePeriod('2026-11-20', 'Asia/Shanghai'));
    const row = report.engineers.find((e) => e.engineerId === 'E-race2');
    expect(row?.responses).toBe(1);
    expect((row?.satisfied ?? 0) + (row?.dissatisfied ?? 0)).toBe(1);
  });

  it('re-prompts an unreadable reply once, then keeps the second as a comment without rating', async () => {
    const p = freshPhone();
    const { response } = await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-rp', name: '孙七', team: 'T2', region: 'R1' },
    });
    at('2026-11-20T03:00:00Z');
    await runDueWork(deps);
    expect(await handleInboundSms(deps, inbound(p.e164, '你好？'))).toBe('reprompted');
    expect(await handleInboundSms(deps, inbound(p.e164, '网速还是慢'))).toBe('commented');
    const s = await getSurvey(response.surveyId);
    expect(s).toMatchObject({ status: 'answered', comment: '网速还是慢' });
    expect(s?.rating).toBeUndefined();
    const bodies = (await listOutbox(p.e164)).map((m) => m.body);
    expect(bodies).toHaveLength(3); // survey, re-prompt, thanks for the comment
    const row = (await engineerReport(deps, admin, parsePeriod('2026-11', 'Asia/Shanghai'))).engineers.find(
      (e) => e.engineerId === 'E-rp',
    );
    expect(row).toMatchObject({ responses: 0, satisfactionRate: null, funnel: { unrated: 1 } });
  });

  it('opt-out: one confirmation, the open survey closes uncounted, no survey ever again', async () => {
    const p = freshPhone();
    const eng = { id: 'E-opt', name: '周八', team: 'T2', region: 'R2' };
    await complete({ customer: { phone: p.national }, engineer: eng });
    at('2026-11-20T03:00:00Z');
    await runDueWork(deps);
    expect(await handleInboundSms(deps, inbound(p.e164, ' td '))).toBe('opted_out');
    expect(await handleInboundSms(deps, inbound(p.e164, '退订'))).toBe('already_opted_out');
    expect(await listOutbox(p.e164)).toHaveLength(2); // survey + one confirmation
    const later = await complete({
      customer: { phone: p.national },
      engineer: eng,
      completedAt: '2026-11-20T10:30:00+08:00',
    });
    // The webhook answers from the ticket alone; planning reads the phone and suppresses.
    expect(later.response).toMatchObject({ status: 'scheduled' });
    expect(await getSurvey(later.response.surveyId)).toMatchObject({
      status: 'suppressed',
      reason: 'opted_out',
    });
    at('2026-11-21T03:00:00Z');
    await runDueWork(deps);
    expect(await listOutbox(p.e164)).toHaveLength(2);
    const row = (await engineerReport(deps, admin, parsePeriod('2026-11', 'Asia/Shanghai'))).engineers.find(
      (e) => e.engineerId === 'E-opt',
    );
    expect(row).toMatchObject({
      completed: 2,
      surveyed: 1,
      responses: 0,
      funnel: { suppressed: { total: 1, opted_out: 1 }, optedOut: 1 },
    });
  });

  it('a reply with no open survey gets one polite notice and changes no figure', async () => {
    const p = freshPhone();
    expect(await handleInboundSms(deps, inbound(p.e164, '1'))).toBe('no_open_survey');
    expect(await handleInboundSms(deps, inbound(p.e164, '1'))).toBe('no_open_survey');
    const msgs = await listOutbox(p.e164);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.segments).toBe(1);
  });

  it('a second survey for a busy phone waits, then goes out after the first is answered', async () => {
    const p = freshPhone();
    const eng = { id: 'E-q', name: '吴九', team: 'T3', region: 'R3' };
    const first = await complete({
      customer: { phone: p.national },
      engineer: eng,
      completedAt: '2026-11-20T09:00:00+08:00',
    });
    at('2026-11-20T02:00:00Z');
    expect((await runDueWork(deps)).surveysSent).toBe(1);
    // a day later (past the fatigue window) another ticket for the same phone falls due
    at('2026-11-21T02:20:00Z');
    const second = await complete({
      customer: { phone: p.national },
      engineer: { ...eng, id: 'E-q2' },
      completedAt: '2026-11-21T09:50:00+08:00',
    });
    at('2026-11-21T02:21:00Z');
    const run = await runDueWork(deps);
    expect(run.queued).toBe(1);
    expect((await getSurvey(second.response.surveyId))?.status).toBe('waiting');
    expect(await handleInboundSms(deps, inbound(p.e164, '满意'))).toBe('rated');
    expect((await getSurvey(first.response.surveyId))?.rating).toBe(1);
    await runDueWork(deps);
    const s2 = await getSurvey(second.response.surveyId);
    expect(s2?.status).toBe('sent');
    expect(await handleInboundSms(deps, inbound(p.e164, '不满意，等了很久'))).toBe('rated');
    expect(await getSurvey(second.response.surveyId)).toMatchObject({ rating: 3, comment: '等了很久' });
  });

  it('an unanswered survey expires after 72 hours and frees the phone', async () => {
    const p = freshPhone();
    const { response } = await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-exp', name: '郑十', team: 'T3', region: 'R3' },
    });
    at('2026-11-20T03:00:00Z');
    await runDueWork(deps);
    at('2026-11-23T02:59:00Z');
    await runDueWork(deps);
    expect((await getSurvey(response.surveyId))?.status).toBe('sent');
    at('2026-11-23T03:00:01Z');
    expect((await runDueWork(deps)).expired).toBe(1);
    expect((await getSurvey(response.surveyId))?.status).toBe('expired');
    expect(await handleInboundSms(deps, inbound(p.e164, '1'))).toBe('no_open_survey');
  });
});
