import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smsInbound as smsInboundOn } from '#functions/sms-inbound/handler';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { buildSnsEvent } from '../../infra/local/events.ts';
import { httpEvent } from '../helpers/apigw.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { sign, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const smsInbound = smsInboundOn(deps);
const ticketCompleted = ticketCompletedOn(deps);

/**
 * Malformed and hostile input, generated: never a 5xx, never a stored item, never an SMS.
 * (The store starts empty in this file's own table, so "nothing stored" is "no items at all".)
 */
const secret = process.env.WEBHOOK_SECRET as string;
pinClock(new Date('2026-11-21T04:00:00Z'));

const hostileString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '<script>alert(1)</script>',
    "'; DROP TABLE x; --",
    '{{7*7}}',
    '${jndi:ldap://x}',
    'NaN',
    'ÿ'.repeat(5000),
  ),
);
const deep = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue(),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie('node'), { maxKeys: 3 }),
  ),
})).node;

/** A valid body with one field made invalid: wrong type, huge string, bad date, bad phone... */
const brokenBody = fc
  .record({
    field: fc.constantFrom(
      'ticketId',
      'segment',
      'kind',
      'completedAt',
      'reportedAt',
      'engineer',
      'customer',
      'excludedMinutes',
      'crossProvince',
      'area',
    ),
    value: fc.oneof(
      hostileString,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      deep,
      fc.constantFrom('2026-13-40T25:61:00+08:00', '2026-11-21', '1700000000', '2099-01-01T00:00:00+08:00'),
      fc.record({ phone: fc.constantFrom('010-12345678', '+1 415 555 0100', '123', '1380013800012345', '') }),
      fc.constant(-5),
    ),
  })
  .map(({ field, value }) => ({ ...ticketBody({ ticketId: 'FUZZ-1' }), [field]: value }))
  // a replacement that happens to be valid (say crossProvince: false) is not malformed input
  .filter((b) => !ticketCompletedSchema.safeParse(b).success);

function post(text: string, headers: Record<string, string>) {
  return ticketCompleted(httpEvent({ method: 'POST', path: '/v1/tickets/completed', body: text, headers }));
}

describe('hostile webhook input', () => {
  it('1,000 malformed bodies, headers and signatures: 4xx only, nothing stored', async () => {
    const cases = fc.oneof(
      // a signed but invalid body
      brokenBody.map((b) => {
        const text = JSON.stringify(b);
        return { text, headers: { 'content-type': 'application/json', ...sign(secret, text) } };
      }),
      // arbitrary JSON, signed
      deep.map((v) => {
        const text = JSON.stringify(v) ?? 'null';
        return { text, headers: { 'content-type': 'application/json', ...sign(secret, text) } };
      }),
      // arbitrary bytes, signed, any content type
      fc
        .tuple(
          fc.string({ maxLength: 300 }),
          fc.constantFrom('application/json', 'text/plain', '', 'application/x-www-form-urlencoded'),
        )
        .map(([text, ct]) => ({
          text,
          headers: { 'content-type': ct, ...sign(secret, text) },
        })),
      // a valid body with a wrong, stale, replayed-from-the-future or garbage signature
      fc
        .tuple(fc.constantFrom('wrong', 'stale', 'future', 'garbage', 'missing'), hostileString)
        .map(([kind, junk]) => {
          const text = JSON.stringify(ticketBody({ ticketId: 'FUZZ-SIG' }));
          const good = sign(secret, text);
          const headers: Record<string, string> = { 'content-type': 'application/json', ...good };
          if (kind === 'wrong')
            headers['webhook-signature'] = sign('whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==', text)[
              'webhook-signature'
            ];
          if (kind === 'stale') Object.assign(headers, sign(secret, text, new Date(Date.now() - 3600_000)));
          if (kind === 'future') Object.assign(headers, sign(secret, text, new Date(Date.now() + 3600_000)));
          if (kind === 'garbage') headers['webhook-signature'] = junk;
          if (kind === 'missing') delete headers['webhook-signature'];
          return { text, headers };
        }),
      // huge bodies
      fc.integer({ min: 65_537, max: 200_000 }).map((n) => {
        const text = JSON.stringify({ pad: 'x'.repeat(n) });
        return { text, headers: { 'content-type': 'application/json', ...sign(secret, text) } };
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ text, headers }) => {
        const res = await post(text, headers);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 1000 },
    );
    expect(await allItems()).toEqual([]);
    expect(await listOutbox()).toEqual([]);
  }, 120_000);
});

describe('hostile inbound SMS', () => {
  it('1,000 malformed inbound messages: no throw, nothing stored, no SMS sent', async () => {
    const message = fc.oneof(
      deep.map((v) => JSON.stringify(v) ?? ''),
      fc.string({ maxLength: 300 }),
      fc
        .record({
          originationNumber: fc.oneof(
            hostileString,
            fc.constantFrom('010-12345678', '+14155550100', '', '86'),
          ),
          messageBody: fc.oneof(hostileString, fc.integer()),
          inboundMessageId: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null)),
        })
        .map((r) => JSON.stringify(r)),
    );
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        await expect(
          smsInbound(buildSnsEvent(m, 'arn:aws-cn:sns:cn-north-1:000000000000:InboundSms')),
        ).resolves.toBeDefined();
      }),
      { numRuns: 1000 },
    );
    expect(await allItems()).toEqual([]);
    expect(await listOutbox()).toEqual([]);
  }, 120_000);
});
