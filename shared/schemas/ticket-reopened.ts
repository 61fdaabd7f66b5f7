import * as z from 'zod';
import { idField, instantField, sourceField } from '#shared/schemas/ticket-completed';

export const ticketReopenedSchema = z.object({
  ticketId: idField,
  source: sourceField,
  reopenedAt: instantField,
});

export type TicketReopened = z.output<typeof ticketReopenedSchema>;
