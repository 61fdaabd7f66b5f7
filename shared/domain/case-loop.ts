import { quietSendTime } from '#shared/domain/quiet-spread';
import type { Rules } from '#shared/domain/rules';
import type { CallbackOutcome, CallbackStatus, CaseKind } from '#shared/domain/types';

/**
 * The case loop (docs/domain.md section 6, seed 003 投诉处理工作流程: record -> handle -> progress
 * -> review -> callback -> archive, or handle again). Pure: what a close or a review does to a
 * case, when a complaint's progress notice is due, and the complaint rate. The store writes what
 * these decide (shared/store/callback.ts), the use cases compose them (shared/app/callbacks/).
 */

/** Statuses a case may be closed from (an agent's `POST /v1/callbacks/{id}/close`). */
export const CLOSABLE_STATUSES: readonly CallbackStatus[] = ['open', 'overdue', 'in_progress', 'escalated'];

/** What a close with an outcome does to a case. */
export type CloseStep =
  /** The customer is still unhappy: back to handling (`in_progress`) as round `round`, a new deadline. */
  | { kind: 'returned'; round: number }
  /** Still unhappy after `callbacks.maxRounds` rounds: the region takes it over (`escalated`). */
  | { kind: 'escalated' }
  /** A complaint's handling is done: a manager reviews it before it is closed (`pending_review`). */
  | { kind: 'pending_review' }
  /** Closed for good with the outcome. */
  | { kind: 'closed' };

/**
 * For every kind of case, `resolved_unsatisfied` returns the case to handling instead of ending it
 * (003: 不满意 -> back to handling), for `callbacks.maxRounds` rounds in all; the close of the last
 * round escalates it to the region. An escalated case is the region's: its close ends the loop,
 * whatever the outcome. Any other outcome ends the case: at once for a dissatisfied-rating case,
 * after the manager's review for a complaint (003: 客户服务部经理审查).
 */
export function closeStep(
  c: { caseKind?: CaseKind | undefined; status: CallbackStatus; round?: number | undefined },
  outcome: CallbackOutcome,
  rules: Rules,
): CloseStep {
  const round = c.round ?? 1;
  if (outcome === 'resolved_unsatisfied' && c.status !== 'escalated') {
    return round < rules.callbacks.maxRounds ? { kind: 'returned', round: round + 1 } : { kind: 'escalated' };
  }
  return c.caseKind === 'complaint' ? { kind: 'pending_review' } : { kind: 'closed' };
}

/**
 * A case returned to handling (`in_progress`) or taken over by the region (`escalated`) is closed
 * only after it was worked again: a contact (a note) since it was returned or escalated. So a
 * close sent twice (a double click, a retry) never burns a second round or ends an escalation
 * unseen: the repeat answers 409.
 */
export function needsContactBeforeClose(c: {
  status: CallbackStatus;
  roundContactedAt?: string | undefined;
}): boolean {
  return (c.status === 'in_progress' || c.status === 'escalated') && !c.roundContactedAt;
}

/** Only a complaint waiting for review may be reviewed. */
export const isReviewable = (status: CallbackStatus): boolean => status === 'pending_review';

/**
 * When a complaint's one progress notice is due: `complaints.progressNoticeHours` after it was
 * opened (003: 投诉24小时内如未处理完毕应通知客户其投诉处理进度), moved out of the quiet hours
 * (spread by the case id: domain/quiet-spread.ts).
 */
export function progressNoticeAt(rules: Rules, openedAt: Date, caseId: string): Date {
  const due = new Date(openedAt.getTime() + rules.complaints.progressNoticeHours * 3_600_000);
  return quietSendTime(due, caseId, rules.sms.quietHours, rules.timeZone);
}

/** The progress notice goes out only while the complaint is not closed, and never to an erased customer. */
export function progressNoticeWanted(c: { status: CallbackStatus; erasedAt?: string | undefined }): boolean {
  return c.status !== 'closed' && !c.erasedAt;
}

/**
 * The id of the n-th message of one cause on a case (an alert, an SMS), n = how many the case
 * already had: the first keeps the plain `{caseId}#{cause}`, so a cause yields one message per
 * occurrence, however often the step that raises it is retried.
 */
export const caseMessageId = (caseId: string, cause: string, before: number): string =>
  before === 0 ? `${caseId}#${cause}` : `${caseId}#${cause}#${before + 1}`;

/** Complaints per 100 completions (two decimals); null without completions. */
export function complaintRate(complaints: number, completed: number): number | null {
  if (completed <= 0) return null;
  return Math.round((complaints * 10_000) / completed) / 100;
}
