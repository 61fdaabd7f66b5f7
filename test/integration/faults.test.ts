import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { engineerReport } from '#shared/app/reports/engineer-report';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { parsePeriod } from '#shared/domain/time';
import type { SmsGateway } from '#shared/gateways/sms';
import { listOutbox, outboxSmsGateway } from '#shared/gateways/sms/outbox';
import { ddb, TABLE } from '#shared/store/client';
import { smsKey } from '#shared/store/outbox';
import { getSurvey } from '#shared/store/survey';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

/** Faults injected at the adapters: the SMS gateway and the DynamoDB client. */
const gatewayFaults = {
  failNext: 0,
  mode: 'error' as 'error' | 'timeout' | 'permanent',
};
const outbox = outboxSmsGateway(testClock);
const faultySms: SmsGateway = {
  async send(message) {
    if (gatewayFaults.failNext > 0) {
      gatewayFaults.failNext--;
      if (gatewayFaults.mode === 'permanent') {
        return { ok: false, failure: 'permanent', reason: 'InvalidParameterException' } as const;
      }
      if (gatewayFaults.mode === 'timeout') {
        await new Promise((r) => setTimeout(r, 20));
        throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
      }
      throw Object.assign(new Error('SNS is unavailable'), {
        name: 'InternalErrorException',
        $fault: 'server',
      });
    }
    return outbox.send(message);
  },
};
const deps = testDeps({ sms: faultySms });

/** Makes the next `count` DynamoDB calls of the named command fail with throttling. */
function throttle(command: string, count: number) {
  let left = count;
  const name = `throttle-${command}-${Math.random()}`;
  ddb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && left > 0) {
        left--;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', name },
  );
  return { left: () => left, stop: () => ddb.middlewareStack.remove(name) };
}

const admin = { subject: 'a', role: 'admin' as const, teams: [], regions: [] };
let phoneSeq = 0;
function phone() {
  phoneSeq++;
  const national = `136${String(20_000_000 + phoneSeq * 104_729).slice(-8)}`;
  return { national, e164: `+86${national}` };
}
const complete = (o: Record<string, unknown>) =>
  completeAndPlan(deps, ticketCompletedSchema.parse(ticketBody(o)));
const row = async (id: string) =>
  (await engineerReport(deps, admin, parsePeriod('2026-11', 'Asia/Shanghai'))).engineers.find(
    (e) => e.engineerId === id,
  );

