import { beforeEach, describe, expect, it } from 'vitest';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { ticketReopened as ticketReopenedOn } from '#functions/ticket-reopened/handler';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { getTicket } from '#shared/store/ticket';
import { postSigned } from '../helpers/apigw.ts';
import { allItems, countItems } from '../helpers/db.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const ticketCompleted = ticketCompletedOn(deps);
const ticketReopened = ticketReopenedOn(deps);

/**
 * The completion and reopen webhooks against any timestamps upstream can send: repeats are
 * recognised by identity (the same completedAt / reopenedAt), never by comparing upstream clocks;
 * what the ticket's state does not allow yet is 409 (retried upstream), never a silent 200.
 */
const secret = process.env.WEBHOOK_SECRET as string;
const NOW = '2026-11-20T06:00:00Z'; // 14:00 Beijing

const signed = (fn: Parameters<typeof postSigned>[0], path: string, body: unknown) =>
  postSigned(fn, secret, path, body);
const complete = (body: Record<string, unknown>) => signed(ticketCompleted, '/v1/tickets/completed', body);
const reopen = (ticketId: string, reopenedAt: string) =>
  signed(ticketReopened, '/v1/tickets/reopened', { source: 'ossA', ticketId, reopenedAt });
const fields = (r: { body: { errors?: { field: string }[] } }) =>
  (r.body.errors ?? []).map((e) => e.field).sort();
const stored = (ticketId: string) => getTicket('ossA', ticketId);
const surveysOf = async (ticketId: string) =>
  (await allItems()).filter((i) => i.type === 'survey' && i.ticketId === ticketId);

/** A completion of `ticketId` at `completedAt` (Beijing time, today), one phone per ticket. */
const phones = new Map<string, string>();
const phoneOf = (ticketId: string) => {
  if (!phones.has(ticketId)) phones.set(ticketId, `1380013${8200 + phones.size}`);
  return phones.get(ticketId) as string;
};
const body = (ticketId: string, completedAt: string, o: Record<string, unknown> = {}) =>
  ticketBody({
    ticketId,
    completedAt: `2026-11-20T${completedAt}:00+08:00`,
    customer: { phone: phoneOf(ticketId) },
    ...o,
  });
const at = (hhmm: string) => `2026-11-20T${hhmm}:00+08:00`;

beforeEach(() => pinClock(new Date(NOW)));

describe('reopenedAt is validated like completedAt', () => {
  it('400 naming reopenedAt for a reopen in the future (beyond the clock skew); nothing changes', async () => {
    expect((await complete(body('FUT-1', '10:00'))).status).toBe(202);
    const before = await stored('FUT-1');
    const res = await reopen('FUT-1', '2026-11-20T14:02:00+08:00'); // 2 minutes ahead of our clock
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/application\/problem\+json/);
    expect(fields(res)).toEqual(['reopenedAt']);
    expect(await stored('FUT-1')).toEqual(before);
    // within the allowed skew it is a reopen, and the next completion is new, not a repeat
    expect((await reopen('FUT-1', '2026-11-20T14:00:30+08:00')).status).toBe(200);
    expect((await complete(body('FUT-1', '13:00'))).status).toBe(202);
  });
});

