import { beforeAll, describe, expect, it } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

/**
 * GET /v1/callbacks/{id} names the customer's previous surveys and cases (customerHistory), read
 * through the customer index (CUST#{phone}): newest first, only what the caller may see, never the
 * case itself nor another customer's.
 */
const deps = testDeps();
const callbacks = callbacksOn(deps);
const at = (iso: string) => pinClock(new Date(iso));

const PHONE = '13900031234';
const OTHER_PHONE = '13900035678';

/** A ticket completed on `day` at 09:50 Beijing, surveyed, answered `rating` (and reasons) at 10:21. */
async function rated(day: string, team: string, rating: string, phone = PHONE) {
  at(`${day}T02:00:00Z`);
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        completedAt: `${day}T09:50:00+08:00`,
        engineer: { id: `E-${team}`, name: `${team}师傅`, team, region: `R-${team}` },
        customer: { phone },
      }),
    ),
  );
  at(`${day}T02:21:00Z`);
  await runDueWork(deps);
  expect(await handleInboundSms(deps, inbound(`+86${phone}`, rating))).toBe('rated');
  // The reasons asked after a 不满意 (上门不准时): the survey is done, the phone free for the next.
  if (rating === '3') expect(await handleInboundSms(deps, inbound(`+86${phone}`, '1'))).toBe('reasons');
  return response.surveyId as string;
}

type Claims = Record<string, string>;
async function getCase(claims: Claims, id: string) {
  const res = await callbacks({
    ...httpEvent({ method: 'GET', path: '/v1/callbacks/{id}', claims }),
    rawPath: `/v1/callbacks/${id}`,
    pathParameters: { id },
  });
  return { status: res.statusCode, body: JSON.parse(res.body as string) };
}

let first: string;
let elsewhere: string;
let happy: string;
let current: string;
let stranger: string;

beforeAll(async () => {
  // Two days apart: past the default survey fatigue (24 h), so every completion is surveyed.
  first = await rated('2026-11-10', 'T-hist', '3');
  elsewhere = await rated('2026-11-12', 'T-hist2', '3');
  happy = await rated('2026-11-14', 'T-hist', '1');
  current = await rated('2026-11-16', 'T-hist', '3');
  stranger = await rated('2026-11-16', 'T-hist', '3', OTHER_PHONE);
  at('2026-11-16T03:00:00Z');
}, 60_000);

describe("a case's customer history", () => {
  it("an agent of the team: the customer's other surveys and cases in scope, newest first", async () => {
    const agent = { sub: 'agent-h', role: 'agent', teams: scopeClaim('T-hist') };
    const { status, body } = await getCase(agent, current);
    expect(status).toBe(200);
    expect(body.phone).toBe(`+86${PHONE}`);
    expect(body.customerHistory).toEqual([
      {
        kind: 'survey',
        id: happy,
        at: '2026-11-14T01:50:00.000Z',
        rating: 1,
        status: 'answered',
        engineerName: 'T-hist师傅',
        ticketId: expect.any(String),
      },
      {
        kind: 'case',
        id: first,
        at: '2026-11-10T02:21:00.000Z',
        rating: 3,
        // uncontacted past its deadline: the scheduler's runs since made it overdue
        status: 'overdue',
        caseKind: 'dissatisfied',
        engineerName: 'T-hist师傅',
        ticketId: expect.any(String),
      },
      {
        kind: 'survey',
        id: first,
        at: '2026-11-10T01:50:00.000Z',
        rating: 3,
        status: 'answered',
        engineerName: 'T-hist师傅',
        ticketId: expect.any(String),
      },
    ]);
    const ids = (body.customerHistory as Array<{ id: string }>).map((h) => h.id);
    // Not the case itself, not another team's, not another customer's.
    expect(ids).not.toContain(current);
    expect(ids).not.toContain(elsewhere);
    expect(ids).not.toContain(stranger);
    // The list itself is as before (no history there).
    expect(JSON.stringify(body)).not.toContain(OTHER_PHONE);
  });

  it("an admin sees every team's; a manager gets the phone masked and the same history as the agent", async () => {
    const admin = await getCase({ sub: 'admin-h', role: 'admin' }, current);
    expect(admin.status).toBe(200);
    const adminIds = (admin.body.customerHistory as Array<{ kind: string; id: string }>).map(
      (h) => `${h.kind}:${h.id}`,
    );
    expect(adminIds).toEqual([
      `survey:${happy}`,
      `case:${elsewhere}`,
      `survey:${elsewhere}`,
      `case:${first}`,
      `survey:${first}`,
    ]);

    const manager = await getCase(
      { sub: 'mgr-h', role: 'manager', teams: scopeClaim('T-hist'), regions: scopeClaim() },
      current,
    );
    expect(manager.status).toBe(200);
    expect(manager.body.phone).toBe('139****1234');
    expect(manager.body.customerHistory).toHaveLength(3);
    expect(JSON.stringify(manager.body.customerHistory)).not.toContain(PHONE);
  });

  it('another customer: only their own (here nothing)', async () => {
    const { body } = await getCase({ sub: 'admin-h', role: 'admin' }, stranger);
    expect(body.customerHistory).toEqual([]);
  });
});
