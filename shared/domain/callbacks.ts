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

/** The fields that tell whether a case still waits for its contact. */
export interface ContactState {
  status: string;
  contactedAt?: string | undefined;
  roundContactedAt?: string | undefined;
  deadline: string;
}

/**
 * Whether the case waits for a contact in its current round: an `open` case (the first round)
 * until its first contact, an `in_progress` one (returned to handling) until the first contact
 * since it was returned (`roundContactedAt`, cleared on every return).
 */
export function awaitingContact(c: ContactState): boolean {
  if (c.status === 'open') return !c.contactedAt;
  if (c.status === 'in_progress') return !c.roundContactedAt;
  return false;
}

/** An open or returned case nobody has contacted by its deadline is overdue. */
export function isPastDeadline(c: ContactState, at: Date): boolean {
  return awaitingContact(c) && Date.parse(c.deadline) <= at.getTime();
}

/** A customer who texts with no survey open gets at most one notice per `sms.noticeIntervalHours`. */
export function noticeAllowed(rules: Rules, lastNoticeAt: string | undefined, at: Date): boolean {
  if (!lastNoticeAt) return true;
  return at.getTime() - Date.parse(lastNoticeAt) >= rules.sms.noticeIntervalHours * 3_600_000;
}
