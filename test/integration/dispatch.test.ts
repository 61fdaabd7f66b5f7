import { beforeEach, describe, expect, it } from 'vitest';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { dispatchDue } from '#shared/app/scheduler/dispatch-due';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { listAlerts } from '#shared/gateways/alerts/local';
import { type DispatchItem, getDispatch } from '#shared/store/dispatch';
import { postSigned } from '../helpers/apigw.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

/**
 * Dispatch-time supervision (issue 12, 000 第二章 / line 391) on DynamoDB Local: the signed
 * dispatch webhook, the half-time and limit alerts through the due index and the scheduler on a
 * pinned clock, a completion that comes first cancelling them, first contact timed from the
 * dispatch, punctuality against the original appointment.
 */
const deps = testDeps();
const handler = ticketCompletedOn(deps);
const secret = process.env.WEBHOOK_SECRET as string;

const dispatch = (body: unknown, key = secret) => postSigned(handler, key, '/v1/tickets/dispatched', body);
const complete = (body: unknown) => postSigned(handler, secret, '/v1/tickets/completed', body);

// Reported 08:00 Beijing time (00:00Z); a home equipment repair in town is held to 3 h:
// half time at 01:30Z, the limit at 03:00Z.
const REPORTED = '2026-11-20T08:00:00+08:00';
const Z = (hhmmss: string) => new Date(`2026-11-20T${hhmmss}Z`);

let seq = 0;
function dispatchBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    ticketId: `D-${Date.now()}-${seq}`,
    source: 'ossA',
    segment: 'home',
    kind: 'repair',
    area: 'urban',
    faultType: 'equipment',
    reportedAt: REPORTED,
    dispatchedAt: '2026-11-20T08:05:00+08:00',
    engineer: { id: 'E-d', name: '赵师傅', team: 'T-disp', region: 'R-disp' },
    customer: { phone: '13800138000' },
    ...overrides,
  };
}

const dispatchOf = async (ticketId: string) =>
  (await allItems()).find((i) => i.sk === 'DISPATCH' && String(i.pk).endsWith(`#${ticketId}`));
const alertsOf = async (ticketId: string) => (await listAlerts()).filter((a) => a.ticketId === ticketId);
async function tick(at: Date) {
  pinClock(at);
  return runDueWork(deps);
}

