import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalSystem } from '../../infra/local/server.ts';
import { sign, ticketBody } from '../helpers/fixtures.ts';
import { startReplyReceiver } from '../helpers/reply-receiver.ts';

/**
 * The local system delivers replies to the work order from its scheduler, signed with its own
 * local reply secret, and lists them at GET /local/work-order-replies.
 */
const receiver = await startReplyReceiver();

let sys: Awaited<ReturnType<typeof startLocalSystem>>;
beforeAll(async () => {
  sys = await startLocalSystem({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'local-replies-')),
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: process.env.TABLE_NAME,
    env: {
      ...process.env,
      RULES: JSON.stringify({ sources: { ossR: { replyUrl: receiver.url('/hook') } } }),
      REPLY_SECRETS: undefined,
    },
    tickSeconds: 0,
    log: () => undefined,
  });
});
afterAll(async () => {
  await sys?.stop();
  await receiver.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  return fetch(`${sys.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
}

describe('local system: replies to the work order', () => {
  it('a rating by SMS is replied to the source on the next tick, signed with the local reply secret', async () => {
    expect(sys.replySecret).toMatch(/^whsec_/);
    expect((await post('/local/clock', { now: '2026-11-20T10:05:00+08:00' })).status).toBe(200);
    const body = ticketBody({ source: 'ossR', customer: { phone: '13900139123' } });
    const text = JSON.stringify(body);
    const created = await fetch(`${sys.url}/v1/tickets/completed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(sys.webhookSecret, text) },
      body: text,
    });
    expect(created.status).toBe(202);
    const { surveyId } = (await created.json()) as { surveyId: string };

    expect((await post('/local/clock', { now: '2026-11-20T10:40:00+08:00' })).status).toBe(200);
    await post('/local/tick', {});
    const inbound = await post('/local/sms/inbound', {
      originationNumber: '+8613900139123',
      destinationNumber: '+8610690000',
      messageBody: '1',
      inboundMessageId: `in-local-reply-${Date.now()}`,
    });
    expect(inbound.status).toBe(200);
    expect(receiver.about(surveyId)).toHaveLength(0);
    await post('/local/tick', {});

    const [req, ...more] = receiver.about(surveyId);
    expect(more).toHaveLength(0);
    const payload = new Webhook(sys.replySecret).verify(req?.body ?? '', {
      'webhook-id': String(req?.headers['webhook-id']),
      'webhook-timestamp': String(req?.headers['webhook-timestamp']),
      'webhook-signature': String(req?.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({ surveyId, ticketId: body.ticketId, status: 'answered', rating: 1 });

    const listed = await fetch(`${sys.url}/local/work-order-replies?status=delivered`);
    expect(listed.status).toBe(200);
    const replies = (await listed.json()) as {
      payload: { surveyId: string };
      status: string;
      attempts: number;
    }[];
    expect(replies.find((r) => r.payload.surveyId === surveyId)).toMatchObject({
      status: 'delivered',
      attempts: 1,
    });
    const all = (await (await fetch(`${sys.url}/local/work-order-replies`)).json()) as unknown[];
    expect(all.length).toBeGreaterThanOrEqual(1);
  });

  it('an unknown status answers 400 naming the field', async () => {
    const res = await fetch(`${sys.url}/local/work-order-replies?status=lost`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'status' });
  });
});
