import type { Rules } from '#shared/domain/rules';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';

/**
 * Timeliness of a completed ticket against the limits of docs/domain.md sections 2 and 3.
 * Pure functions: everything comes from the ticket and the rules, nothing from the clock.
 */

/** true = on time, false = late, null = not applicable (never counted as on time or late). */
export type Tri = boolean | null;

export interface Timeliness {
  /** First contact within firstContactMinutes[segment] of the report. */
  contactOnTime: Tri;
  /** Completed within the repair limit, customer-caused time excluded. */
  repairOnTime: Tri;
  /** Arrived no later than appointment + tolerance, and the appointment was not changed late. */
  punctual: Tri;
  /** The limit repairOnTime was held to (hours), or null when none applies. */
  repairLimitHours: number | null;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Milliseconds from `from` to `to` (ISO-8601 instants with offsets; may be negative). */
function msBetween(from: string, to: string): number {
  return Date.parse(to) - Date.parse(from);
}

/** First contact (000 line 385): 集客 5 minutes, 家客 15 minutes; exactly on the limit is on time. */
export function contactOnTime(t: TicketCompleted, rules: Rules): Tri {
  if (!t.reportedAt || !t.firstContactAt) return null;
  const limitMs = rules.timeLimits.firstContactMinutes[t.segment] * MINUTE_MS;
  return msBetween(t.reportedAt, t.firstContactAt) <= limitMs;
}

/**
 * The limit (hours from reportedAt) the ticket is held to, or null when none applies.
 * Fault repair/complaint (000 line 389): home by fault type and area, enterprise by service level
 * (in-province or cross-province). Other kinds only when configured in otherKindHours.
 */
export function repairLimitHours(t: TicketCompleted, rules: Rules): number | null {
  const limits = rules.timeLimits;
  if (t.kind !== 'repair') return limits.otherKindHours[t.kind] ?? null;
  if (t.segment === 'home') {
    if (!t.faultType || !t.area) return null;
    return limits.homeRepairHours[t.faultType][t.area];
  }
  if (!t.serviceLevel) return null;
  return limits.enterpriseRepairHours[t.crossProvince ? 'crossProvince' : 'inProvince'][t.serviceLevel];
}

/**
 * Completed within the limit, measured from reportedAt to completedAt less excludedMinutes
 * (customer-caused time and customer-requested appointment waiting; 用户原因/用户预约时间不计算在内).
 * Exactly on the limit is on time.
 */
export function repairOnTime(t: TicketCompleted, rules: Rules): Tri {
  const limit = repairLimitHours(t, rules);
  if (limit === null || !t.reportedAt) return null;
  const elapsedMs = Math.max(0, msBetween(t.reportedAt, t.completedAt) - t.excludedMinutes * MINUTE_MS);
  return elapsedMs <= limit * HOUR_MS;
}

/**
 * Punctuality (000 第三十条/第三十四条, 001 上门服务): an appointment changed less than
 * rescheduleNoticeHours before it is not punctual; otherwise punctual when
 * arrivedAt <= appointmentAt + toleranceMinutes (early arrival is punctual).
 */
export function punctual(t: TicketCompleted, rules: Rules): Tri {
  if (!t.appointmentAt || !t.arrivedAt) return null;
  const { toleranceMinutes, rescheduleNoticeHours } = rules.punctuality;
  if (
    t.appointmentChangedAt &&
    msBetween(t.appointmentChangedAt, t.appointmentAt) < rescheduleNoticeHours * HOUR_MS
  ) {
    return false;
  }
  return msBetween(t.appointmentAt, t.arrivedAt) <= toleranceMinutes * MINUTE_MS;
}

export function timeliness(t: TicketCompleted, rules: Rules): Timeliness {
  return {
    contactOnTime: contactOnTime(t, rules),
    repairOnTime: repairOnTime(t, rules),
    punctual: punctual(t, rules),
    repairLimitHours: repairLimitHours(t, rules),
  };
}