describe('POST /v1/tickets/dispatched', () => {
  beforeEach(() => pinClock(Z('00:10:00')));

  it('accepts once: 202 with the limit and alert times, 200 with the same body again, 409 naming what differs', async () => {
    const body = dispatchBody();
    const first = await dispatch(body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      ticketId: body.ticketId,
      source: 'ossA',
      alerts: 'scheduled',
      repairLimitHours: 3,
      halfTimeAt: '2026-11-20T01:30:00.000Z',
      limitAt: '2026-11-20T03:00:00.000Z',
    });
    const again = await dispatch({
      ...body,
      engineer: { id: 'E-d', name: '赵工', team: 'T-disp', region: 'R-disp' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const other = await dispatch({ ...body, dispatchedAt: '2026-11-20T08:06:00+08:00', area: 'rural' });
    expect(other.status).toBe(409);
    expect(other.type).toMatch(/^application\/problem\+json/);
    expect(other.body.errors.map((e: { field: string }) => e.field)).toEqual(['area', 'dispatchedAt']);

    const item = await dispatchOf(body.ticketId as string);
    expect(item).toMatchObject({
      type: 'dispatch',
      alerts: 'half_time',
      gsi1pk: expect.stringMatching(/^DUE#/),
      gsi1sk: expect.stringMatching(/^2026-11-20T01:30:00.000Z#/),
    });
    expect(JSON.stringify(item)).not.toContain('13800138000'); // the customer is not stored
    expect((await allItems()).filter((i) => String(i.pk).endsWith(`#${body.ticketId}`))).toHaveLength(1);
  });

  it('half_time exactly at half the limit (not 1 ms before), limit_exceeded at the limit, each once, to the team', async () => {
    const body = dispatchBody();
    const id = body.ticketId as string;
    expect((await dispatch(body)).status).toBe(202);

    await tick(new Date(Z('01:30:00').getTime() - 1));
    expect(await alertsOf(id)).toEqual([]);

    // two scheduler runs at once (other files' dispatches may be due too): one alert
    await Promise.all([tick(Z('01:30:00')), runDueWork(deps)]);
    expect(await alertsOf(id)).toEqual([
      expect.objectContaining({
        kind: 'half_time',
        level: 'supervisors',
        team: 'T-disp',
        region: 'R-disp',
        ticketId: id,
        source: 'ossA',
        subject: expect.stringContaining('已过半'),
        message: expect.stringContaining('3 小时'),
      }),
    ]);
    expect(await dispatchOf(id)).toMatchObject({
      alerts: 'limit_exceeded',
      gsi1sk: expect.stringMatching(/^2026-11-20T03:00:00.000Z#/),
    });

    await tick(new Date(Z('03:00:00').getTime() - 1));
    expect((await alertsOf(id)).map((a) => a.kind)).toEqual(['half_time']);
    await tick(Z('03:00:00'));
    await tick(Z('05:00:00'));
    expect((await alertsOf(id)).map((a) => a.kind)).toEqual(['half_time', 'limit_exceeded']);
    const done = await dispatchOf(id);
    expect(done?.alerts).toBe('done');
    expect(done?.gsi1pk).toBeUndefined();
  });

  it('a completion that arrives first cancels both alerts: planned, the dispatch leaves the due index', async () => {
    const body = dispatchBody();
    const id = body.ticketId as string;
    expect((await dispatch(body)).status).toBe(202);
    pinClock(Z('01:00:00'));
    const done = await complete(
      ticketBody({ ticketId: id, reportedAt: REPORTED, completedAt: '2026-11-20T08:55:00+08:00' }),
    );
    expect(done.status).toBe(202);
    expect((await tick(Z('01:00:00'))).planned).toBe(1);
    const item = await dispatchOf(id);
    expect(item).toMatchObject({ alerts: 'cancelled', cancelledAt: '2026-11-20T01:00:00.000Z' });
    expect(item?.gsi1pk).toBeUndefined();
    await tick(Z('01:30:00'));
    await tick(Z('03:00:00'));
    expect(await alertsOf(id)).toEqual([]);
  });

  it('a completion accepted but not yet planned when the half time falls due: nothing is sent', async () => {
    const body = dispatchBody();
    const id = body.ticketId as string;
    expect((await dispatch(body)).status).toBe(202);
    pinClock(Z('01:30:00'));
    expect(
      (
        await complete(
          ticketBody({ ticketId: id, reportedAt: REPORTED, completedAt: '2026-11-20T09:29:00+08:00' }),
        )
      ).status,
    ).toBe(202);
    // the alerts step on the dispatch as read before the planning: the completion stops it
    const waiting = (await getDispatch('ossA', id)) as DispatchItem;
    expect(await dispatchDue(deps, waiting, Z('01:30:00'))).toBe('dispatchAlertsCancelled');
    expect(await dispatchDue(deps, waiting, Z('01:30:00'))).toBe('skipped');
    await tick(Z('01:30:00'));
    await tick(Z('03:00:00'));
    expect(await alertsOf(id)).toEqual([]);
    expect((await dispatchOf(id))?.alerts).toBe('cancelled');
  });

  it('a late scheduler sends the limit alert alone, not a stale half-time one', async () => {
    const body = dispatchBody();
    const id = body.ticketId as string;
    expect((await dispatch(body)).status).toBe(202);
    await tick(Z('03:10:00'));
    expect((await alertsOf(id)).map((a) => a.kind)).toEqual(['limit_exceeded']);
    expect((await dispatchOf(id))?.alerts).toBe('done');
  });

  it('no repair limit (an install, none configured): accepted, no alerts, not in the due index', async () => {
    const body = dispatchBody({ kind: 'install', area: undefined, faultType: undefined });
    const res = await dispatch(body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ alerts: 'none', repairLimitHours: null });
    const item = await dispatchOf(body.ticketId as string);
    expect(item?.alerts).toBe('none');
    expect(item?.gsi1pk).toBeUndefined();
  });

  it('a bad signature is 401 and a bad body 400 naming its fields; nothing is stored', async () => {
    const before = (await allItems()).length;
    const unsigned = await dispatch(dispatchBody(), 'whsec_b3RoZXItc2VjcmV0LW5vdC10aGUtd2ViaG9vay1vbmU=');
    expect(unsigned.status).toBe(401);
    const bad = await dispatch(
      dispatchBody({
        dispatchedAt: 'yesterday',
        segment: 'office',
        engineer: { id: 'E 1', name: '赵师傅', team: 'T', region: 'R' },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'dispatchedAt',
      'engineer.id',
      'segment',
    ]);
    const future = await dispatch(dispatchBody({ dispatchedAt: '2026-11-20T08:15:00+08:00' }));
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ field: 'dispatchedAt', message: 'must not be in the future' }]);
    expect((await allItems()).length).toBe(before);
  });
});

describe('the completion after a dispatch', () => {
  beforeEach(() => pinClock(Z('02:00:00')));

  async function surveyTimeliness(ticketId: string) {
    await tick(Z('02:00:00'));
    const survey = (await allItems()).find((i) => i.type === 'survey' && i.ticketId === ticketId);
    return survey?.timeliness as Record<string, unknown> | undefined;
  }

  it('first contact is timed from the stored dispatch when the completion does not say; from the report without one', async () => {
    const dispatched = dispatchBody({ dispatchedAt: '2026-11-20T09:00:00+08:00' });
    const id = dispatched.ticketId as string;
    expect((await dispatch(dispatched)).status).toBe(202);
    const completion = (ticketId: string, extra: Record<string, unknown> = {}) =>
      ticketBody({
        ticketId,
        reportedAt: REPORTED,
        firstContactAt: '2026-11-20T09:10:00+08:00',
        completedAt: '2026-11-20T09:50:00+08:00',
        ...extra,
      });
    expect((await complete(completion(id))).status).toBe(202);
    expect(await surveyTimeliness(id)).toMatchObject({ contactOnTime: true });

    const undispatched = `${id}-none`;
    expect((await complete(completion(undispatched))).status).toBe(202);
    expect(await surveyTimeliness(undispatched)).toMatchObject({ contactOnTime: false });

    // the completion's own dispatchedAt wins over the stored dispatch's
    const own = dispatchBody({ dispatchedAt: '2026-11-20T09:00:00+08:00' });
    expect((await dispatch(own)).status).toBe(202);
    const ownId = own.ticketId as string;
    expect((await complete(completion(ownId, { dispatchedAt: '2026-11-20T08:50:00+08:00' }))).status).toBe(
      202,
    );
    expect(await surveyTimeliness(ownId)).toMatchObject({ contactOnTime: false });
  });

  it('punctuality against the original appointment: a staff change 5 min before it is not punctual; its repeat must match', async () => {
    const body = ticketBody({
      originalAppointmentAt: '2026-11-20T08:00:00+08:00',
      appointmentChangedAt: '2026-11-20T07:55:00+08:00',
      appointmentChangedBy: 'staff',
      appointmentAt: '2026-11-20T09:00:00+08:00',
      arrivedAt: '2026-11-20T09:00:00+08:00',
      completedAt: '2026-11-20T09:50:00+08:00',
    });
    expect((await complete(body)).status).toBe(202);
    expect(await surveyTimeliness(body.ticketId as string)).toMatchObject({ punctual: false });
    const byCustomer = await complete({ ...body, appointmentChangedBy: 'customer' });
    expect(byCustomer.status).toBe(409);
    expect(byCustomer.body.errors).toEqual([
      { field: 'appointmentChangedBy', message: 'differs from the completion already accepted' },
    ]);
    expect((await complete(body)).status).toBe(200);
  });
});
