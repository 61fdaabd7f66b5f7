import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';

/**
 * A completion accepted (the webhook's use case) and then planned as the scheduler's next run
 * would plan it, for tests about what comes after. Imported lazily so that a test file can set
 * its environment (RULES, ...) before the configuration is read.
 */
export async function completeAndPlan(t: TicketCompleted) {
  const { acceptTicket } = await import('#shared/app/tickets/complete-ticket');
  const { planIfPending } = await import('#shared/app/tickets/plan-ticket');
  const { now } = await import('#shared/runtime/clock');
  const result = await acceptTicket(t);
  await planIfPending(t.source, t.ticketId, now());
  return result;
}
