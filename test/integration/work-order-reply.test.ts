import { Webhook } from 'standardwebhooks';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inbound, ticketBody } from '../helpers/fixtures.ts';
import { startReplyReceiver } from '../helpers/reply-receiver.ts';

/**
 * The reply to the work order (回复工单) delivered locally: the scheduler POSTs it to a real HTTP
 * receiver, signed per source, retried on the backoff schedule with the same webhook-id, dead
 * after 24 hours of (pinned) clock. The receiver listens first: its port is in the rules.
 */
const receiver = await startReplyReceiver();
const SECRET_R = 'whsec_cmVwbHktc2VjcmV0LW9mLXNvdXJjZS1vc3NSLWZvci10ZXN0cw==';
const SECRET_ANY = 'whsec_ZGVmYXVsdC1yZXBseS1zZWNyZXQtZm9yLWFueS1zb3VyY2U=';
const deps = testDeps({
  rules: {
    sources: {
      ossR: { replyUrl: receiver.url('/hook') },
      ossW: { replyUrl: receiver.url('/w/hook') },
    },
  },
  env: { REPLY_SECRETS: JSON.stringify({ ossR: SECRET_R, '*': SECRET_ANY }) },
});

import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { listWorkOrderReplies } from '#shared/app/work-order-replies/list';
import { backoffDelayMs, maxAttempts, REPLY_BACKOFF } from '#shared/domain/backoff';
import { getReply } from '#shared/store/work-order-reply';
import { completeAndPlan } from '../helpers/complete.ts';
import { now, pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';

receiver.useClock(now);

afterAll(() => receiver.close());

let phoneSeq = 0;
function freshPhone(): { national: string; e164: string } {
  phoneSeq++;
  const national = `136${String(20_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

const at = (d: Date | string) => pinClock(new Date(d));
const START = '2026-11-20T02:00:00Z'; // 10:00 Beijing

/** A completed ticket whose survey has been sent; returns its ids and phone. */
async function sentSurvey(source: string, extra: Record<string, unknown> = {}) {
  const p = freshPhone();
  const body = ticketBody({
    source,
    customer: { phone: p.national },
    completedAt: '2026-11-20T09:50:00+08:00',
    ...extra,
  });
  const { response } = await completeAndPlan(deps, ticketCompletedSchema.parse(body));
  at('2026-11-20T02:21:00Z');
  await runDueWork(deps);
  return { surveyId: response.surveyId, ticketId: body.ticketId as string, phone: p.e164 };
}

function verify(secret: string, r: { body: string; headers: Record<string, unknown> }) {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });
}

describe('the reply to the work order, delivered by the scheduler', () => {
  beforeEach(() => at(START));

  it('a rating closes the survey: one signed POST with the result, delivered once', async () => {
    const s = await sentSurvey('ossR');
    expect(receiver.about(s.surveyId)).toHaveLength(0); // nothing before the survey closes
    expect(await handleInboundSms(deps, inbound(s.phone, '1 师傅很专业'))).toBe('rated');
    expect(await getReply(s.surveyId)).toMatchObject({ status: 'pending', attempts: 0 });

    const run = await runDueWork(deps);
    expect(run.repliesDelivered).toBe(1);
    const [req, ...more] = receiver.about(s.surveyId);
    expect(more).toHaveLength(0);
    expect(req?.path).toBe('/hook');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['webhook-id']).toBe(`msg_wo_${s.surveyId}`);
    // Signed with this source's secret, and only that one.
    expect(verify(SECRET_R, req as NonNullable<typeof req>)).toEqual({
      ticketId: s.ticketId,
      surveyId: s.surveyId,
      status: 'answered',
      rating: 1,
      comment: '师傅很专业',
      closedAt: now().toISOString(),
    });
    expect(() => verify(SECRET_ANY, req as NonNullable<typeof req>)).toThrow();
    expect(await getReply(s.surveyId)).toMatchObject({ status: 'delivered', attempts: 1 });

    at('2026-11-20T05:00:00Z');
    await runDueWork(deps);
    expect(receiver.about(s.surveyId)).toHaveLength(1);
  });

  it('a 不满意 with reasons: the reply carries rating, reasons and comment, once the reasons are in', async () => {
    const s = await sentSurvey('ossR');
    expect(await handleInboundSms(deps, inbound(s.phone, '3 等了很久'))).toBe('rated');
    await runDueWork(deps);
    expect(receiver.about(s.surveyId)).toHaveLength(0); // still open: waiting for the reasons
    await handleInboundSms(deps, inbound(s.phone, '1 2'));
    await runDueWork(deps);
    const [req] = receiver.about(s.surveyId);
    expect(JSON.parse(req?.body ?? '{}')).toMatchObject({
      status: 'answered',
      rating: 3,
      reasons: [1, 2],
      comment: expect.stringContaining('等了很久'),
    });
  });

  it('a 不满意 whose reasons never come: the reply goes when the reasons question times out', async () => {
    const s = await sentSurvey('ossR');
    expect(await handleInboundSms(deps, inbound(s.phone, '3'))).toBe('rated');
    at('2026-11-21T03:00:00Z'); // past the 24-hour wait for the reasons
    expect((await runDueWork(deps)).reasonsClosed).toBe(1);
    await runDueWork(deps);
    const reqs = receiver.about(s.surveyId);
    expect(reqs).toHaveLength(1);
    expect(JSON.parse(reqs[0]?.body ?? '{}')).toMatchObject({ status: 'answered', rating: 3 });
  });

  it('500, 500, 200: three attempts with the same webhook-id, spaced by the backoff, delivered once', async () => {
    const s = await sentSurvey('ossR');
    receiver.answer(s.surveyId, (n) => (n < 2 ? 500 : 200));
    await handleInboundSms(deps, inbound(s.phone, '2'));
    await handleInboundSms(deps, inbound(s.phone, '4')); // reasons: closes the survey
    const closedAt = now().getTime();

    expect((await runDueWork(deps)).repliesRetrying).toBe(1);
    let item = await getReply(s.surveyId);
    expect(item).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500' });
    const next1 = Date.parse(item?.nextAttemptAt ?? '');
    expect(next1 - closedAt).toBeGreaterThanOrEqual(backoffDelayMs(1, 0));
    expect(next1 - closedAt).toBeLessThanOrEqual(backoffDelayMs(1, 1));

    at(new Date(next1 - 1000)); // not yet due
    await runDueWork(deps);
    expect(receiver.about(s.surveyId)).toHaveLength(1);

    at(new Date(next1));
    await runDueWork(deps);
    item = await getReply(s.surveyId);
    expect(item).toMatchObject({ status: 'pending', attempts: 2 });
    const next2 = Date.parse(item?.nextAttemptAt ?? '');
    expect(next2 - next1).toBeGreaterThanOrEqual(backoffDelayMs(2, 0));
    expect(next2 - next1).toBeLessThanOrEqual(backoffDelayMs(2, 1));

    at(new Date(next2));
    expect((await runDueWork(deps)).repliesDelivered).toBe(1);
    at(new Date(next2 + 3 * 3_600_000));
    await runDueWork(deps);

    const reqs = receiver.about(s.surveyId);
    expect(reqs).toHaveLength(3);
    expect(new Set(reqs.map((r) => r.headers['webhook-id']))).toEqual(new Set([`msg_wo_${s.surveyId}`]));
    for (const r of reqs)
      expect(verify(SECRET_R, r)).toMatchObject({ surveyId: s.surveyId, rating: 2, reasons: [4] });
    expect(reqs.map((r) => r.clock?.getTime())).toEqual([closedAt, next1, next2]);
    expect(await getReply(s.surveyId)).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('a receiver that always fails: retried for 24 hours of clock, then dead, and never again', async () => {
    const s = await sentSurvey('ossR');
    receiver.answer(s.surveyId, () => 503);
    await handleInboundSms(deps, inbound(s.phone, '1'));
    const first = now().getTime();
    await runDueWork(deps);
    let item = await getReply(s.surveyId);
    for (let i = 0; i < 100 && item?.status === 'pending'; i++) {
      at(new Date(item.nextAttemptAt));
      await runDueWork(deps);
      item = await getReply(s.surveyId);
    }
    expect(item).toMatchObject({ status: 'dead', lastError: expect.stringContaining('HTTP 503') });
    expect(Date.parse(item?.firstAttemptAt ?? '')).toBe(first);
    expect(Date.parse(item?.deadAt ?? '')).toBe(first + REPLY_BACKOFF.windowMs);
    const reqs = receiver.about(s.surveyId);
    expect(reqs).toHaveLength(item?.attempts ?? -1);
    expect(reqs.length).toBeGreaterThan(20);
    expect(reqs.length).toBeLessThanOrEqual(maxAttempts());
    for (const r of reqs) expect(r.clock?.getTime()).toBeLessThanOrEqual(first + REPLY_BACKOFF.windowMs);
    expect(reqs.at(-1)?.clock?.getTime()).toBe(first + REPLY_BACKOFF.windowMs);
    expect(new Set(reqs.map((r) => r.headers['webhook-id'])).size).toBe(1);

    at(new Date(first + 3 * 24 * 3_600_000));
    await runDueWork(deps);
    expect(receiver.about(s.surveyId)).toHaveLength(reqs.length);
    expect((await listWorkOrderReplies('dead')).map((r) => r.payload.surveyId)).toContain(s.surveyId);
  });

  it('a 4xx refusal (not 408/429) is dead at once; a 429 is retried', async () => {
    const gone = await sentSurvey('ossR');
    receiver.answer(gone.surveyId, () => 410);
    await handleInboundSms(deps, inbound(gone.phone, '1'));
    const busy = await sentSurvey('ossR');
    receiver.answer(busy.surveyId, () => 429);
    await handleInboundSms(deps, inbound(busy.phone, '1'));
    await runDueWork(deps);
    expect(await getReply(gone.surveyId)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'HTTP 410 (not retried)',
    });
    expect(await getReply(busy.surveyId)).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('expired, suppressed (opt-out) and cancelled (reopened) surveys are replied too', async () => {
    const expired = await sentSurvey('ossR');
    const optOut = await sentSurvey('ossR');
    expect(await handleInboundSms(deps, inbound(optOut.phone, 'T'))).toBe('opted_out');
    // Reopened before its survey went out: cancelled.
    const p = freshPhone();
    const body = ticketBody({ source: 'ossR', customer: { phone: p.national } });
    const { response } = await completeAndPlan(deps, ticketCompletedSchema.parse(body));
    await reopenTicket(deps, {
      source: 'ossR',
      ticketId: body.ticketId as string,
      reopenedAt: new Date(now().getTime()).toISOString(),
    });

    at('2026-11-23T03:00:00Z'); // past the 72-hour expiry of the sent survey
    await runDueWork(deps); // expires it (and delivers the replies already due)
    await runDueWork(deps); // delivers the expiry's reply

    const status = (surveyId: string) => JSON.parse(receiver.about(surveyId)[0]?.body ?? '{}');
    expect(status(expired.surveyId)).toMatchObject({ status: 'expired', ticketId: expired.ticketId });
    expect(status(optOut.surveyId)).toMatchObject({ status: 'suppressed', reason: 'opted_out' });
    expect(status(response.surveyId)).toMatchObject({ status: 'cancelled', reason: 'reopened' });
    expect(status(expired.surveyId)).not.toHaveProperty('rating');
    for (const id of [expired.surveyId, optOut.surveyId, response.surveyId]) {
      expect(receiver.about(id)).toHaveLength(1);
    }
  });

  it('a source without its own secret signs with the default one', async () => {
    const s = await sentSurvey('ossW');
    await handleInboundSms(deps, inbound(s.phone, '1'));
    await runDueWork(deps);
    const [req] = receiver.about(s.surveyId);
    expect(req?.path).toBe('/w/hook');
    expect(verify(SECRET_ANY, req as NonNullable<typeof req>)).toMatchObject({ surveyId: s.surveyId });
    expect(() => verify(SECRET_R, req as NonNullable<typeof req>)).toThrow();
  });

  it('a source without a replyUrl gets no reply', async () => {
    const s = await sentSurvey('ossA');
    expect(await handleInboundSms(deps, inbound(s.phone, '1'))).toBe('rated');
    await runDueWork(deps);
    expect(await getReply(s.surveyId)).toBeUndefined();
    expect(receiver.about(s.surveyId)).toHaveLength(0);
  });
});
