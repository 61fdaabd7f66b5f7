import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/** The inbound-SMS JSON that AWS End User Messaging publishes to the SNS topic. */
export const inboundSmsSchema = lazy(() =>
  z.object({
    originationNumber: z.string().check(z.minLength(1), z.maxLength(32)),
    destinationNumber: z.optional(z.string().check(z.maxLength(32))),
    messageBody: z.string().check(z.maxLength(2000)),
    inboundMessageId: z.string().check(z.minLength(1), z.maxLength(128)),
    messageKeyword: z.nullable(z.optional(z.string().check(z.maxLength(64)))),
    previousPublishedMessageId: z.nullable(z.optional(z.string().check(z.maxLength(128)))),
  }),
);
