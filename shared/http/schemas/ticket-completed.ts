import { INVISIBLE_CHARS, INVISIBLE_CHARS_MESSAGE } from '#shared/domain/invisible-chars';
import { normalizeCnMobile } from '#shared/domain/phone';
import { SOURCE_ID, SOURCE_ID_MESSAGE, ticketKinds } from '#shared/domain/rules';
import { perClock } from '#shared/http/schemas/per-clock';
import { scopeNameField } from '#shared/http/schemas/scope-name';
import { smsSafeText } from '#shared/http/schemas/sms-safe-text';
import { type Clock, systemClock } from '#shared/runtime/clock';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/** Completed tickets may be stamped this far ahead of our clock (upstream clocks drift). */
export const CLOCK_SKEW_MS = 60_000;

export const idField = lazy(() =>
  z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 . _ : -')),
);
export const instantField = lazy(() =>
  z.iso.datetime({
    offset: true,
    message: 'ISO-8601 date-time with offset, e.g. 2026-11-21T10:30:00+08:00',
  }),
);
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const sourceField = lazy(() =>
  z._default(z.string().check(z.regex(SOURCE_ID, SOURCE_ID_MESSAGE)), 'default'),
);

export const timeFields = [
  'reportedAt',
  'dispatchedAt',
  'firstContactAt',
  'appointmentAt',
  'arrivedAt',
] as const;

/** The other times of a ticket may not be further before its completion than this (a year). */
export const MAX_TICKET_SPAN_MS = 366 * 86_400_000;

/** The ticket's classification, shared by the completion and the dispatch webhooks. */
export const segmentField = lazy(() => z.enum(['home', 'enterprise']));
export const kindField = lazy(() => z.enum(ticketKinds));
export const areaField = lazy(() => z.enum(['urban', 'suburban', 'rural']));
export const faultTypeField = lazy(() => z.enum(['equipment', 'line']));
export const serviceLevelField = lazy(() => z.enum(['AAA', 'AA', 'A', 'standard']));
export const crossProvinceField = lazy(() => z._default(z.boolean(), false));

export const engineerField = lazy(() =>
  z.object({
    id: idField(),
    /**
     * Shown to the customer in the survey SMS: at most 10 UTF-16 units (a character outside the
     * BMP counts two) so every template stays one segment; no link, control character or 【】.
     */
    name: smsSafeText(10),
    team: scopeNameField(),
    region: scopeNameField(),
  }),
);

export const customerField = lazy(() =>
  z.object({
    phone: z.pipe(
      z.string().check(z.maxLength(32)),
      z.transform((p: string, ctx) => {
        const e164 = normalizeCnMobile(p);
        if (!e164) {
          ctx.issues.push({ code: 'custom', message: 'must be a mainland China mobile number', input: p });
          return z.NEVER;
        }
        return e164;
      }),
    ),
    /** Neither stored nor shown today; refused if it holds what no name holds. */
    name: z.optional(text(32).check(z.refine((s) => !INVISIBLE_CHARS.test(s), INVISIBLE_CHARS_MESSAGE))),
  }),
);

/** The ticket's id, source and classification: the head of the completion and the dispatch webhooks. */
export function ticketHeadFields() {
  return {
    ticketId: idField(),
    source: sourceField(),
    segment: segmentField(),
    kind: kindField(),
    area: z.optional(areaField()),
    faultType: z.optional(faultTypeField()),
    serviceLevel: z.optional(serviceLevelField()),
    crossProvince: crossProvinceField(),
  };
}

const ticketCompletedObject = lazy(() =>
  z.object({
    ...ticketHeadFields(),
    reportedAt: z.optional(instantField()),
    /** When the work was dispatched: first contact is timed from it (from reportedAt without it). */
    dispatchedAt: z.optional(instantField()),
    firstContactAt: z.optional(instantField()),
    appointmentAt: z.optional(instantField()),
    appointmentChangedAt: z.optional(instantField()),
    /** The appointment as it was before the change (000 第三十条: the notice is measured against it). */
    originalAppointmentAt: z.optional(instantField()),
    /** Who asked for the change: a customer's change never counts against the engineer. */
    appointmentChangedBy: z.optional(z.enum(['customer', 'staff'])),
    arrivedAt: z.optional(instantField()),
    completedAt: instantField(),
    excludedMinutes: z._default(z.int().check(z.gte(0), z.lte(525_600)), 0),
    engineer: engineerField(),
    customer: customerField(),
  }),
);

/** The completion as the webhook checks it: not in the future of `clock` (within CLOCK_SKEW_MS). */
function completedSchemaAt(clock: Clock) {
  return ticketCompletedObject().check(
    z.superRefine((t, ctx) => {
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
      // The original appointment may lie after the completion (moved earlier), never a year away.
      if (
        t.originalAppointmentAt &&
        Math.abs(Date.parse(t.originalAppointmentAt) - completed) > MAX_TICKET_SPAN_MS
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['originalAppointmentAt'],
          message: 'must be within a year of completedAt',
        });
      }
      // A change is described by when it was notified: without that its notice cannot be judged.
      for (const f of ['originalAppointmentAt', 'appointmentChangedBy'] as const) {
        if (t[f] && !t.appointmentChangedAt) {
          ctx.addIssue({ code: 'custom', path: ['appointmentChangedAt'], message: `required with ${f}` });
        }
      }
      if (t.appointmentChangedBy === 'staff' && !t.originalAppointmentAt) {
        ctx.addIssue({
          code: 'custom',
          path: ['originalAppointmentAt'],
          message: 'required when appointmentChangedBy is staff (the notice is measured against it)',
        });
      }
      if (t.originalAppointmentAt && !t.appointmentAt) {
        ctx.addIssue({
          code: 'custom',
          path: ['appointmentAt'],
          message: 'required with a changed appointment',
        });
      }
    }),
  );
}

/** The schema on a given clock (the handler's deps.clock), built once per clock. */
export const ticketCompletedSchemaAt = perClock(completedSchemaAt);

/** On the real clock (OpenAPI, fixtures). */
export const ticketCompletedSchema = lazy(() => ticketCompletedSchemaAt(systemClock));

export type TicketCompleted = z.output<ReturnType<typeof ticketCompletedSchema>>;
