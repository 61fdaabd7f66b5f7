import { describe, expect, it } from 'vitest';
import { customers as customersOn } from '#functions/customers/handler';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { parsePeriod } from '#shared/domain/time';
import { getPhoneState } from '#shared/store/phone-state';
import { getSurvey } from '#shared/store/survey';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const customers = customersOn(deps);

const admin = { subject: 'a', role: 'admin' as const, teams: [], regions: [] };
const del = (phone: string, claims: Record<string, string>) =>
  customers({
    ...httpEvent({ method: 'DELETE', path: `/v1/customers/${phone}`, claims }),
    routeKey: 'DELETE /v1/customers/{phone}',
    pathParameters: { phone },
  });
const figures = async () =>
  (await engineerReport(deps, admin, parsePeriod('2026-11', 'Asia/Shanghai'))).engineers.find(
    (e) => e.engineerId === 'E-pd',
  );

async function rateAndComment(national: string, ticketId: string, name: string) {
  pinClock(new Date('2026-11-20T02:00:00Z'));
  await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        ticketId,
        customer: { phone: national, name },
        engineer: { id: 'E-pd', name: '孙师傅', team: 'T-pd', region: 'R-pd' },
      }),
    ),
  );
  pinClock(new Date('2026-11-20T03:00:00Z'));
  await runDueWork(deps);
  await handleInboundSms(deps, inbound(`+86${national}`, '3 等了三个小时'));
  await handleInboundSms(deps, inbound(`+86${national}`, '1 家里地址在幸福路8号'));
}

describe('personal data', () => {
  it('raw records carry a TTL of the retention period (180 days), cases theirs (1095); aggregates none', async () => {
    await rateAndComment('13912345601', 'PD-TTL', '钱先生');
    const items = await allItems();
    const inDays = (days: number) => Math.floor(Date.parse('2026-11-20T02:00:00Z') / 1000) + days * 86_400;
    for (const [type, days] of [
      ['ticket', 180],
      ['survey', 180],
      ['sms', 180],
      ['callback', 1095], // complaints.retentionDays: the case archive, independent of raw records
    ] as const) {
      const some = items.filter((i) => i.type === type);
      expect(some.length, type).toBeGreaterThan(0);
      for (const i of some) {
        expect(typeof i.ttl, `${type} ttl`).toBe('number');
        expect(Math.abs((i.ttl as number) - inDays(days))).toBeLessThan(2 * 86_400);
      }
    }
    for (const agg of items.filter((i) => String(i.pk).startsWith('AGG#'))) expect(agg.ttl).toBeUndefined();
  });

  it('DELETE /v1/customers/{phone} erases the customer everywhere and keeps the figures', async () => {
    const national = '13912345602';
    await rateAndComment(national, 'PD-DEL', '赵女士');
    const before = await figures();

    expect((await del(national, { sub: 'm', role: 'manager', teams: scopeClaim('T-pd') })).statusCode).toBe(
      403,
    );
    const bad = await del('010-1234', { sub: 'a', role: 'admin' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body as string).errors[0].field).toBe('phone');

    const res = await del(national, { sub: 'a', role: 'admin' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toEqual({
      phone: '139****5602',
      surveys: 1,
      messages: 3,
      optOutKept: false,
    });

    const left = (await allItems()).filter((i) => !String(i.pk).startsWith('LOCAL#')); // the local SMS stand-in aside
    const survey = left.find((i) => i.type === 'survey' && i.ticketId === 'PD-DEL');
    const dump = JSON.stringify(left);
    expect(dump).not.toContain('12345602');
    expect(dump).not.toContain('赵女士');
    const deleted = JSON.stringify(
      left.filter((i) => JSON.stringify(i).includes('PD-DEL') || i.surveyId === survey?.surveyId),
    );
    expect(deleted).not.toContain('等了三个小时');
    expect(deleted).not.toContain('幸福路');
    expect(survey).toMatchObject({ rating: 3, reasons: [1], phone: '139****5602' });
    expect(await figures()).toEqual(before);

    const again = await del(national, { sub: 'a', role: 'admin' });
    expect(JSON.parse(again.body as string)).toMatchObject({ surveys: 0, messages: 0 });
  });

  it('an opted-out number keeps only its opt-out after erasure', async () => {
    const national = '13912345603';
    pinClock(new Date('2026-11-21T02:00:00Z'));
    await handleInboundSms(deps, inbound(`+86${national}`, 'TD'));
    const res = await del(national, { sub: 'a', role: 'admin' });
    expect(JSON.parse(res.body as string)).toMatchObject({ optOutKept: true, messages: 1 });
    expect((await getPhoneState(`+86${national}`)).optedOut).toBe(true);
  });

  it('a completion accepted but not planned yet is planned, then erased: nothing clear is left, nothing is sent', async () => {
    const national = '13912345604';
    pinClock(new Date('2026-11-20T02:10:00Z'));
    const t = ticketCompletedSchema.parse(
      ticketBody({
        ticketId: 'PD-PENDING',
        customer: { phone: national, name: '孔先生' },
        engineer: { id: 'E-pd', name: '孙师傅', team: 'T-pd', region: 'R-pd' },
      }),
    );
    const { response } = await acceptTicket(deps, t);
    const completedBefore = (await figures())?.completed ?? 0;
    const cancelledBefore = (await figures())?.funnel.cancelled ?? 0;

    const res = await del(national, { sub: 'a', role: 'admin' });
    expect(JSON.parse(res.body as string)).toMatchObject({ surveys: 1, messages: 0 });
    const left = (await allItems()).filter((i) => JSON.stringify(i).includes('PD-PENDING'));
    expect(left.map((i) => i.type).sort()).toEqual(['survey', 'ticket']);
    expect(JSON.stringify(left)).not.toContain('12345604');
    expect(JSON.stringify(left)).not.toContain('孔先生');
    const after = await figures();
    expect(after?.completed).toBe(completedBefore + 1); // the figures keep the completion
    expect(await getSurvey(response.surveyId)).toMatchObject({ status: 'cancelled', reason: 'erased' });
    expect(after?.funnel.cancelled).toBe(cancelledBefore + 1);

    pinClock(new Date('2026-11-20T03:00:00Z'));
    await runDueWork(deps);
    expect(await getSurvey(response.surveyId)).toMatchObject({ status: 'cancelled', phone: '139****5604' });
    expect((await allItems()).filter((i) => i.type === 'sms' && String(i.to).includes('5604'))).toEqual([]);
    expect(await figures()).toEqual(after);
  });
});
