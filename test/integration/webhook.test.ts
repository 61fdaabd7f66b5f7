import type { Context, ScheduledEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { scheduler as schedulerOn } from '#functions/scheduler/handler';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { inProcessWorkers } from '#shared/app/scheduler/in-process-workers';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { httpEvent } from '../helpers/apigw.ts';
import { allItems, countItems } from '../helpers/db.ts';
import { now, pinClock, testDeps } from '../helpers/deps.ts';
import { sign, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const scheduler = schedulerOn(deps, undefined, inProcessWorkers(deps));
const ticketCompleted = ticketCompletedOn(deps);

const secret = process.env.WEBHOOK_SECRET as string;

function post(body: unknown, opts: { headers?: Record<string, string>; raw?: string; secret?: string } = {}) {
  const text = opts.raw ?? JSON.stringify(body);
  return ticketCompleted(
    httpEvent({
      method: 'POST',
      path: '/v1/tickets/completed',
      body: text,
      headers: { 'content-type': 'application/json', ...sign(opts.secret ?? secret, text), ...opts.headers },
    }),
  );
}

describe('POST /v1/tickets/completed', () => {
  beforeEach(() => pinClock(new Date('2026-11-20T06:00:00Z')));

  it('accepts a signed ticket once: 202 then 200 with the same body', async () => {
    const body = ticketBody();
    const first = await post(body);
    expect(first.statusCode).toBe(202);
    const answer = JSON.parse(first.body as string);
    expect(answer).toMatchObject({ status: 'scheduled' });
    expect(answer.surveyId).toMatch(/^[0-9a-f-]{36}$/);

    const again = await post(body);
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body as string)).toEqual(answer);
  });

  it('writes the ticket alone; the next scheduler run plans it once: survey scheduled, completion counted', async () => {
    pinClock(new Date('2026-11-20T02:05:00Z')); // 5 minutes after completion: the survey is not due yet
    const body = ticketBody({
      engineer: { id: 'E-plan', name: '周工', team: 'T8', region: 'R8' },
      customer: { phone: '13800138011' },
    });
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    const { surveyId } = JSON.parse(res.body as string);
    const written = (await allItems()).filter((i) => JSON.stringify(i).includes(body.ticketId as string));
    expect(written.map((i) => i.type)).toEqual(['ticket']);
    expect(written[0]).toMatchObject({
      gsi1pk: expect.stringMatching(/^DUE#/),
      gsi3pk: expect.stringMatching(/^CUST#/),
    });
    expect(written[0]?.plannedAt).toBeUndefined();

    const runs = await Promise.all([runDueWork(deps), runDueWork(deps)]);
    expect(runs.map((r) => r.planned ?? 0).sort()).toEqual([0, 1]);
    const items = await allItems();
    const ticket = items.find((i) => i.sk === 'TICKET' && String(i.pk).endsWith(`#${body.ticketId}`));
    expect(ticket?.plannedAt).toBe(now().toISOString());
    expect(ticket?.gsi1pk).toBeUndefined();
    expect(ticket?.gsi3pk).toBeUndefined();
    expect(items.filter((i) => i.type === 'survey' && i.ticketId === body.ticketId)).toEqual([
      expect.objectContaining({ surveyId, status: 'scheduled' }),
    ]);
    expect(items.find((i) => i.engineerId === 'E-plan' && String(i.pk).startsWith('AGG#'))?.completed).toBe(
      1,
    );
    expect((await runDueWork(deps)).planned ?? 0).toBe(0);
  });

  it('a reopen before the completion is planned plans it first: counted, its survey cancelled; the next completion starts anew', async () => {
    pinClock(new Date('2026-11-20T02:05:00Z'));
    const body = ticketBody({
      engineer: { id: 'E-reo', name: '吴工', team: 'T8', region: 'R8' },
      customer: { phone: '13800138013' },
    });
    const first = JSON.parse((await post(body)).body as string);
    const reopened = await reopenTicket(deps, {
      source: body.source as string,
      ticketId: body.ticketId as string,
      reopenedAt: '2026-11-20T10:04:00+08:00',
    });
    expect(reopened).toMatchObject({ survey: 'cancelled', surveyId: first.surveyId });
    const agg = async () =>
      (await allItems()).find((i) => i.engineerId === 'E-reo' && String(i.pk).startsWith('AGG#'));
    expect(await agg()).toMatchObject({ completed: 1, reopened: 1, cancelled: 1 });

    pinClock(new Date('2026-11-20T04:00:00Z'));
    const again = await post({ ...body, completedAt: '2026-11-20T11:30:00+08:00' });
    expect(again.statusCode).toBe(202);
    const second = JSON.parse(again.body as string);
    expect(second.surveyId).not.toBe(first.surveyId);
    expect((await post(body)).statusCode).toBe(200); // the first completion delivered late: a repeat
    await runDueWork(deps);
    expect(await agg()).toMatchObject({ completed: 2, reopened: 1, cancelled: 1 });
  });

  it('a scheduler run near its timeout takes no new item: what is left stays due for the next run', async () => {
    pinClock(new Date('2026-11-20T02:05:00Z'));
    await runDueWork(deps); // whatever earlier tests left due
    const bodies = [1, 2, 3].map((n) => ticketBody({ customer: { phone: `1380013802${n}` } }));
    for (const b of bodies) expect((await post(b)).statusCode).toBe(202);
    const ctx = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;
    const event = {} as ScheduledEvent;
    expect(await scheduler(event, ctx(10_000))).toMatchObject({ leftForNextRun: 3 });
    const planned = async () =>
      (await allItems()).filter((i) => i.type === 'survey' && bodies.some((b) => b.ticketId === i.ticketId));
    expect(await planned()).toHaveLength(0);
    expect(await scheduler(event, ctx(60_000))).toMatchObject({ planned: 3 });
    expect(await planned()).toHaveLength(3);
  });

  it('50 concurrent deliveries of one ticket make one survey and count one completion', async () => {
    const body = ticketBody({
      engineer: { id: 'E-race', name: '李工', team: 'T9', region: 'R9' },
      customer: { phone: '13800138019' },
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(body)));
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.filter((c) => c === 200)).toHaveLength(49);
    const ids = new Set(answers.map((a) => JSON.parse(a.body as string).surveyId));
    expect(ids.size).toBe(1);
    await Promise.all([runDueWork(deps), runDueWork(deps), runDueWork(deps)]);
    const items = await allItems();
    const surveys = items.filter((i) => i.type === 'survey' && i.ticketId === body.ticketId);
    expect(surveys).toHaveLength(1);
    const agg = items.find((i) => i.engineerId === 'E-race' && String(i.pk).startsWith('AGG#'));
    expect(agg?.completed).toBe(1);
    expect(await listOutbox('+8613800138019')).toHaveLength(1); // one survey SMS
  });

  it('stores the phone in E.164 and schedules the survey 30 minutes after completion', async () => {
    const body = ticketBody({
      customer: { phone: '+86 139-0013-9000' },
      completedAt: '2026-11-20T10:00:00+08:00',
    });
    pinClock(new Date('2026-11-20T02:10:00Z'));
    const res = await post(body);
    const { surveyId } = JSON.parse(res.body as string);
    await runDueWork(deps);
    const survey = (await allItems()).find((i) => i.surveyId === surveyId && i.type === 'survey');
    expect(survey?.phone).toBe('+8613900139000');
    expect(survey?.dueAt).toBe('2026-11-20T02:30:00.000Z');
    expect(survey?.day).toBe('2026-11-20');
  });

  it('moves a survey that would fall in quiet hours to 08:00-09:00 Beijing time (spread by its id)', async () => {
    const body = ticketBody({ completedAt: '2026-11-20T20:45:00+08:00', customer: { phone: '13800138012' } });
    pinClock(new Date('2026-11-20T13:00:00Z'));
    const { surveyId } = JSON.parse((await post(body)).body as string);
    await runDueWork(deps);
    const survey = (await allItems()).find((i) => i.surveyId === surveyId && i.type === 'survey');
    const due = Date.parse(survey?.dueAt as string);
    expect(due).toBeGreaterThanOrEqual(Date.parse('2026-11-21T00:00:00.000Z'));
    expect(due).toBeLessThan(Date.parse('2026-11-21T01:00:00.000Z'));
  });

  it('401 on a bad, missing or stale signature, storing nothing', async () => {
    const before = await countItems('TICKET#');
    const body = ticketBody();
    const text = JSON.stringify(body);
    expect((await post(body, { secret: 'whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==' })).statusCode).toBe(401);
    const stale = sign(secret, text, new Date(Date.now() - 6 * 60_000));
    expect((await post(body, { headers: stale })).statusCode).toBe(401);
    const tampered = { ...sign(secret, text) };
    expect((await post({ ...body, kind: 'install' }, { headers: tampered })).statusCode).toBe(401);
    const noSig = await ticketCompleted(
      httpEvent({
        method: 'POST',
        path: '/v1/tickets/completed',
        body: text,
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(noSig.statusCode).toBe(401);
    expect(await countItems('TICKET#')).toBe(before);
  });

  it('400 problem+json naming every invalid field, storing nothing', async () => {
    const before = (await allItems()).length;
    const res = await post(
      ticketBody({
        ticketId: 'bad id!',
        segment: 'office',
        kind: 'repair',
        completedAt: 'yesterday',
        customer: { phone: '010-12345678' },
        engineer: { id: 'E1', name: '', team: 'T1' },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toMatch(/application\/problem\+json/);
    const fields = JSON.parse(res.body as string).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'ticketId',
        'segment',
        'completedAt',
        'customer.phone',
        'engineer.name',
        'engineer.region',
      ]),
    );
    expect((await allItems()).length).toBe(before);
  });

  it('400 naming engineer.name for a name that would put a link, a line break, a bidi override or a signature into the SMS', async () => {
    const before = (await allItems()).length;
    const sent = (await listOutbox()).length;
    for (const name of [
      't.cn/abcde',
      'https://a.cn',
      'www.x',
      '王\n回复3满意',
      '王\r\n李',
      '王\u0000',
      '\u001b[2J',
      '\u202e王师傅',
      '王\u2066x',
      '】【中国移动',
      '\u{20000}'.repeat(10), // 10 characters but 20 UTF-16 units: two SMS segments
    ]) {
      const res = await post(ticketBody({ engineer: { id: 'E1', name, team: 'T1', region: 'R1' } }));
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.headers?.['content-type']).toMatch(/application\/problem\+json/);
      const fields = JSON.parse(res.body as string).errors.map((e: { field: string }) => e.field);
      expect([...new Set(fields)], JSON.stringify(name)).toEqual(['engineer.name']);
    }
    expect((await allItems()).length).toBe(before);
    expect(await listOutbox()).toHaveLength(sent);
    const astral = await post(
      ticketBody({ engineer: { id: 'E1', name: '\u{20000}'.repeat(5), team: 'T1', region: 'R1' } }),
    );
    expect(astral.statusCode).toBe(202);
  });

  it('400 for times after completedAt and for a completion in the future', async () => {
    const after = await post(
      ticketBody({ completedAt: '2026-11-20T10:00:00+08:00', arrivedAt: '2026-11-20T11:00:00+08:00' }),
    );
    expect(after.statusCode).toBe(400);
    expect(JSON.parse(after.body as string).errors[0].field).toBe('arrivedAt');
    const future = await post(ticketBody({ completedAt: '2026-11-21T10:00:00+08:00' }));
    expect(future.statusCode).toBe(400);
    expect(JSON.parse(future.body as string).errors[0].field).toBe('completedAt');
    // appointmentChangedAt may be after completion (the norm only cares when it was announced)
    const ok = await post(
      ticketBody({
        completedAt: '2026-11-20T10:00:00+08:00',
        appointmentChangedAt: '2026-11-20T12:00:00+08:00',
      }),
    );
    expect(ok.statusCode).toBe(202);
  });

  it('413 over 64 KiB and 415 when not JSON', async () => {
    const big = JSON.stringify(ticketBody({ pad: 'x'.repeat(70_000) }));
    expect((await post(null, { raw: big })).statusCode).toBe(413);
    const text = 'ticketId=1';
    const res = await ticketCompleted(
      httpEvent({
        method: 'POST',
        path: '/v1/tickets/completed',
        body: text,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(secret, text) },
      }),
    );
    expect(res.statusCode).toBe(415);
  });
});
