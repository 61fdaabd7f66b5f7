import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { ddb, TABLE } from '#shared/store/client';
import { leaseOutboxMessage, releaseOutboxLease, smsKey } from '#shared/store/outbox';
import { getSurvey } from '#shared/store/survey';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

/**
 * The due steps that write an SMS (send-survey.ts, remind-survey.ts) write it already leased to
 * themselves (store/outbox.ts `putSms` with `leaseUntil`) and deliver it right after their
 * transaction (`deliverLeased`): no separate lease call, and no other worker can take the message
 * in between. A crash between the two leaves the message pending and leased: nobody sends it until
 * the lease lapses, then the scheduler sends it once.
 */
const deps = testDeps();
const SPY = 'leased-at-birth-spy';
// biome-ignore lint/suspicious/noExplicitAny: the document client's stack, whatever its input types
const stack = () => ddb.middlewareStack as unknown as MiddlewareStack<any, any>;

/** Commands sent to DynamoDB (name and whether they touch an SMS# key), from now on. */
function spy(
  crashAfterSmsWrite = false,
  afterSmsWrite?: () => Promise<void>,
): { calls: { command: string; sms: boolean }[] } {
  const seen = { calls: [] as { command: string; sms: boolean }[] };
  let crashed = false;
  stack().add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const sms = JSON.stringify(args.input).includes('"SMS#');
      seen.calls.push({ command, sms });
      const out = await next(args);
      if (!crashed && command === 'TransactWriteItemsCommand' && sms) {
        crashed = true;
        if (crashAfterSmsWrite) throw new Error('the process died here'); // committed; nothing else of this step runs
        await afterSmsWrite?.();
      }
      return out;
    },
    { step: 'initialize', name: SPY },
  );
  return seen;
}

let phoneSeq = 0;
async function scheduledSurvey() {
  phoneSeq++;
  const national = `137${String(30_000_000 + phoneSeq * 7_919).slice(-8)}`;
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(ticketBody({ customer: { phone: national } })),
  );
  return { surveyId: response.surveyId, e164: `+86${national}` };
}

const smsItem = async (smsId: string) =>
  (await ddb.send(new GetCommand({ TableName: TABLE, Key: smsKey(smsId), ConsistentRead: true }))).Item;

describe('an SMS written leased by the due step that delivers it', () => {
  beforeEach(() => pinClock(new Date('2026-11-20T02:00:00Z')));
  afterEach(() => {
    stack().remove(SPY);
    vi.restoreAllMocks();
  });

  it('the invitation is sent once with no lease call: one attempt counted, lease gone once sent', async () => {
    const { surveyId, e164 } = await scheduledSurvey();
    pinClock(new Date('2026-11-20T03:00:00Z'));
    const seen = spy();
    const result = await runDueWork(deps);
    expect(result.surveysSent).toBe(1);
    expect(seen.calls.filter((c) => c.command === 'UpdateCommand' && c.sms)).toHaveLength(0);
    expect(seen.calls.filter((c) => c.command === 'TransactWriteItemsCommand' && c.sms)).toHaveLength(2);
    expect(await listOutbox(e164)).toHaveLength(1);
    const sms = await smsItem(`${surveyId}#survey`);
    expect(sms).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sms?.leaseUntil).toBeUndefined();
    expect(sms?.gsi1pk).toBeUndefined();
  });

  it('a crash after the send transaction: nothing goes out while the lease holds, then once', async () => {
    const { surveyId, e164 } = await scheduledSurvey();
    pinClock(new Date('2026-11-20T03:00:00Z'));
    spy(true);
    expect((await runDueWork(deps)).failed).toBe(1);
    stack().remove(SPY);
    const smsId = `${surveyId}#survey`;
    expect((await getSurvey(surveyId))?.status).toBe('sent');
    const pending = await smsItem(smsId);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending?.leaseUntil).toBeGreaterThan(Date.now());
    expect(pending?.gsi1pk).toBeDefined(); // still due: nothing stranded

    // Another worker while the lease holds: it leaves the message to its holder (not a failure).
    const meanwhile = await runDueWork(deps);
    expect(meanwhile.smsDelivered ?? 0).toBe(0);
    expect(meanwhile.failed ?? 0).toBe(0);
    expect(await listOutbox(e164)).toHaveLength(0);

    // The lease lapses (real time; moved back here rather than waited for).
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: smsKey(smsId),
        UpdateExpression: 'SET leaseUntil = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1 },
      }),
    );
    expect((await runDueWork(deps)).smsDelivered).toBe(1);
    expect((await runDueWork(deps)).smsDelivered ?? 0).toBe(0);
    expect(await listOutbox(e164)).toHaveLength(1);
    expect(await smsItem(smsId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a commit that lands after the lease lapsed and another worker took it: the step does not send it', async () => {
    const { surveyId, e164 } = await scheduledSurvey();
    pinClock(new Date('2026-11-20T03:00:00Z'));
    const smsId = `${surveyId}#survey`;
    let later = 0;
    // The transaction commits 65 s late (retries under throttling): past the step's 60 s lease. In
    // that time another worker found the message due, its lease lapsed, and leased it.
    spy(false, async () => {
      later = Date.now() + 65_000;
      vi.spyOn(Date, 'now').mockImplementation(() => later);
      expect(await leaseOutboxMessage(smsId, later, later + 60_000)).toBeDefined();
    });
    await runDueWork(deps);
    stack().remove(SPY);
    expect(await listOutbox(e164)).toHaveLength(0); // the step did not send what another holds
    expect(await smsItem(smsId)).toMatchObject({ status: 'pending', leaseUntil: later + 60_000 });

    // A stale holder cannot free the other's lease.
    await releaseOutboxLease(smsId, later - 5_000);
    expect((await smsItem(smsId))?.leaseUntil).toBe(later + 60_000);
  });

  it('a commit that lands late with nobody else on it: the step renews its lease and sends it once', async () => {
    const { surveyId, e164 } = await scheduledSurvey();
    pinClock(new Date('2026-11-20T03:00:00Z'));
    spy(false, async () => {
      const later = Date.now() + 45_000; // under 30 s of the lease left: too little for a send
      vi.spyOn(Date, 'now').mockImplementation(() => later);
    });
    expect((await runDueWork(deps)).surveysSent).toBe(1);
    stack().remove(SPY);
    expect(await listOutbox(e164)).toHaveLength(1);
    expect(await smsItem(`${surveyId}#survey`)).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
