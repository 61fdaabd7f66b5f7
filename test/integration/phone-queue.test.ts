import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { eraseCustomer } from '#shared/app/customers/erase-customer';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { reopenTicket } from '#shared/app/tickets/reopen-ticket';
import { ddb, TABLE } from '#shared/store/client';
import { getPhoneState, phoneKey } from '#shared/store/phone-state';
import { getSurvey } from '#shared/store/survey';
import { auditTable } from '../../infra/ops/verify.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();

/**
 * The rule "a survey is `waiting` exactly when it is in its phone's queue, and a phone with a
 * queue has a survey open (or has just handed the turn to the next one)", driven step by step
 * through the interleavings that broke it: no timing, each step awaited in the racing order.
 */
/** A pause injected into the erasure, between reading the customer's records and acting on them. */
const pause = vi.hoisted(() => ({ afterCustomerRecords: undefined as undefined | (() => Promise<void>) }));
vi.mock('#shared/store/query', async (importOriginal) => {
  const real = await importOriginal<typeof import('#shared/store/query')>();
  return {
    ...real,
    queryAll: async (input: Parameters<typeof real.queryAll>[0]) => {
      const items = await real.queryAll(input);
      const hook = pause.afterCustomerRecords;
      // the erasure's read of all the customer's records (not its pending-tickets read)
      if (hook && input.KeyConditionExpression === 'gsi3pk = :pk') {
        pause.afterCustomerRecords = undefined;
        await hook();
      }
      return items;
    },
  };
});

let phoneSeq = 0;
function freshPhone() {
  phoneSeq++;
  const national = `135${String(20_000_000 + phoneSeq * 7919).slice(-8)}`;
  return { national, e164: `+86${national}` };
}
const at = (iso: string) => pinClock(new Date(iso));
const admin = { subject: 'a', role: 'admin' as const, teams: [], regions: [] };

async function complete(phone: string, ticketId: string, completedAt: string) {
  const body = ticketCompletedSchema.parse(
    ticketBody({
      ticketId,
      completedAt,
      customer: { phone },
      engineer: { id: 'E-pq', name: '钱师傅', team: 'T1', region: 'R1' },
    }),
  );
  return (await completeAndPlan(deps, body)).response.surveyId;
}

/**
 * S1 sent on the phone; a day later (past the fatigue window) S2 and then S3 fall due and queue
 * behind it, in that order.
 */
async function phoneWithQueue(tag: string) {
  const p = freshPhone();
  at('2026-11-20T02:00:00Z');
  const s1 = await complete(p.national, `PQ-${tag}-1`, '2026-11-20T09:00:00+08:00');
  expect((await runDueWork(deps)).surveysSent).toBe(1);
  at('2026-11-21T02:21:00Z');
  const s2 = await complete(p.national, `PQ-${tag}-2`, '2026-11-21T09:50:00+08:00');
  expect((await runDueWork(deps)).queued).toBe(1);
  at('2026-11-21T02:31:00Z');
  const s3 = await complete(p.national, `PQ-${tag}-3`, '2026-11-21T10:00:00+08:00');
  expect((await runDueWork(deps)).queued).toBe(1);
  expect(await getPhoneState(p.e164)).toMatchObject({ openSurveyId: s1, waiting: [s2, s3] });
  return { p, s1, s2, s3 };
}

/** The invariant, checked on the phone's stored state and its surveys. */
async function expectQueueConsistent(phone: string) {
  const state = await getPhoneState(phone);
  for (const id of state.waiting) expect((await getSurvey(id))?.status, id).toBe('waiting');
  if (state.waiting.length > 0) {
    // someone holds the turn: a survey open on the phone, or the head just released to be sent
    const open = state.openSurveyId ? await getSurvey(state.openSurveyId) : undefined;
    expect(['sent', 'awaiting_reasons']).toContain(open?.status);
  }
}

describe("the phone's queue", () => {
  beforeEach(() => at('2026-11-20T02:00:00Z'));

  it('a survey released from the queue and cancelled by a reopen before it is sent hands the turn on', async () => {
    const { p, s1, s2, s3 } = await phoneWithQueue('reopen');
    at('2026-11-21T03:00:00Z');
    // the customer answers S1: the phone is freed and S2 (head of the queue) made due now...
    expect(await handleInboundSms(deps, inbound(p.e164, '1'))).toBe('rated');
    expect((await getSurvey(s1))?.status).toBe('answered');
    expect((await getSurvey(s2))?.status).toBe('scheduled');
    // ...and before the scheduler's next run sends it, S2's ticket is reopened
    expect(
      (
        await reopenTicket(deps, {
          source: 'ossA',
          ticketId: 'PQ-reopen-2',
          reopenedAt: '2026-11-21T11:00:00+08:00',
        })
      ).survey,
    ).toBe('cancelled');
    await expectQueueConsistent(p.e164);
    at('2026-11-21T03:01:00Z');
    await runDueWork(deps);
    // S3 gets its turn: sent, not left waiting behind a phone nobody will free
    expect((await getSurvey(s3))?.status).toBe('sent');
    expect(await getPhoneState(p.e164)).toMatchObject({ openSurveyId: s3, waiting: [] });
  });

  it('an erasure that read a queued survey before a release cancels it all the same', async () => {
    const { p, s1, s2, s3 } = await phoneWithQueue('erase');
    at('2026-11-21T03:00:00Z');
    // the erasure has read the customer's records (S2 and S3 waiting); before it cancels them,
    // the customer answers S1 and the release hands the turn to S2
    pause.afterCustomerRecords = async () => {
      expect(await handleInboundSms(deps, inbound(p.e164, '1'))).toBe('rated');
      expect((await getSurvey(s2))?.status).toBe('scheduled');
    };
    const erased = await eraseCustomer(deps, admin, p.national);
    expect(pause.afterCustomerRecords).toBeUndefined(); // the pause ran
    expect(erased.surveys).toBe(3);
    expect((await getSurvey(s1))?.status).toBe('answered');
    // neither S2 nor S3 may ever go out to the erased (masked) number
    for (const id of [s2, s3]) expect((await getSurvey(id))?.status, id).toBe('cancelled');
    at('2026-11-21T03:01:00Z');
    expect((await runDueWork(deps)).surveysSent).toBe(0);
    for (const id of [s2, s3]) expect((await getSurvey(id))?.status, id).toBe('cancelled');
  });

  it('npm run verify reports a survey queued behind no open survey, or missing from its queue', async () => {
    const { p, s2, s3 } = await phoneWithQueue('verify');
    const queueFindings = async () =>
      (await auditTable(deps)).stranded
        .filter((x) => x.pk === `SURVEY#${s2}` || x.pk === `SURVEY#${s3}`)
        .map((x) => [x.pk, x.message]);
    expect(await queueFindings()).toEqual([]); // S1 is open: it holds the turn
    const phone = (update: string, values?: Record<string, unknown>) =>
      ddb.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: phoneKey(p.e164),
          UpdateExpression: update,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    await phone('REMOVE openSurveyId'); // the state the reopen race used to leave
    expect((await queueFindings()).sort()).toEqual(
      [
        [`SURVEY#${s2}`, 'waiting behind no open survey'],
        [`SURVEY#${s3}`, 'waiting behind no open survey'],
      ].sort(),
    );
    await phone('SET waiting = :w', { ':w': [s3] });
    expect((await queueFindings()).sort()).toEqual(
      [
        [`SURVEY#${s2}`, "waiting, not in its phone's queue"],
        [`SURVEY#${s3}`, 'waiting behind no open survey'],
      ].sort(),
    );
  });
});
