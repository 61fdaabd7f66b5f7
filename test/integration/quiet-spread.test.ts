import { describe, expect, it } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { quietSendTime } from '#shared/domain/quiet-spread';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { getSurvey } from '#shared/store/survey';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

/**
 * Surveys falling due in the quiet hours (21:00-08:00 Beijing) go out spread over the first
 * `sms.quietHours.spreadMinutes` (60 by default) after 08:00, each at the time its id gives,
 * whether planning deferred it or a send that slipped into the night did; the due work run twice,
 * or twice at once, sends each survey once.
 */
const bj = (local: string) => new Date(`${local}+08:00`);
const MORNING = bj('2026-11-21T08:00:00').getTime();
const WINDOW_END = bj('2026-11-21T09:00:00').getTime();

describe('surveys held over the quiet hours', () => {
  it('are sent spread over [08:00, 09:00), none before its due time, each once', async () => {
    const deps = testDeps();
    pinClock(bj('2026-11-21T04:00:00'));
    const phones: string[] = [];
    const surveyIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      // 15 completed from 20:45 into the night (due 30 min later: in the quiet hours, deferred
      // when planned) and 5 completed at 20:00-20:20 (due before 21:00, but first worked at
      // 04:00: the send falls in the quiet hours and is deferred then).
      const completedAt =
        i < 15
          ? new Date(bj('2026-11-20T20:45:00').getTime() + i * 25 * 60_000)
          : new Date(bj('2026-11-20T20:00:00').getTime() + (i - 15) * 5 * 60_000);
      const phone = `1370021${String(i).padStart(4, '0')}`;
      phones.push(`+86${phone}`);
      const body = ticketBody({
        ticketId: `QS-${i}`,
        completedAt: completedAt.toISOString(),
        customer: { phone },
      });
      const accepted = await acceptTicket(deps, ticketCompletedSchema.parse(body));
      surveyIds.push(accepted.response.surveyId);
    }

    // The night's run, twice (a retry, a duplicate tick): everything planned and deferred, nothing sent.
    const night = [await runDueWork(deps), await runDueWork(deps)];
    // The 5 are planned due at once and deferred in the same step (counted as deferred).
    expect(night.reduce((n, r) => n + (r.planned ?? 0), 0)).toBe(15);
    expect(night.reduce((n, r) => n + (r.deferred ?? 0), 0)).toBe(5);
    const scheduled = await Promise.all(surveyIds.map((id) => getSurvey(id)));
    const dueAts = scheduled.map((s) => {
      expect(s?.status).toBe('scheduled');
      return Date.parse(s?.dueAt as string);
    });
    for (const due of dueAts) {
      expect(due).toBeGreaterThanOrEqual(MORNING);
      expect(due).toBeLessThan(WINDOW_END);
    }
    expect(new Set(dueAts).size).toBeGreaterThanOrEqual(15);
    expect((await Promise.all(phones.map((p) => listOutbox(p)))).flat()).toEqual([]);

    // The morning: the due work every 10 minutes and a second before 09:00, twice at once each
    // time. Nothing goes before its due time, everything within the window.
    const checkpoints = [0, 10, 20, 30, 40, 50].map((m) => MORNING + m * 60_000).concat(WINDOW_END - 1000);
    let sentSoFar = 0;
    for (const t of checkpoints) {
      pinClock(new Date(t));
      const [a, b] = await Promise.all([runDueWork(deps), runDueWork(deps)]);
      sentSoFar += (a.surveysSent ?? 0) + (b.surveysSent ?? 0);
      expect(sentSoFar).toBe(dueAts.filter((d) => d <= t).length);
    }
    pinClock(new Date(WINDOW_END));
    const again = [await runDueWork(deps), await runDueWork(deps)];
    expect(again.map((r) => r.surveysSent)).toEqual([0, 0]);

    const sent = await Promise.all(surveyIds.map((id) => getSurvey(id)));
    for (const [i, s] of sent.entries()) {
      expect(s?.status).toBe('sent');
      // Sent at the first run at or after its due time.
      const sentAt = Date.parse(s?.sentAt as string);
      expect(sentAt).toBe(checkpoints.find((t) => t >= (dueAts[i] as number)));
    }
    const outboxes = await Promise.all(phones.map((p) => listOutbox(p)));
    expect(outboxes.map((o) => o.length)).toEqual(phones.map(() => 1));
    const sentAts = outboxes.map((o) => Date.parse(o[0]?.sentAt as string));
    for (const at of sentAts) {
      expect(at).toBeGreaterThanOrEqual(MORNING);
      expect(at).toBeLessThan(WINDOW_END);
    }
    expect(new Set(sentAts).size).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('a reminder falling due at night goes out the next morning in the window, once', async () => {
    // Asserted on this survey alone: the other tests' surveys share the table and the clock.
    const deps = testDeps({ rules: { survey: { reminderHours: 2 } } });
    const phone = '+8613700230001';
    pinClock(bj('2026-11-21T19:40:00'));
    const body = ticketBody({
      ticketId: 'QR-1',
      completedAt: bj('2026-11-21T19:00:00').toISOString(),
      customer: { phone: '13700230001' },
    });
    const { surveyId } = (await acceptTicket(deps, ticketCompletedSchema.parse(body))).response;
    await runDueWork(deps); // due 19:30: sent at 19:40, its reminder due 21:40
    expect((await getSurvey(surveyId))?.status).toBe('sent');
    pinClock(bj('2026-11-21T21:45:00'));
    await runDueWork(deps);
    const remindAt = Date.parse((await getSurvey(surveyId))?.remindAt as string);
    expect(remindAt).toBeGreaterThanOrEqual(bj('2026-11-22T08:00:00').getTime());
    expect(remindAt).toBeLessThan(bj('2026-11-22T09:00:00').getTime());
    const { quietHours } = deps.rules.sms;
    expect(remindAt).toBe(
      quietSendTime(bj('2026-11-22T03:00:00'), surveyId, quietHours, deps.rules.timeZone).getTime(),
    );
    // Worked again later in the night: nothing sent, the same time.
    pinClock(bj('2026-11-22T07:59:59'));
    await runDueWork(deps);
    const night = await getSurvey(surveyId);
    expect(night?.reminderSentAt).toBeUndefined();
    expect(Date.parse(night?.remindAt as string)).toBe(remindAt);
    expect(await listOutbox(phone)).toHaveLength(1);
    pinClock(new Date(remindAt));
    await Promise.all([runDueWork(deps), runDueWork(deps)]);
    expect((await getSurvey(surveyId))?.reminderSentAt).toBe(new Date(remindAt).toISOString());
    const texts = await listOutbox(phone);
    expect(texts).toHaveLength(2);
    expect(texts[1]?.sentAt).toBe(new Date(remindAt).toISOString());
  });

  it('with spreadMinutes 0 every one is due at 08:00 itself (the former behaviour)', async () => {
    const deps = testDeps({ rules: { sms: { quietHours: { spreadMinutes: 0 } } } });
    pinClock(bj('2026-11-21T04:00:00'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const completedAt = new Date(bj('2026-11-20T22:00:00').getTime() + i * 60 * 60_000).toISOString();
      const body = ticketBody({ ticketId: `QZ-${i}`, completedAt, customer: { phone: `1370022${i}000` } });
      ids.push((await acceptTicket(deps, ticketCompletedSchema.parse(body))).response.surveyId);
    }
    expect((await runDueWork(deps)).planned).toBe(5);
    const surveys = await Promise.all(ids.map((id) => getSurvey(id)));
    expect(surveys.map((s) => s?.dueAt)).toEqual(ids.map(() => new Date(MORNING).toISOString()));
  });
});
