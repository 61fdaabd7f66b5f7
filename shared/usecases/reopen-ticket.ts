import { now } from '#shared/clock';
import { TxConditionFailed, type TxItem, transact } from '#shared/db/tx';
import { aggregateUpdates } from '#shared/entities/aggregate';
import { getPhoneState, leaveTurn, releasePhone } from '#shared/entities/phone-state';
import { getSurvey, updateSurvey } from '#shared/entities/survey';
import { getTicket, markReopened } from '#shared/entities/ticket';
import { replyOnClose } from '#shared/entities/work-order-reply';
import { NotFoundError, ValidationError } from '#shared/errors';
import { logger } from '#shared/log';
import type { TicketReopened } from '#shared/schemas/ticket-reopened';
import { planTicket } from '#shared/usecases/complete-ticket';

export interface ReopenResult {
  ticketId: string;
  source: string;
  status: 'reopened';
  /** What happened to the survey of the completion that was reopened. */
  survey: 'cancelled' | 'closed_uncounted' | 'kept';
  surveyId: string;
}

/**
 * A ticket reopened upstream: a survey not yet sent is cancelled, one already sent is closed
 * without counting (its send leaves the response-rate denominator), one already answered keeps
 * its rating. The completion itself stays counted (the visit happened); the next completion of
 * the ticket starts a new survey. Reopening twice changes nothing more.
 */
export async function reopenTicket(r: TicketReopened): Promise<ReopenResult> {
  for (let attempt = 1; ; attempt++) {
    const ticket = await getTicket(r.source, r.ticketId);
    if (!ticket) throw new NotFoundError(`no ticket ${r.ticketId} from source ${r.source}`);
    const surveyId = ticket.response.surveyId;
    const base = { ticketId: r.ticketId, source: r.source, status: 'reopened' as const, surveyId };
    if (ticket.state === 'reopened') return { ...base, survey: 'kept' };
    if (Date.parse(r.reopenedAt) < Date.parse(ticket.ticket.completedAt)) {
      throw new ValidationError([
        { field: 'reopenedAt', message: 'must not be before the completion it reopens' },
      ]);
    }
    if (!ticket.plannedAt && attempt < 5) {
      // Accepted but not planned yet: plan it first, so the reopen finds its survey and counts.
      await planTicket(ticket, now());
      continue;
    }
    const at = now();
    const iso = at.toISOString();
    const survey = await getSurvey(surveyId);
    const items: TxItem[] = [markReopened(ticket, new Date(r.reopenedAt).toISOString())];
    let outcome: ReopenResult['survey'] = 'kept';
    if (survey && (survey.status === 'scheduled' || survey.status === 'waiting')) {
      outcome = 'cancelled';
      // out of the phone's queue, or handing on the turn it was given, in the same transaction
      const phone = await getPhoneState(survey.phone);
      items.push(
        updateSurvey(
          surveyId,
          survey.status,
          { status: 'cancelled', closedAt: iso, reopenedAt: iso },
          { due: null },
        ),
        ...aggregateUpdates(survey.day, survey, { reopened: 1, cancelled: 1 }),
        ...replyOnClose(survey, { status: 'cancelled', reason: 'reopened' }, at),
        ...leaveTurn(phone, surveyId, at),
      );
    } else if (survey && survey.status === 'sent') {
      outcome = 'closed_uncounted';
      const phone = await getPhoneState(survey.phone);
      items.push(
        updateSurvey(
          surveyId,
          'sent',
          { status: 'cancelled', closedAt: iso, reopenedAt: iso },
          { due: null },
        ),
        ...aggregateUpdates(survey.day, survey, { reopened: 1, cancelled: 1, surveyed: -1 }),
        ...releasePhone(phone, surveyId, at),
        ...replyOnClose(survey, { status: 'cancelled', reason: 'reopened' }, at),
      );
    } else if (survey) {
      items.push(
        updateSurvey(surveyId, survey.status, { reopenedAt: iso }),
        ...aggregateUpdates(survey.day, survey, { reopened: 1 }),
      );
    }
    try {
      await transact(items);
    } catch (err) {
      if (err instanceof TxConditionFailed && attempt < 5) continue; // changed under us: look again
      throw err;
    }
    logger.info('ticket reopened', { source: r.source, ticketId: r.ticketId, surveyId, survey: outcome });
    return { ...base, survey: outcome };
  }
}
