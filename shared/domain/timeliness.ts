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

/**
 * First contact (000 line 385: the dispatch centre notifies the maintenance staff, who contact
 * the customer within 集客 5 minutes, 家客 15 minutes), timed from `dispatchedAt` when it is known
 * (the completion's field, or the dispatch webhook's, which the planner puts in), from
 * `reportedAt` otherwise. Exactly on the limit is on time.
 */
export function contactOnTime(t: TicketCompleted, rules: Rules): Tri {
  const from = contactTimedFrom(t);
  if (!from || !t.firstContactAt) return null;
  const limitMs = rules.timeLimits.firstContactMinutes[t.segment] * MINUTE_MS;
  return msBetween(from, t.firstContactAt) <= limitMs;
}

/** Where first contact is timed from: the dispatch when known, else the report (undefined: neither). */
export function contactTimedFrom(
  t: Pick<TicketCompleted, 'dispatchedAt' | 'reportedAt'>,
): string | undefined {
  return t.dispatchedAt ?? t.reportedAt;
}

/** What decides a ticket's repair limit: the completion's fields, which the dispatch webhook also carries. */
export type RepairLimitInput = Pick<
  TicketCompleted,
  'kind' | 'segment' | 'faultType' | 'area' | 'serviceLevel' | 'crossProvince'
>;

/**
 * The limit (hours from reportedAt) the ticket is held to, or null when none applies.
 * Fault repair/complaint (000 line 389): home by fault type and area, enterprise by service level
 * (in-province or cross-province). Other kinds only when configured in otherKindHours.
 */
export function repairLimitHours(t: RepairLimitInput, rules: Rules): number | null {
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
 * Punctuality (000 第三十条/第三十四条, 001 上门服务).
 * - A change of appointment notified less than `rescheduleNoticeHours` before the appointment it
 *   changed (`originalAppointmentAt`: 000 第三十条 asks for notice ahead of the visit the customer
 *   was waiting for, not ahead of the new one) is not punctual, whatever the arrival.
 * - A change the customer asked for (`appointmentChangedBy: customer`) never counts against the
 *   engineer: only the arrival against the new appointment is judged.
 * - A change of unknown origin without `originalAppointmentAt` (completions before these fields)
 *   is judged as before: its notice measured against `appointmentAt`.
 * - Otherwise punctual when arrivedAt <= appointmentAt + toleranceMinutes; early arrival is
 *   punctual unless `earlyToleranceMinutes` is set (the 10-minute rule of 001 read two-sided:
 *   arrivedAt >= appointmentAt - earlyToleranceMinutes). Boundaries are inclusive.
 */
export function punctual(t: TicketCompleted, rules: Rules): Tri {
  if (!t.appointmentAt || !t.arrivedAt) return null;
  const { toleranceMinutes, earlyToleranceMinutes, rescheduleNoticeHours } = rules.punctuality;
  if (t.appointmentChangedAt && t.appointmentChangedBy !== 'customer') {
    const changed = t.originalAppointmentAt ?? t.appointmentAt;
    if (msBetween(t.appointmentChangedAt, changed) < rescheduleNoticeHours * HOUR_MS) return false;
  }
  const lateMs = msBetween(t.appointmentAt, t.arrivedAt);
  if (lateMs > toleranceMinutes * MINUTE_MS) return false;
  if (earlyToleranceMinutes !== undefined && -lateMs > earlyToleranceMinutes * MINUTE_MS) return false;
  return true;
}

export function timeliness(t: TicketCompleted, rules: Rules): Timeliness {
  return {
    contactOnTime: contactOnTime(t, rules),
    repairOnTime: repairOnTime(t, rules),
    punctual: punctual(t, rules),
    repairLimitHours: repairLimitHours(t, rules),
  };
}
