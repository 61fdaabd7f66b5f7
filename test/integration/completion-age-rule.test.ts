import { describe, expect, it } from 'vitest';

import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { parseRules } from '#shared/domain/rules';
import { httpEvent } from '../helpers/apigw.ts';
import { countItems } from '../helpers/db.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { sign, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps({ rules: { tickets: { maxCompletionAgeDays: 2 } } });
const ticketCompleted = ticketCompletedOn(deps);

const secret = process.env.WEBHOOK_SECRET as string;

async function complete(completedAt: string) {
  const text = JSON.stringify(ticketBody({ completedAt }));
  const res = await ticketCompleted(
    httpEvent({
      method: 'POST',
      path: '/v1/tickets/completed',
      body: text,
      headers: { 'content-type': 'application/json', ...sign(secret, text) },
    }),
  );
  return { status: res.statusCode, body: JSON.parse(res.body as string) };
}

describe('rules.tickets.maxCompletionAgeDays', () => {
  it('honours the configured age: 2 days here', async () => {
    pinClock(new Date('2026-11-20T06:00:00Z'));
    const before = await countItems('TICKET#');
    const old = await complete('2026-11-18T13:59:00+08:00'); // 2 days and a minute
    expect(old.status).toBe(400);
    expect(old.body.errors.map((e: { field: string }) => e.field)).toEqual(['completedAt']);
    expect(old.body.errors[0].message).toContain('2 days');
    expect(await countItems('TICKET#')).toBe(before);
    expect((await complete('2026-11-18T14:01:00+08:00')).status).toBe(202);
  });

  it('is validated at start: a bad value names its path', () => {
    expect(parseRules('{}').tickets.maxCompletionAgeDays).toBe(7);
    expect(() => parseRules('{"tickets":{"maxCompletionAgeDays":0}}')).toThrow(
      /tickets\.maxCompletionAgeDays/,
    );
    expect(() => parseRules('{"tickets":{"maxCompletionAgeDays":"7"}}')).toThrow(
      /tickets\.maxCompletionAgeDays/,
    );
  });
});
