import { beforeEach, describe, expect, it } from 'vitest';

/**
 * Free text stored from customers and agents (SMS reply comments, web-survey comments, callback
 * notes) is cleaned by one function before it is stored: no lone surrogate from a cut, no NUL,
 * ESC or bidi override in what is stored or in the JSON and CSV that show it.
 */

import { callbacks as callbacksOn } from '#functions/callbacks/handler';
import { reports as reportsOn } from '#functions/reports/handler';
import { surveyPage as surveyPageOn } from '#functions/survey-page/handler';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { getCallback } from '#shared/store/callback';
import { getSurvey } from '#shared/store/survey';
import { httpEvent } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps({
  rules: { sources: { web: { webSurvey: true } } },
  env: { PUBLIC_BASE_URL: 'https://fb.cn' },
});
const callbacks = callbacksOn(deps);
const reports = reportsOn(deps);
const surveyPage = surveyPageOn(deps);

const at = (iso: string) => pinClock(new Date(iso));

let phoneSeq = 0;
function freshPhone(): { national: string; e164: string } {
  phoneSeq++;
  const national = `139${String(30_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

/** A ticket of engineer `engineerId` completed 2026-11-20 09:50 Beijing, its survey sent at 10:21. */
async function surveyed(engineerId: string, source = 'ossA') {
  const p = freshPhone();
  at('2026-11-20T02:00:00Z');
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        source,
        completedAt: '2026-11-20T09:50:00+08:00',
        engineer: { id: engineerId, name: '李师傅', team: 'T-text', region: 'R-text' },
        customer: { phone: p.national },
      }),
    ),
  );
  at('2026-11-20T02:21:00Z');
  await runDueWork(deps);
  const [sms] = await listOutbox(p.e164);
  return { phone: p, surveyId: response.surveyId as string, sms };
}

const NUL = '\u0000';
const ESC = '\u001b';
const RLO = '\u202e';
const LONE_SURROGATE = /\p{Cs}/u;
/** What must never be stored or shown: C0 (but LF), DEL, C1 and the bidi controls. */
const FORBIDDEN = /(?!\n)[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function expectClean(value: unknown, what: string) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  expect(text, what).not.toMatch(FORBIDDEN);
  expect(text, what).not.toMatch(LONE_SURROGATE);
  // JSON escapes NUL and ESC: the escaped forms must not be there either
  expect(text, what).not.toMatch(/\\u00(?:00|1b)/i);
}

const ADMIN = { sub: 'admin', role: 'admin' };

async function report(engineerId: string, query: Record<string, string>) {
  const route = '/v1/reports/engineers/{engineerId}';
  const event = httpEvent({
    method: 'GET',
    path: route.replace('{engineerId}', engineerId),
    query,
    claims: ADMIN,
  });
  event.routeKey = `GET ${route}`;
  event.requestContext.routeKey = `GET ${route}`;
  event.pathParameters = { engineerId };
  const res = await reports(event);
  expect(res.statusCode).toBe(200);
  return res.body ?? '';
}

async function callbackCall(method: 'GET' | 'POST', route: string, id: string, body?: unknown) {
  const event = {
    ...httpEvent({
      method,
      path: route,
      claims: ADMIN,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    }),
    rawPath: route.replace('{id}', id),
    pathParameters: { id },
  };
  const res = await callbacks(event);
  return { status: res.statusCode, raw: res.body ?? '', body: res.body ? JSON.parse(res.body) : undefined };
}

beforeEach(() => at('2026-11-20T02:00:00Z'));

describe('comments by SMS', () => {
  it('a 600-character comment with an emoji at the 500 boundary is cut whole: no lone surrogate stored', async () => {
    const { phone, surveyId } = await surveyed('E-cut');
    const comment = `${'好'.repeat(499)}😀${'差'.repeat(100)}`;
    at('2026-11-20T02:30:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, `1 ${comment}`))).toBe('rated');
    const stored = (await getSurvey(surveyId))?.comment ?? '';
    expect(stored).not.toMatch(LONE_SURROGATE);
    expect(stored).toBe(`${'好'.repeat(499)}😀`);
  });

  it('NUL, ESC and RLO are not stored, nor shown in the JSON or the CSV of the comments, nor in the callback case', async () => {
    const { phone, surveyId } = await surveyed('E-ctl');
    at('2026-11-20T02:30:00Z');
    const reply = `3 师傅${NUL}迟到${ESC}[2J了${RLO}解决没题问\r\n第二行`;
    expect(await handleInboundSms(deps, inbound(phone.e164, reply))).toBe('rated');
    expect((await getSurvey(surveyId))?.comment).toBe('师傅迟到[2J了解决没题问\n第二行');
    expect(await handleInboundSms(deps, inbound(phone.e164, `1 5 ${RLO}还有${NUL}这个`))).toBe('reasons');

    const survey = await getSurvey(surveyId);
    expect(survey?.comment).toBe('师傅迟到[2J了解决没题问\n第二行 / 还有这个');
    expectClean(survey, 'stored survey');
    expectClean(await getCallback(surveyId), 'stored callback case');

    const json = await report('E-ctl', { period: '2026-11' });
    expect(JSON.parse(json).comments.items.map((c: { comment: string }) => c.comment)).toEqual([
      '师傅迟到[2J了解决没题问\n第二行 / 还有这个',
    ]);
    expectClean(json, 'JSON report');
    const csv = await report('E-ctl', { period: '2026-11', format: 'csv', section: 'comments' });
    expect(csv).toContain('还有这个');
    expectClean(csv.replaceAll('\r\n', '\n'), 'CSV report (its CRLF line ends aside)');
    expectClean((await callbackCall('GET', '/v1/callbacks/{id}', surveyId)).raw, 'callback JSON');
  });

  it('a comment kept without a rating (twice unreadable) is cleaned and cut too', async () => {
    const { phone, surveyId } = await surveyed('E-unrated');
    at('2026-11-20T02:30:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '你好？'))).toBe('reprompted');
    const text = `网速${RLO}慢${NUL}${'啊'.repeat(496)}😀😀`;
    expect(await handleInboundSms(deps, inbound(phone.e164, text))).toBe('commented');
    const stored = (await getSurvey(surveyId))?.comment ?? '';
    expect(stored).toBe(`网速慢${'啊'.repeat(496)}😀`);
    expectClean(stored, 'stored comment');
  });
});

describe('comments on the web survey', () => {
  it('the page answer is cleaned the same way', async () => {
    const { sms, surveyId } = await surveyed('E-web-text', 'web');
    const token = /https:\/\/fb\.cn\/s\/([A-Za-z0-9_-]{16})(?=\s)/.exec(sms?.body ?? '')?.[1] ?? '';
    expect(token).not.toBe('');
    at('2026-11-20T02:30:00Z');
    const res = await surveyPage(
      httpEvent({
        method: 'POST',
        path: `/s/${token}`,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ rating: 3, reasons: [2], comment: `态度${ESC}差${RLO}\u2066！${NUL}` }),
      }),
    );
    expect(res.statusCode).toBe(200);
    const survey = await getSurvey(surveyId);
    expect(survey?.comment).toBe('态度差！');
    expectClean(survey, 'stored survey');
  });
});

describe('callback notes', () => {
  it('a note is stored cleaned; a note of nothing but control characters is a 400 naming note', async () => {
    const { phone, surveyId } = await surveyed('E-note');
    at('2026-11-20T02:30:00Z');
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    const ok = await callbackCall('POST', '/v1/callbacks/{id}/notes', surveyId, {
      note: `已致电${NUL}客户${RLO}，约明天复查\r\n${ESC}`,
    });
    expect(ok.status).toBe(200);
    const c = await getCallback(surveyId);
    expect(c?.history.at(-1)?.note).toBe('已致电客户，约明天复查');
    expectClean(c, 'stored case');
    expectClean(ok.raw, 'callback JSON');

    const empty = await callbackCall('POST', '/v1/callbacks/{id}/notes', surveyId, { note: `${NUL}${RLO} ` });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((e: { field: string }) => e.field)).toEqual(['note']);

    const closed = await callbackCall('POST', '/v1/callbacks/{id}/close', surveyId, {
      outcome: 'resolved_satisfied',
      note: `已解决${RLO}${NUL}`,
    });
    expect(closed.status).toBe(200);
    expect((await getCallback(surveyId))?.history.at(-1)?.note).toBe('已解决');
  });
});
