import * as z from 'zod';
import { CLOCK_SKEW_MS, idField, instantField, sourceField } from '#shared/http/schemas/ticket-completed';
import { now } from '#shared/runtime/clock';

export const ticketReopenedSchema = z
  .object({
    ticketId: idField,
    source: sourceField,
    reopenedAt: instantField,
  })
  .superRefine((r, ctx) => {
    // Like completedAt: a reopen stamped ahead of our clock is refused, not stored.
    if (Date.parse(r.reopenedAt) > now().getTime() + CLOCK_SKEW_MS) {
      ctx.addIssue({ code: 'custom', path: ['reopenedAt'], message: 'must not be in the future' });
    }
  });

export type TicketReopened = z.output<typeof ticketReopenedSchema>;