describe('faults at the adapters', () => {
  beforeEach(() => {
    pinClock(new Date('2026-11-20T02:00:00Z'));
    gatewayFaults.failNext = 0;
    gatewayFaults.mode = 'error';
  });

  it.each(['error', 'timeout'] as const)(
    'SNS publish %s: the survey SMS goes out on a later run, once',
    async (mode) => {
      const p = phone();
      const engineerId = `E-sns-${mode}`;
      const { response } = await complete({
        customer: { phone: p.national },
        engineer: { id: engineerId, name: '甲', team: 'T', region: 'R' },
      });
      pinClock(new Date('2026-11-20T03:00:00Z'));
      gatewayFaults.mode = mode;
      gatewayFaults.failNext = 1;
      await runDueWork(deps);
      expect(await listOutbox(p.e164)).toHaveLength(0);
      expect((await getSurvey(response.surveyId))?.status).toBe('sent');

      const again = await runDueWork(deps);
      expect(again.smsDelivered).toBe(1);
      await runDueWork(deps);
      expect(await listOutbox(p.e164)).toHaveLength(1);
      expect(await row(engineerId)).toMatchObject({ completed: 1, surveyed: 1 });
    },
  );

  it('a permanent refusal by the gateway marks the SMS failed: it leaves the due work and is not retried', async () => {
    const p = phone();
    const { response } = await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-sns-permanent', name: '戊', team: 'T', region: 'R' },
    });
    pinClock(new Date('2026-11-20T03:00:00Z'));
    gatewayFaults.mode = 'permanent';
    gatewayFaults.failNext = 1;
    await runDueWork(deps);
    const key = smsKey(`${response.surveyId}#survey`);
    const sms = (await ddb.send(new GetCommand({ TableName: TABLE, Key: key }))).Item;
    expect(sms).toMatchObject({ status: 'failed', failure: 'InvalidParameterException' });
    expect(sms?.gsi1pk).toBeUndefined();
    expect(sms?.leaseUntil).toBeUndefined();
    expect((await runDueWork(deps)).smsDelivered ?? 0).toBe(0);
    expect(await listOutbox(p.e164)).toHaveLength(0);
  });

  it('DynamoDB throttling is retried with backoff and the ticket is stored once', async () => {
    const puts = throttle('PutItemCommand', 2); // the webhook's one write
    const writes = throttle('TransactWriteItemsCommand', 2); // the plan's transaction
    const p = phone();
    const res = await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-thr', name: '乙', team: 'T', region: 'R' },
    });
    expect(res.created).toBe(true);
    expect(puts.left()).toBe(0);
    expect(writes.left()).toBe(0);
    puts.stop();
    writes.stop();
    const gets = throttle('GetItemCommand', 2);
    expect((await getSurvey(res.response.surveyId))?.status).toBe('scheduled');
    expect(gets.left()).toBe(0);
    gets.stop();
    expect(await row('E-thr')).toMatchObject({ completed: 1 });
  });

  it('a crash while planning an accepted ticket loses nothing: it stays due and the next run plans it, once', async () => {
    const p = phone();
    const t = ticketCompletedSchema.parse(
      ticketBody({
        customer: { phone: p.national },
        engineer: { id: 'E-plan-crash', name: '丁', team: 'T', region: 'R' },
        completedAt: '2026-11-20T09:58:00+08:00',
      }),
    );
    expect((await acceptTicket(deps, t)).created).toBe(true);
    const name = 'crash-plan';
    ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') throw new Error('container lost');
        return next(args);
      },
      { step: 'finalizeRequest', name },
    );
    try {
      expect((await runDueWork(deps)).failed).toBeGreaterThanOrEqual(1);
    } finally {
      ddb.middlewareStack.remove(name);
    }
    expect(await row('E-plan-crash')).toBeUndefined();
    expect((await runDueWork(deps)).planned).toBe(1);
    expect((await runDueWork(deps)).planned ?? 0).toBe(0);
    expect(await row('E-plan-crash')).toMatchObject({ completed: 1 });
  });

  it('a crash after the rating is stored but before the thank-you is sent: retried delivery counts once, thanks once', async () => {
    const p = phone();
    await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-crash', name: '丙', team: 'T', region: 'R' },
    });
    pinClock(new Date('2026-11-20T03:00:00Z'));
    await runDueWork(deps);
    const reply = inbound(p.e164, '1');
    // the gateway dies while the handler sends the thank-you, i.e. after the transaction
    gatewayFaults.failNext = 1;
    expect(await handleInboundSms(deps, reply)).toBe('rated');
    expect(await listOutbox(p.e164)).toHaveLength(1);
    // SNS delivers the same message again (Lambda retry): nothing is counted twice
    expect(await handleInboundSms(deps, reply)).toBe('duplicate');
    // the scheduler sends the pending thank-you
    await runDueWork(deps);
    await runDueWork(deps);
    const sent = await listOutbox(p.e164);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toMatch(/感谢/);
    expect(await row('E-crash')).toMatchObject({ responses: 1, satisfied: 1 });
  });

  it('a crash before the rating transaction commits loses nothing: the retry counts it', async () => {
    const p = phone();
    await complete({
      customer: { phone: p.national },
      engineer: { id: 'E-crash2', name: '丁', team: 'T', region: 'R' },
    });
    pinClock(new Date('2026-11-20T03:00:00Z'));
    await runDueWork(deps);
    const reply = inbound(p.e164, '不满意');
    // every attempt of the transaction is throttled: the handler fails as a crash would
    const outage = throttle('TransactWriteItemsCommand', 100);
    await expect(handleInboundSms(deps, reply)).rejects.toThrow();
    expect(100 - outage.left()).toBeGreaterThan(1); // it was retried before giving up
    outage.stop();
    expect(await row('E-crash2')).toMatchObject({ responses: 0 });
    // Lambda retries the same message once DynamoDB is back: counted once, thanked once
    expect(await handleInboundSms(deps, reply)).toBe('rated');
    expect(await handleInboundSms(deps, reply)).toBe('duplicate');
    expect(await row('E-crash2')).toMatchObject({ responses: 1, dissatisfied: 1 });
    expect((await listOutbox(p.e164)).filter((m) => m.body.includes('哪里不满意'))).toHaveLength(1);
  });
});
