import type { Deps } from '#shared/app/deps';
import { planTicket } from '#shared/app/tickets/plan-ticket';
import { mayEraseCustomers } from '#shared/domain/access';
import { erasedUnsentDelta } from '#shared/domain/counters';
import { ForbiddenError, ValidationError } from '#shared/domain/errors';
import { maskPhone, normalizeCnMobile } from '#shared/domain/phone';
import type { Principal } from '#shared/http/auth';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import {
  customerRecords,
  customerTickets,
  deleteRecord,
  dropWorkOrderReplyComment,
  maskCallbackCase,
} from '#shared/store/customer';
import { deleteLastRepair } from '#shared/store/last-repair';
import { deletePhoneState, getPhoneState, leaveQueue } from '#shared/store/phone-state';
import { getSurvey, maskSurvey, type SurveyItem, updateSurvey } from '#shared/store/survey';
import { maskTicketCustomer } from '#shared/store/ticket';
import { transactIf } from '#shared/store/tx';

export interface ErasureResult {
  phone: string;
  surveys: number;
  /** SMS records deleted: those sent to the customer and the texts they sent (kept texts). */
  messages: number;
  /** An opted-out number is kept (only the number and the opt-out) so that it is never texted again. */
  optOutKept: boolean;
}

/**
 * Erases one customer's personal data everywhere (docs/domain.md section 7), keeping the figures:
 * surveys, tickets, callback cases and replies keep their ratings and counts but lose the phone
 * (masked) and the free text; SMS records are deleted; the phone state is deleted unless it
 * holds an opt-out, and the phone's last-repair record (store/last-repair.ts) always. Found through the CUST#{phone} index, never by Scan. Safe to repeat.
 */
export async function eraseCustomer(
  deps: Deps,
  principal: Principal,
  rawPhone: string,
): Promise<ErasureResult> {
  if (!mayEraseCustomers(principal)) throw new ForbiddenError();
  const phone = normalizeCnMobile(rawPhone);
  if (!phone)
    throw new ValidationError([{ field: 'phone', message: 'must be a mainland China mobile number' }]);
  const masked = maskPhone(phone);
  const at = deps.clock.now().toISOString();
  let surveys = 0;
  let messages = 0;

  // Completions accepted but not planned yet are planned first, so that what they create is
  // erased below with everything else (and no survey is planned afterwards from clear data).
  await planPendingTickets(deps, phone);

  for (const item of await customerRecords(phone)) {
    if (item.type === 'sms') {
      await deleteRecord(item);
      messages++;
    } else if (item.type === 'text') {
      // a text the customer sent (store/customer-text.ts): deleted; a complaint case it opened
      // without a survey is found only through it, and masked like the others
      if (typeof item.caseId === 'string') await maskCallbackCase(item.caseId, masked, at);
      await deleteRecord(item);
      messages++;
    } else if (item.type === 'case_customer') {
      // a case's own entry (store/case-customer.ts): found however long ago its survey and the
      // texts expired; the case masked, then the entry (the number in clear) deleted
      if (typeof item.caseId === 'string') await maskCallbackCase(item.caseId, masked, at);
      await deleteRecord(item);
    } else if (item.type === 'survey') {
      await cancelUnsent(item as unknown as SurveyItem, at);
      await eraseSurvey(item as unknown as SurveyItem, masked, at);
      surveys++;
    }
  }

  const state = await getPhoneState(phone);
  const optOutKept = state.optedOut === true;
  if (!optOutKept && state.version > 0) await deletePhoneState(phone);
  await deleteLastRepair(phone); // the phone's last repair (返修): its surveys keep their marks
  logger.info('customer erased', { phone: masked, surveys, messages, optOutKept });
  return { phone: masked, surveys, messages, optOutKept };
}

async function planPendingTickets(deps: Deps, phone: string): Promise<void> {
  for (const item of await customerTickets(phone)) await planTicket(deps, item, deps.clock.now());
}

/**
 * A survey not sent yet (scheduled, or queued behind another) is cancelled: it must never go out
 * to the masked number. Counted as cancelled, like a survey cancelled by a reopen. Decided on the
 * survey's and the phone's fresh state (the listing read earlier may be stale: a release may have
 * made a queued survey due since), and taken out of the phone's queue in the same transaction.
 */
async function cancelUnsent(listed: SurveyItem, at: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const s = await getSurvey(listed.surveyId);
    if (!s || (s.status !== 'scheduled' && s.status !== 'waiting')) return; // sent: erased like the others
    const phone = await getPhoneState(s.phone);
    const cancelled = await transactIf([
      updateSurvey(
        s.surveyId,
        s.status,
        { status: 'cancelled', reason: 'erased', closedAt: at },
        { due: null },
      ),
      ...aggregateUpdates(s.day, s, erasedUnsentDelta()),
      ...leaveQueue(phone, s.surveyId, new Date(at)),
    ]);
    if (cancelled) return;
    // changed under us: look again
    if (attempt >= 5) throw new Error('the survey kept changing while it was cancelled for an erasure');
  }
}

/** The survey's personal data, and that of its ticket, callback case and work-order reply. */
async function eraseSurvey(
  s: { surveyId: string; source: string; ticketId: string },
  masked: string,
  at: string,
): Promise<void> {
  await maskSurvey(s.surveyId, masked, at);
  await maskTicketCustomer(s.source, s.ticketId, masked, at);
  await maskCallbackCase(s.surveyId, masked, at);
  await dropWorkOrderReplyComment(s.surveyId);
}
