import { perClock } from '#shared/http/schemas/per-clock';
import {
  CLOCK_SKEW_MS,
  customerField,
  engineerField,
  instantField,
  MAX_TICKET_SPAN_MS,
  ticketHeadFields,
} from '#shared/http/schemas/ticket-completed';
import { type Clock, systemClock } from '#shared/runtime/clock';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/**
 * POST /v1/tickets/dispatched: an upstream work-order system dispatched a ticket to an engineer
 * (the same field schemas as the completion). `customer` is checked like the completion's and
 * not stored: nothing at dispatch needs it, and the completion brings it.
 */
const ticketDispatchedObject = lazy(() =>
  z.object({
    ...ticketHeadFields(),
    reportedAt: instantField(),
    dispatchedAt: instantField(),
    engineer: engineerField(),
    customer: z.optional(customerField()),
  }),
);

function dispatchedSchemaAt(clock: Clock) {
  return ticketDispatchedObject().check(
    z.superRefine((t, ctx) => {
      const dispatched = Date.parse(t.dispatchedAt);
      const reported = Date.parse(t.reportedAt);
      if (dispatched > clock.now().getTime() + CLOCK_SKEW_MS) {
        ctx.addIssue({ code: 'custom', path: ['dispatchedAt'], message: 'must not be in the future' });
      }
      if (reported > dispatched) {
        ctx.addIssue({ code: 'custom', path: ['reportedAt'], message: 'must not be after dispatchedAt' });
      } else if (reported < dispatched - MAX_TICKET_SPAN_MS) {
        ctx.addIssue({
          code: 'custom',
          path: ['reportedAt'],
          message: 'must not be more than a year before dispatchedAt',
        });
      }
    }),
  );
}

/** The schema on a given clock (the handler's deps.clock), built once per clock. */
export const ticketDispatchedSchemaAt = perClock(dispatchedSchemaAt);

/** On the real clock (OpenAPI). */
export const ticketDispatchedSchema = lazy(() => ticketDispatchedSchemaAt(systemClock));

export type TicketDispatched = z.output<ReturnType<typeof ticketDispatchedSchema>>;
