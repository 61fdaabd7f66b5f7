import * as z from 'zod';
import { lazy } from '#shared/runtime/lazy';

/** The inbound-SMS JSON that AWS End User Messaging publishes to the SNS topic. */
export const inboundSmsSchema = lazy(() =>
  z.object({
    originationNumber: z.string().min(1).max(32),
    destinationNumber: z.string().max(32).optional(),
    messageBody: z.string().max(2000),
    inboundMessageId: z.string().min(1).max(128),
    messageKeyword: z.string().max(64).optional().nullable(),
    previousPublishedMessageId: z.string().max(128).optional().nullable(),
  }),
);
