import { perClock } from '#shared/http/schemas/per-clock';
import { CLOCK_SKEW_MS, idField, instantField, sourceField } from '#shared/http/schemas/ticket-completed';
import { type Clock, systemClock } from '#shared/runtime/clock';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

const ticketReopenedObject = lazy(() =>
  z.object({
    ticketId: idField(),
    source: sourceField(),
    reopenedAt: instantField(),
  }),
);

function reopenedSchemaAt(clock: Clock) {
  return ticketReopenedObject().check(
    z.superRefine((r, ctx) => {
      // Like completedAt: a reopen stamped ahead of our clock is refused, not stored.
      if (Date.parse(r.reopenedAt) > clock.now().getTime() + CLOCK_SKEW_MS) {
        ctx.addIssue({ code: 'custom', path: ['reopenedAt'], message: 'must not be in the future' });
      }
    }),
  );
}

/** The schema on a given clock (the handler's deps.clock), built once per clock. */
export const ticketReopenedSchemaAt = perClock(reopenedSchemaAt);

/** On the real clock (OpenAPI). */
export const ticketReopenedSchema = lazy(() => ticketReopenedSchemaAt(systemClock));

export type TicketReopened = z.output<ReturnType<typeof ticketReopenedSchema>>;