describe('repeat or new: decided by identity, not by comparing upstream clocks', () => {
  it('a reopen dated before the completion it reopens still reopens it (two systems, two clocks)', async () => {
    const first = await complete(body('ORD-1', '10:00'));
    const res = await reopen('ORD-1', at('09:50'));
    expect(res).toMatchObject({ status: 200, body: { survey: 'cancelled', surveyId: first.body.surveyId } });
    expect(await stored('ORD-1')).toMatchObject({ state: 'reopened' });
    expect((await complete(body('ORD-1', '11:00'))).status).toBe(202);
  });

  it("a reopened ticket's next completion is new whatever its date: before the reopen, even before the first completion", async () => {
    const first = await complete(body('ORD-2', '10:00'));
    expect((await reopen('ORD-2', at('12:00'))).status).toBe(200);
    const second = await complete(body('ORD-2', '11:00')); // before the reopen
    expect(second.status).toBe(202);
    expect(second.body.surveyId).not.toBe(first.body.surveyId);
    expect((await reopen('ORD-2', at('12:30'))).status).toBe(200);
    const third = await complete(body('ORD-2', '09:00')); // before the first completion
    expect(third.status).toBe(202);
    expect(new Set([first, second, third].map((r) => r.body.surveyId)).size).toBe(3);
    await runDueWork(deps);
    expect(await stored('ORD-2')).toMatchObject({ completions: 3, state: 'completed' });
    expect(await surveysOf('ORD-2')).toHaveLength(3);
  });

  it('a new completion before its reopen arrives (out of order) is 409 naming completedAt, and accepted once the reopen lands', async () => {
    const first = await complete(body('ORD-3', '10:00'));
    const early = await complete(body('ORD-3', '12:00'));
    expect(early.status).toBe(409);
    expect(early.type).toMatch(/application\/problem\+json/);
    expect(early.body).toMatchObject({ status: 409, title: 'Conflict' });
    expect(fields(early)).toEqual(['completedAt']);
    expect(await stored('ORD-3')).toMatchObject({ completions: 1, response: first.body });
    expect((await reopen('ORD-3', at('11:00'))).status).toBe(200);
    const retried = await complete(body('ORD-3', '12:00')); // upstream retries the 409
    expect(retried.status).toBe(202);
    expect(retried.body.surveyId).not.toBe(first.body.surveyId);
  });

  it('two reopens: the same one again is 200 and changes nothing; a different one before the next completion is 409, then reopens that completion', async () => {
    await complete(body('ORD-4', '10:00'));
    expect((await reopen('ORD-4', at('11:00'))).body.survey).toBe('cancelled');
    const before = await stored('ORD-4');
    expect(await reopen('ORD-4', '2026-11-20T03:00:00Z')).toMatchObject({
      status: 200,
      body: { survey: 'kept' },
    });
    expect(await stored('ORD-4')).toEqual(before);
    const second = await reopen('ORD-4', at('12:00')); // the reopen of a completion not delivered yet
    expect(second.status).toBe(409);
    expect(fields(second)).toEqual(['reopenedAt']);
    expect(await stored('ORD-4')).toEqual(before);
    const next = await complete(body('ORD-4', '11:30'));
    expect(next.status).toBe(202);
    expect(await reopen('ORD-4', at('12:00'))).toMatchObject({
      status: 200,
      body: { survey: 'cancelled', surveyId: next.body.surveyId },
    });
  });

  it('late repeats of an earlier completion and an earlier reopen get their first answers and change nothing', async () => {
    const c1 = await complete(body('ORD-5', '10:00'));
    expect((await reopen('ORD-5', at('11:00'))).status).toBe(200);
    const c2 = await complete(body('ORD-5', '12:00'));
    expect(c2.status).toBe(202);
    const before = await stored('ORD-5');
    const lateC1 = await complete(body('ORD-5', '10:00'));
    expect(lateC1).toMatchObject({ status: 200, body: c1.body });
    const lateR1 = await reopen('ORD-5', at('11:00'));
    expect(lateR1).toMatchObject({ status: 200, body: { survey: 'kept', surveyId: c1.body.surveyId } });
    expect(await complete(body('ORD-5', '12:00'))).toMatchObject({ status: 200, body: c2.body });
    expect(await stored('ORD-5')).toEqual(before); // C2 is not reopened by the late reopen of C1
  });

  it('a reopen of a ticket never completed is 404 and stores nothing; retried after the completion, it applies', async () => {
    expect((await reopen('ORD-6', at('11:00'))).status).toBe(404);
    expect(await stored('ORD-6')).toBeUndefined();
    const c = await complete(body('ORD-6', '10:00'));
    expect(await reopen('ORD-6', at('11:00'))).toMatchObject({
      status: 200,
      body: { survey: 'cancelled', surveyId: c.body.surveyId },
    });
  });
});

