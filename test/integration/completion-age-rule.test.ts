import { describe, expect, it, vi } from 'vitest';

// The rules are read once at import: set them before any module that reads the configuration.
vi.hoisted(() => {
  process.env.RULES = JSON.stringify({ tickets: { maxCompletionAgeDays: 2 } });
});

const { ticketCompleted } = await import('#functions/ticket-completed/handler');
const { pinClock } = await import('#shared/runtime/clock');
const { parseRules } = await import('#shared/domain/rules');
const { httpEvent } = await import('../helpers/apigw.ts');
const { countItems } = await import('../helpers/db.ts');
const { sign, ticketBody } = await import('../helpers/fixtures.ts');

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
