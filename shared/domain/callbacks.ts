import type { Rules } from '#shared/domain/rules';

/**
 * The callback rules (回访, docs/domain.md section 6): which rating opens a case, when its first
 * contact is due, and when an uncontacted case is overdue. Pure.
 */

/** 不满意 always opens a case; 基本满意 too when `callbacks.openOnBasicallySatisfied`. */
export function opensCallback(rules: Rules, rating: 1 | 2 | 3): boolean {
  return rating === 3 || (rating === 2 && rules.callbacks.openOnBasicallySatisfied);
}

/** When the customer must have been contacted, for a case opened at `openedAt`. */
export function contactDeadline(rules: Rules, openedAt: Date): Date {
  return new Date(openedAt.getTime() + rules.callbacks.contactWithinHours * 3_600_000);
}

/** An open case nobody has contacted by its deadline is overdue. */
export function isPastDeadline(
  c: { status: string; contactedAt?: string | undefined; deadline: string },
  at: Date,
): boolean {
  return c.status === 'open' && !c.contactedAt && Date.parse(c.deadline) <= at.getTime();
}

/** A customer who texts with no survey open gets at most one notice per `sms.noticeIntervalHours`. */
export function noticeAllowed(rules: Rules, lastNoticeAt: string | undefined, at: Date): boolean {
  if (!lastNoticeAt) return true;
  return at.getTime() - Date.parse(lastNoticeAt) >= rules.sms.noticeIntervalHours * 3_600_000;
}
