import * as z from 'zod';
import { INVISIBLE_CHARS, INVISIBLE_CHARS_MESSAGE } from '#shared/domain/invisible-chars';
import { normalizeCnMobile } from '#shared/domain/phone';
import { SOURCE_ID, SOURCE_ID_MESSAGE, ticketKinds } from '#shared/domain/rules';
import { scopeNameField } from '#shared/http/schemas/scope-name';
import { smsSafeText } from '#shared/http/schemas/sms-safe-text';
import { type Clock, systemClock } from '#shared/runtime/clock';

/** Completed tickets may be stamped this far ahead of our clock (upstream clocks drift). */
export const CLOCK_SKEW_MS = 60_000;

export const idField = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 . _ : -');
export const instantField = z.iso.datetime({
  offset: true,
  message: 'ISO-8601 date-time with offset, e.g. 2026-11-21T10:30:00+08:00',
});
const text = (max: number) => z.string().trim().min(1).max(max);

export const sourceField = z.string().regex(SOURCE_ID, SOURCE_ID_MESSAGE).default('default');

export const timeFields = ['reportedAt', 'firstContactAt', 'appointmentAt', 'arrivedAt'] as const;

/** The other times of a ticket may not be further before its completion than this (a year). */
export const MAX_TICKET_SPAN_MS = 366 * 86_400_000;

const ticketCompletedObject = z.object({
  ticketId: idField,
  source: sourceField,
  segment: z.enum(['home', 'enterprise']),
  kind: z.enum(ticketKinds),
  area: z.enum(['urban', 'suburban', 'rural']).optional(),
  faultType: z.enum(['equipment', 'line']).optional(),
  serviceLevel: z.enum(['AAA', 'AA', 'A', 'standard']).optional(),
  crossProvince: z.boolean().default(false),
  reportedAt: instantField.optional(),
  firstContactAt: instantField.optional(),
  appointmentAt: instantField.optional(),
  appointmentChangedAt: instantField.optional(),
  arrivedAt: instantField.optional(),
  completedAt: instantField,
  excludedMinutes: z.number().int().min(0).max(525_600).default(0),
  engineer: z.object({
    id: idField,
    /**
     * Shown to the customer in the survey SMS: at most 10 UTF-16 units (a character outside the
     * BMP counts two) so every template stays one segment; no link, control character or 【】.
     */
    name: smsSafeText(10),
    team: scopeNameField,
    region: scopeNameField,
  }),
  customer: z.object({
    phone: z
      .string()
      .max(32)
      .transform((p, ctx) => {
        const e164 = normalizeCnMobile(p);
        if (!e164) {
          ctx.addIssue({ code: 'custom', message: 'must be a mainland China mobile number' });
          return z.NEVER;
        }
        return e164;
      }),
    /** Neither stored nor shown today; refused if it holds what no name holds. */
    name: text(32)
      .refine((s) => !INVISIBLE_CHARS.test(s), INVISIBLE_CHARS_MESSAGE)
      .optional(),
  }),
});

/** The completion as the webhook checks it: not in the future of `clock` (within CLOCK_SKEW_MS). */
function completedSchemaAt(clock: Clock) {
  return ticketCompletedObject.superRefine((t, ctx) => {
    const completed = Date.parse(t.completedAt);
    if (completed > clock.now().getTime() + CLOCK_SKEW_MS) {
      ctx.addIssue({ code: 'custom', path: ['completedAt'], message: 'must not be in the future' });
    }
    for (const f of timeFields) {
      const v = t[f];
      if (v && Date.parse(v) > completed) {
        ctx.addIssue({ code: 'custom', path: [f], message: 'must not be after completedAt' });
      } else if (v && Date.parse(v) < completed - MAX_TICKET_SPAN_MS) {
        ctx.addIssue({
          code: 'custom',
          path: [f],
          message: 'must not be more than a year before completedAt',
        });
      }
    }
  });
}

const schemaOf = new WeakMap<Clock, ReturnType<typeof completedSchemaAt>>();

/** The schema on a given clock (the handler's deps.clock), built once per clock. */
export function ticketCompletedSchemaAt(clock: Clock): ReturnType<typeof completedSchemaAt> {
  let schema = schemaOf.get(clock);
  if (!schema) {
    schema = completedSchemaAt(clock);
    schemaOf.set(clock, schema);
  }
  return schema;
}

/** On the real clock (OpenAPI, fixtures). */
export const ticketCompletedSchema = ticketCompletedSchemaAt(systemClock);

export type TicketCompleted = z.output<typeof ticketCompletedSchema>;
