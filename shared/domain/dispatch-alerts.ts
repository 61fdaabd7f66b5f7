/**
 * Dispatch-time supervision (000 第二章 and the fault process, line 391: 故障时间过半仍未恢复的故障,
 * 调度指挥中心…通知相关区域的维护站经理督办): once a ticket with a repair limit is dispatched, the
 * engineer's team is alerted when half the limit has passed with no completion (`half_time`) and
 * again when the whole limit has (`limit_exceeded`). Pure: the times come from the dispatch and
 * the limit (domain/timeliness.ts `repairLimitHours`), never from the clock.
 *
 * The limit runs from `reportedAt`, as the repair timeliness does. The time the customer caused
 * (`excludedMinutes` of the completion) cannot be known at dispatch, so the alerts count wall-clock
 * time: an alert may come for a ticket the completion later shows on time.
 */

export type DispatchAlertKind = 'half_time' | 'limit_exceeded';

const HOUR_MS = 3_600_000;

/** Whether half the limit has passed at `at`: exactly 50 % has (inclusive), 1 ms before has not. */
export function halfTimeReached(reportedAt: string, limitHours: number, at: Date): boolean {
  // Compared as 2 x elapsed >= limit, so no rounding of an odd limit in ms can move the boundary.
  return 2 * (at.getTime() - Date.parse(reportedAt)) >= limitHours * HOUR_MS;
}

/** Whether the whole limit has passed at `at` (exactly at the limit it has). */
export function limitReached(reportedAt: string, limitHours: number, at: Date): boolean {
  return at.getTime() - Date.parse(reportedAt) >= limitHours * HOUR_MS;
}

/**
 * When each alert falls due (for the due index): the first millisecond at which `halfTimeReached`
 * and `limitReached` hold.
 */
export function dispatchAlertTimes(
  reportedAt: string,
  limitHours: number,
): { halfTimeAt: string; limitAt: string } {
  const start = Date.parse(reportedAt);
  const limitMs = limitHours * HOUR_MS;
  return {
    halfTimeAt: new Date(start + Math.ceil(limitMs / 2)).toISOString(),
    limitAt: new Date(start + Math.ceil(limitMs)).toISOString(),
  };
}

/**
 * The alert to send at `at`, given the one the dispatch waits for (`next`), or undefined when it is
 * not due yet. A scheduler that comes late to a half-time alert after the limit has passed too
 * sends the limit alert alone: a "half the time has passed" at that point would be stale.
 */
export function dueDispatchAlert(
  next: DispatchAlertKind,
  reportedAt: string,
  limitHours: number,
  at: Date,
): DispatchAlertKind | undefined {
  if (limitReached(reportedAt, limitHours, at)) return 'limit_exceeded';
  if (next === 'half_time' && halfTimeReached(reportedAt, limitHours, at)) return 'half_time';
  return undefined;
}