describe('completedAt is not older than rules.tickets.maxCompletionAgeDays (7)', () => {
  it('400 naming completedAt for a completion 8 days old; nothing stored', async () => {
    const before = await countItems('TICKET#');
    const res = await complete(ticketBody({ ticketId: 'AGE-8', completedAt: '2026-11-12T13:59:00+08:00' }));
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/application\/problem\+json/);
    expect(fields(res)).toEqual(['completedAt']);
    expect(await countItems('TICKET#')).toBe(before);
    const ancient = await complete(ticketBody({ ticketId: 'AGE-0001', completedAt: '0001-01-01T00:00:00Z' }));
    expect(fields(ancient)).toEqual(['completedAt']);
    expect(await countItems('TICKET#')).toBe(before);
  });

  it('a completion 6 days old is accepted; its repeat a week later still gets the first answer', async () => {
    const b = ticketBody({ ticketId: 'AGE-6', completedAt: '2026-11-14T14:00:00+08:00' });
    const first = await complete(b);
    expect(first.status).toBe(202);
    pinClock(new Date('2026-11-27T06:00:00Z'));
    expect(await complete(b)).toMatchObject({ status: 200, body: first.body });
  });

  it('400 naming reportedAt for a report more than a year before the completion', async () => {
    const res = await complete(body('AGE-REP', '10:00', { reportedAt: '2025-11-18T10:00:00+08:00' }));
    expect(fields(res)).toEqual(['reportedAt']);
    expect(
      (await complete(body('AGE-REP', '10:00', { reportedAt: '2025-11-21T10:00:00+08:00' }))).status,
    ).toBe(202);
  });
});

describe('a repeat that differs in what was counted is 409', () => {
  const original = (ticketId: string) =>
    body(ticketId, '10:00', {
      reportedAt: at('08:00'),
      engineer: { id: 'E-conf', name: '王师傅', team: 'T-conf', region: 'R-conf' },
      customer: { phone: '13800138100', name: '赵先生' },
    });

  it('409 problem+json naming every conflicting field; nothing changes', async () => {
    const first = await complete(original('CONF-1'));
    expect(first.status).toBe(202);
    const before = await stored('CONF-1');
    const res = await complete({
      ...original('CONF-1'),
      kind: 'install',
      segment: 'enterprise',
      reportedAt: at('08:30'),
      excludedMinutes: 5,
      engineer: { id: 'E-other', name: '王师傅', team: 'T-x', region: 'R-x' },
      customer: { phone: '13800138101' },
    });
    expect(res.status).toBe(409);
    expect(res.type).toMatch(/application\/problem\+json/);
    expect(fields(res)).toEqual(
      [
        'kind',
        'segment',
        'reportedAt',
        'excludedMinutes',
        'engineer.id',
        'engineer.team',
        'engineer.region',
        'customer.phone',
      ].sort(),
    );
    expect(await stored('CONF-1')).toEqual(before);
    await runDueWork(deps);
    const agg = (await allItems()).filter((i) => String(i.pk).startsWith('AGG#'));
    expect(agg.filter((a) => a.engineerId === 'E-other')).toEqual([]);
  });

  it('an identical repeat is 200 with the first answer; names and the offset of an instant may differ', async () => {
    const first = await complete(original('CONF-0'));
    expect(first.status).toBe(202);
    const same = await complete({
      ...original('CONF-0'),
      completedAt: '2026-11-20T02:00:00Z', // the same instant
      reportedAt: '2026-11-20T00:00:00.000Z',
      engineer: { id: 'E-conf', name: '王工', team: 'T-conf', region: 'R-conf' },
      customer: { phone: '+86 138-0013-8100', name: '赵总' },
    });
    expect(same).toMatchObject({ status: 200, body: first.body });
  });

  it('a conflicting late repeat of an earlier completion is 409 too', async () => {
    const b = body('CONF-2', '10:00', { engineer: { id: 'E-c2', name: '李工', team: 'T1', region: 'R1' } });
    await complete(b);
    await reopen('CONF-2', at('11:00'));
    expect((await complete(body('CONF-2', '12:00'))).status).toBe(202);
    const late = await complete({ ...b, engineer: { id: 'E-c3', name: '李工', team: 'T1', region: 'R1' } });
    expect(late.status).toBe(409);
    expect(fields(late)).toEqual(['engineer.id']);
    expect((await complete(b)).status).toBe(200);
  });

  it("after the customer's erasure, a repeat with the real phone is still a repeat (200)", async () => {
    const b = body('CONF-3', '10:00', { customer: { phone: '13800138103' } });
    const first = await complete(b);
    await runDueWork(deps);
    await eraseCustomer(deps, { subject: 'a', role: 'admin', teams: [], regions: [] }, '13800138103');
    expect(await complete(b)).toMatchObject({ status: 200, body: first.body });
    expect((await complete({ ...b, kind: 'install' })).status).toBe(409);
  });
});
