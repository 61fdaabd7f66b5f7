import type { Deps } from '#shared/app/deps';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { planTicket } from '#shared/app/tickets/plan-ticket';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { getTicket } from '#shared/store/ticket';

/**
 * A completion accepted (the webhook's use case) and then planned as the scheduler's next run
 * would plan it, for tests about what comes after.
 */
export async function completeAndPlan(deps: Deps, t: TicketCompleted) {
  const result = await acceptTicket(deps, t);
  await planIfPending(deps, t.source, t.ticketId, deps.clock.now());
  return result;
}

/** Plans the ticket now, as a scheduler run would, if it is accepted but not planned yet. */
export async function planIfPending(deps: Deps, source: string, ticketId: string, at: Date): Promise<void> {
  const item = await getTicket(source, ticketId);
  if (item && !item.plannedAt) await planTicket(deps, item, at);
}
