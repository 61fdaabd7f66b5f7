import { caseSms } from '#shared/app/callbacks/case-sms';
import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { progressNoticeWanted } from '#shared/domain/case-loop';
import { quietSendTime } from '#shared/domain/quiet-spread';
import { isQuietTime } from '#shared/domain/time';
import { appendWhileUnclosedItem, getCallback } from '#shared/store/callback';
import {
  type CaseProgressItem,
  deferCaseProgress,
  finishCaseProgressItem,
} from '#shared/store/case-progress';
import { transactIf } from '#shared/store/tx';

/** The progress SMS of a case: one per case. */
export const progressSmsId = (caseId: string) => `${caseId}#progress`;

/**
 * The scheduler's step for a complaint's progress notice (store/case-progress.ts), due
 * `complaints.progressNoticeHours` after the complaint opened: while the complaint is not closed
 * (and its customer not erased), the customer gets one `complaint_progress` SMS, in one
 * transaction with the notice marked sent and a history entry on the case, conditional on both
 * (so a retry, or two schedulers at once, send it once); otherwise the notice is dropped. Never
 * in the quiet hours: a notice falling due then waits for their end (spread by the case id, as
 * `progressNoticeAt` does).
 */
export async function caseProgressDue(deps: Deps, item: CaseProgressItem, at: Date): Promise<Outcome> {
  if (item.status !== 'pending') return 'skipped';
  const { rules } = deps;
  const c = await getCallback(item.caseId);
  if (!c || !progressNoticeWanted(c)) {
    await transactIf([finishCaseProgressItem(item.caseId, 'skipped', at)]);
    return 'skipped';
  }
  if (isQuietTime(at, rules.sms.quietHours, rules.timeZone)) {
    await deferCaseProgress(
      item.caseId,
      quietSendTime(at, item.caseId, rules.sms.quietHours, rules.timeZone),
    );
    return 'skipped';
  }
  const smsId = progressSmsId(c.caseId);
  const sms = caseSms(rules, c, smsId, 'complaint_progress', at);
  if (sms.length === 0) {
    await transactIf([finishCaseProgressItem(item.caseId, 'skipped', at)]);
    return 'skipped';
  }
  const sent = await transactIf([
    finishCaseProgressItem(c.caseId, 'sent', at),
    appendWhileUnclosedItem(c.caseId, { at: at.toISOString(), by: 'system', action: 'progress_notice' }),
    ...sms,
  ]);
  if (!sent) return 'skipped'; // done already, or the case closed or was erased meanwhile: the next run decides
  await deliverOutbox(deps, smsId);
  return 'complaintProgressSent';
}
