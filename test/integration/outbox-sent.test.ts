import type { MiddlewareStack } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { customerSms } from '#shared/app/surveys/customer-sms';
import { ddb } from '#shared/store/client';
import { getSms, leaseOutboxMessage, recordOutboxSent, smsIdForMessage } from '#shared/store/outbox';
import { transact } from '#shared/store/tx';
import { pinClock, testDeps } from '../helpers/deps.ts';

/**
 * Recording a send (store/outbox.ts `recordOutboxSent`): the message's `sent` status and its
 * provider-id mapping (MSG#{messageId}, the only way a Tencent receipt finds it) are written
 * together or not at all. A crash is simulated by letting the first `survive` requests to
 * DynamoDB Local through and failing every later one, as if the process had died there.
 */
const deps = testDeps();
const CRASH = 'simulated-crash';

// biome-ignore lint/suspicious/noExplicitAny: the document client's stack, whatever its input types
const stack = () => ddb.middlewareStack as unknown as MiddlewareStack<any, any>;

function crashAfter(survive: number): void {
  let requests = 0;
  stack().add(
    (next) => async (args) => {
      requests++;
      if (requests > survive) throw new Error('the process died here');
      return next(args);
    },
    { step: 'initialize', name: CRASH },
  );
}

afterEach(() => {
  stack().remove(CRASH);
});

let seq = 0;
async function pendingSms() {
  seq++;
  const at = new Date('2026-11-20T02:00:00Z');
  pinClock(at);
  const sms = customerSms(deps.rules, `sent-test-${seq}`, '+8613900000001', 'thanks', at, `SV-sent-${seq}`);
  await transact([sms.item]);
  const message = await leaseOutboxMessage(sms.smsId, Date.now(), Date.now() + 60_000);
  if (!message) throw new Error('not leased');
  return message;
}

describe('recordOutboxSent', () => {
  it('records sent and the provider id mapping together', async () => {
    const message = await pendingSms();
    await recordOutboxSent(message, 'provider-mid-ok', new Date('2026-11-20T02:00:01Z'));
    expect((await getSms(message.smsId))?.status).toBe('sent');
    expect(await smsIdForMessage('provider-mid-ok')).toBe(message.smsId);
  });

  it.each([0, 1, 2])(
    'a crash after %i request(s): the message is never sent without its mapping',
    async (survive) => {
      const message = await pendingSms();
      const mid = `provider-mid-crash-${survive}`;
      crashAfter(survive);
      await recordOutboxSent(message, mid, new Date('2026-11-20T02:00:01Z')).catch(() => undefined);
      stack().remove(CRASH);
      const status = (await getSms(message.smsId))?.status;
      const mapped = await smsIdForMessage(mid);
      // Either nothing was recorded (pending: the lease lapses and the send is retried) or both were.
      if (status === 'sent') expect(mapped).toBe(message.smsId);
      else {
        expect(status).toBe('pending');
        expect(mapped).toBeUndefined();
      }
      // at least one case of the three reaches the database at all
      if (survive > 0) expect(status).toBe('sent');
    },
  );
});
