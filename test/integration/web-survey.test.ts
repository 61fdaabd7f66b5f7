import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { surveyPage as surveyPageOn } from '#functions/survey-page/handler';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { smsSegments } from '#shared/domain/sms/segments';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { aggKey } from '#shared/store/aggregate';
import { getCallback } from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { getSurvey } from '#shared/store/survey';
import { httpEvent } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps({
  rules: { sources: { web: { webSurvey: true } } },
  env: { PUBLIC_BASE_URL: 'https://fb.cn' },
});
const surveyPage = surveyPageOn(deps);

let phoneSeq = 0;
function freshPhone(): { national: string; e164: string } {
  phoneSeq++;
  const national = `139${String(20_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}

const at = (iso: string) => pinClock(new Date(iso));

const LINK = /https:\/\/fb\.cn\/s\/([A-Za-z0-9_-]{16})(?=\s)/;

/** A completed ticket from the `web` source whose survey has gone out; its token from the SMS. */
async function surveyed(engineer: { id: string; name: string }, source = 'web') {
  const p = freshPhone();
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        source,
        customer: { phone: p.national },
        engineer: { ...engineer, team: 'T1', region: 'R1' },
        completedAt: '2026-11-20T09:50:00+08:00',
      }),
    ),
  );
  at('2026-11-20T02:21:00Z'); // 10:21 Beijing: due
  await runDueWork(deps);
  const [sms] = await listOutbox(p.e164);
  const token = sms ? LINK.exec(sms.body)?.[1] : undefined;
  return { phone: p, surveyId: response.surveyId as string, sms, token: token ?? '' };
}

const get = (token: string) => surveyPage(httpEvent({ method: 'GET', path: `/s/${token}` }));

function postForm(token: string, fields: [string, string][]) {
  return surveyPage(
    httpEvent({
      method: 'POST',
      path: `/s/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

function postJson(token: string, body: unknown) {
  return surveyPage(
    httpEvent({
      method: 'POST',
      path: `/s/${token}`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

async function counts(day: string, engineerId: string): Promise<Record<string, unknown>> {
  const res = await ddb.send(new GetCommand({ TableName: TABLE, Key: aggKey(day, engineerId) }));
  return res.Item ?? {};
}

const html = 'text/html; charset=utf-8';

describe('the web survey', () => {
  beforeEach(() => at('2026-11-20T02:00:00Z')); // 10:00 Beijing

  it('sends a one-segment SMS with the link; the page shows the questions and escapes the name', async () => {
    const s = await surveyed({ id: 'E-web1', name: '<b>李</b>' });
    expect(s.sms?.body).toMatch(
      /^【客户服务】<b>李<\/b>师傅已完成故障维修，请点击评价https:\/\/fb\.cn\/s\/\S{16} 回T退订$/,
    );
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(smsSegments(s.sms?.body ?? '')).toBe(1);
    expect(s.sms?.body.length).toBeLessThanOrEqual(70);

    const res = await get(s.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe(html);
    const body = String(res.body);
    expect(body).toContain('&lt;b&gt;李&lt;/b&gt;');
    expect(body).not.toContain('<b>李');
    expect(body).toContain('故障维修');
    expect(body).toContain('lang="zh-CN"');
    expect(body).toContain('<form method="post"');
    for (const label of ['满意', '基本满意', '不满意', '上门不准时', '问题未解决', '其他'])
      expect(body).toContain(label);
    expect(body.match(/name="rating"/g)).toHaveLength(3);
    expect(body.match(/name="reasons"/g)).toHaveLength(6);
    expect(body).toContain('name="comment"');
    expect(body).not.toMatch(/<script|<link|src=|https?:\/\//i); // no scripts, no external assets
    expect(body).not.toContain(s.phone.national); // never the customer's phone
  });

  it('a source without webSurvey gets the digit prompt and no link', async () => {
    const s = await surveyed({ id: 'E-web2', name: '张伟' }, 'ossA');
    expect(s.sms?.body).toContain('回复1满意，2基本满意，3不满意');
    expect(s.token).toBe('');
  });

  it('records 不满意 with reasons and comment once: aggregates, callback case, thanks; a second answer is refused', async () => {
    const s = await surveyed({ id: 'E-web3', name: '王强' });
    at('2026-11-20T03:00:00Z');
    const res = await postForm(s.token, [
      ['rating', '3'],
      ['reasons', '2'],
      ['reasons', '1'],
      ['comment', '师傅来晚了，态度也不好'],
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe(html);
    expect(String(res.body)).toContain('服务主管将在24小时内致电您');

    const survey = await getSurvey(s.surveyId);
    expect(survey).toMatchObject({
      status: 'answered',
      rating: 3,
      reasons: [1, 2],
      comment: '师傅来晚了，态度也不好',
    });
    const expected = { responses: 1, dissatisfied: 1, reason1: 1, reason2: 1, callbacksOpened: 1 };
    expect(await counts('2026-11-20', 'E-web3')).toMatchObject(expected);
    expect((await counts('2026-11-20', 'E-web3')).reason3).toBeUndefined();

    const cb = await getCallback(s.surveyId);
    expect(cb).toMatchObject({
      status: 'open',
      rating: 3,
      reasons: [1, 2],
      comment: '师傅来晚了，态度也不好',
    });

    const sent = await listOutbox(s.phone.e164);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toContain('服务主管将在24小时内致电您');

    // the link works once
    const again = await postForm(s.token, [['rating', '1']]);
    expect(again.statusCode).toBe(410);
    expect(again.headers?.['content-type']).toBe(html);
    expect(String(again.body)).toContain('您已完成本次服务的评价');
    const page = await get(s.token);
    expect(page.statusCode).toBe(410);
    expect(String(page.body)).not.toContain('<form');
    expect(await counts('2026-11-20', 'E-web3')).toMatchObject(expected);
    expect(await getSurvey(s.surveyId)).toMatchObject({ rating: 3 });
    expect(await listOutbox(s.phone.e164)).toHaveLength(2);

    // a later SMS reply finds no open survey
    expect(await handleInboundSms(deps, inbound(s.phone.e164, '1'))).toBe('no_open_survey');
    const after = await listOutbox(s.phone.e164);
    expect(after).toHaveLength(3);
    expect(after[2]?.body).toContain('目前没有需要您回复的服务评价');
    expect(await counts('2026-11-20', 'E-web3')).toMatchObject(expected);
  });

  it('two answers racing for one link: one is recorded, the other refused', async () => {
    const s = await surveyed({ id: 'E-web4', name: '赵六' });
    const [a, b] = await Promise.all([
      postForm(s.token, [['rating', '1']]),
      postJson(s.token, { rating: 3, reasons: [5] }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 410]);
    const c = await counts('2026-11-20', 'E-web4');
    expect(c.responses).toBe(1);
    expect(Number(c.satisfied ?? 0) + Number(c.dissatisfied ?? 0)).toBe(1);
  });

  it('a race between the web page and an SMS reply is counted once', async () => {
    const s = await surveyed({ id: 'E-web5', name: '钱七' });
    const [web, sms] = await Promise.all([
      postForm(s.token, [
        ['rating', '2'],
        ['reasons', '4'],
      ]),
      handleInboundSms(deps, inbound(s.phone.e164, '1')),
    ]);
    expect(web.statusCode === 200).toBe(sms !== 'rated');
    expect((await counts('2026-11-20', 'E-web5')).responses).toBe(1);
  });

  it('JSON answers: 满意 drops reasons, closes the survey, thanks by SMS', async () => {
    const s = await surveyed({ id: 'E-web6', name: '孙八' });
    const res = await postJson(s.token, { rating: 1, reasons: [2], comment: '  很好  ' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toEqual({ status: 'answered', rating: 1 });
    expect(await getSurvey(s.surveyId)).toMatchObject({ status: 'answered', rating: 1, comment: '很好' });
    expect((await getSurvey(s.surveyId))?.reasons).toBeUndefined();
    const c = await counts('2026-11-20', 'E-web6');
    expect(c).toMatchObject({ responses: 1, satisfied: 1 });
    expect(c.reason2).toBeUndefined();
    expect(await getCallback(s.surveyId)).toBeUndefined();
    expect((await listOutbox(s.phone.e164))[1]?.body).toContain('感谢您的评价');

    const again = await postJson(s.token, { rating: 1 });
    expect(again.statusCode).toBe(410);
    expect(again.headers?.['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('invalid answers re-render the form with a message and the customer’s input, changing nothing', async () => {
    const s = await surveyed({ id: 'E-web7', name: '周九' });
    const none = await postForm(s.token, [
      ['reasons', '3'],
      ['comment', '<script>x</script>'],
    ]);
    expect(none.statusCode).toBe(400);
    expect(none.headers?.['content-type']).toBe(html);
    const body = String(none.body);
    expect(body).toContain('请选择您对本次服务的总体评价');
    expect(body).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(body).not.toContain('<script>');
    expect(body).toMatch(/value="3" checked/);

    const badReason = await postForm(s.token, [
      ['rating', '3'],
      ['reasons', '9'],
    ]);
    expect(badReason.statusCode).toBe(400);
    expect(String(badReason.body)).toContain('请从列表中选择不满意的原因');

    const tooLong = await postForm(s.token, [
      ['rating', '2'],
      ['comment', '长'.repeat(501)],
    ]);
    expect(tooLong.statusCode).toBe(400);
    expect(String(tooLong.body)).toContain('500字');

    const json = await postJson(s.token, { rating: 4 });
    expect(json.statusCode).toBe(400);
    expect(JSON.parse(String(json.body)).errors).toEqual([expect.objectContaining({ field: 'rating' })]);

    const text = await surveyPage(
      httpEvent({
        method: 'POST',
        path: `/s/${s.token}`,
        headers: { 'content-type': 'text/plain' },
        body: '1',
      }),
    );
    expect(text.statusCode).toBe(415);
    expect(text.headers?.['content-type']).toBe(html);

    expect(await getSurvey(s.surveyId)).toMatchObject({ status: 'sent' });
    expect((await counts('2026-11-20', 'E-web7')).responses).toBeUndefined();
    expect((await get(s.token)).statusCode).toBe(200); // still open
  });

  it('unknown or altered tokens answer 404 with a polite page', async () => {
    const s = await surveyed({ id: 'E-web8', name: '吴十' });
    const last = s.token.at(-1) === 'A' ? 'B' : 'A';
    const altered = `${s.token.slice(0, -1)}${last}`;
    for (const token of [altered, 'AAAAAAAAAAAAAAAA', 'short', `${s.token}x`, '%E0%A4%A']) {
      const res = await get(token);
      expect(res.statusCode).toBe(404);
      expect(res.headers?.['content-type']).toBe(html);
      expect(String(res.body)).toContain('评价链接无效');
      const post = await postForm(token, [['rating', '1']]);
      expect(post.statusCode).toBe(404);
    }
    expect(await getSurvey(s.surveyId)).toMatchObject({ status: 'sent' });
  });

  it('an expired survey answers 410, before and after the scheduler closes it', async () => {
    const s = await surveyed({ id: 'E-web9', name: '郑一' });
    at('2026-11-23T02:22:00Z'); // past the 72 hours, not yet expired by the scheduler
    expect(await getSurvey(s.surveyId)).toMatchObject({ status: 'sent' });
    const early = await postForm(s.token, [['rating', '1']]);
    expect(early.statusCode).toBe(410);
    expect(String(early.body)).toContain('已超过有效期');
    await runDueWork(deps);
    expect(await getSurvey(s.surveyId)).toMatchObject({ status: 'expired' });
    const page = await get(s.token);
    expect(page.statusCode).toBe(410);
    expect(String(page.body)).toContain('已超过有效期');
    expect((await counts('2026-11-20', 'E-web9')).responses).toBeUndefined();
  });
});
