import { normalizeCnMobile } from '#shared/domain/phone';
import { inboundSmsSchema } from '#shared/http/schemas/inbound-sms';
import * as z from '#shared/runtime/zod';
import { HttpProblem } from './http-io.ts';

/** Checks of what the /local endpoints are sent (no configuration read: importable before start). */

/** A phone number in a query (`+8613800138000`, `8613800138000`, `13800138000`) -> E.164, or a 400. */
export function normalizePhone(input: string): string {
  const e164 = normalizeCnMobile(input);
  if (!e164) {
    throw new HttpProblem(400, 'phone must be a mainland China mobile number (+86… or 11 digits)', {
      field: 'phone',
    });
  }
  return e164;
}

/**
 * The two-way SMS payload End User Messaging publishes to SNS, checked with the inbound-SMS
 * function's own schema; End User Messaging always names the destination, so it is required here.
 */
const localInboundSchema = z.required(inboundSmsSchema(), { destinationNumber: true });

export function validateInboundSms(body: Record<string, unknown>): Record<string, unknown> {
  const parsed = localInboundSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'body');
    throw new HttpProblem(400, `${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  return parsed.data;
}

/** POST /local/clock's `now`: a time to pin the clock at, or undefined (null: back to real time). */
export function clockSetting(b: Record<string, unknown>): Date | undefined {
  if (!('now' in b)) throw new HttpProblem(400, 'now is required (ISO-8601 time, or null)', { field: 'now' });
  if (b.now === null) return undefined;
  const at = typeof b.now === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(b.now) ? new Date(b.now) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new HttpProblem(400, 'now must be an ISO-8601 time like 2026-11-03T09:30:00+08:00, or null', {
      field: 'now',
    });
  }
  return at;
}
