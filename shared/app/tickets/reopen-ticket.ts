import type { Deps } from '#shared/app/deps';
import { planTicket } from '#shared/app/tickets/plan-ticket';
import { type Delta, reopenedDelta, repeatRepairDelta } from '#shared/domain/counters';
import { ConflictError, NotFoundError } from '#shared/domain/errors';
import { isRepairKind } from '#shared/domain/repeat-repair';
import type { TicketReopened } from '#shared/http/schemas/ticket-reopened';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { getPhoneState, leaveQueue, releaseTurn } from '#shared/store/phone-state';
import { getSurvey, updateSurvey } from '#shared/store/survey';
import { getTicket, markReopened } from '#shared/store/ticket';
import { type TxItem, transactIf } from '#shared/store/tx';
import { workOrderReplyOnClose } from '#shared/store/work-order-reply';

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
 * the ticket starts a new survey. A reopened repair counts as a repeat repair (返修) on its
 * completion's day and engineer, once: unless a later repair of the phone already marked it
 * (domain/repeat-repair.ts), and conditional on the survey still not being marked.
 *
 * Like completions (`matchCompletion`), reopens are told apart by identity, never by comparing
 * upstream clocks: the same `reopenedAt` as the current or an earlier reopen is a repeat (200,
 * `kept`, nothing changes); a new one reopens the current completion whatever its date (a reopen
 * may be stamped before the completion by another system's clock), and while the ticket is
 * already reopened it is a 409 naming `reopenedAt` (it belongs to a completion not delivered yet:
 * upstream retries it, and it applies once that completion is accepted).
 */
export async function reopenTicket(deps: Deps, r: TicketReopened): Promise<ReopenResult> {
  for (let attempt = 1; ; attempt++) {
    const ticket = await getTicket(r.source, r.ticketId);
    if (!ticket) throw new NotFoundError(`no ticket ${r.ticketId} from source ${r.source}`);
    const surveyId = ticket.response.surveyId;
    const base = { ticketId: r.ticketId, source: r.source, status: 'reopened' as const, surveyId };
    const reopenedAt = Date.parse(r.reopenedAt);
    if (ticket.state === 'reopened' && Date.parse(ticket.reopenedAt ?? '') === reopenedAt) {
      return { ...base, survey: 'kept' }; // this reopen again
    }
    const past = ticket.history?.find((h) => Date.parse(h.reopenedAt) === reopenedAt);
    if (past) return { ...base, surveyId: past.response.surveyId, survey: 'kept' }; // an earlier one, late
    if (ticket.state === 'reopened') {
      throw new ConflictError('the ticket is reopened and has no completion since', [
        {
          field: 'reopenedAt',
          message: `the ticket was reopened at ${ticket.reopenedAt} and not completed since: a new reopen needs the next completion first`,
        },
      ]);
    }
    if (!ticket.plannedAt && attempt < 5) {
      // Accepted but not planned yet: plan it first, so the reopen finds its survey and counts.
      await planTicket(deps, ticket, deps.clock.now());
      continue;
    }
    const at = deps.clock.now();
    const iso = at.toISOString();
    const survey = await getSurvey(surveyId);
    const items: TxItem[] = [markReopened(ticket, new Date(r.reopenedAt).toISOString())];
    // A reopened repair was repeated: marked and counted with the reopen, once per survey.
    const repeated = survey !== undefined && isRepairKind(survey.kind) && !survey.repeat;
    const mark = repeated ? { repeat: { kind: 'reopen' as const, at: iso } } : {};
    const once = repeated ? { notRepeatedYet: true } : {};
    const counted = (d: Delta): Delta => (repeated ? { ...d, ...repeatRepairDelta() } : d);
    let outcome: ReopenResult['survey'] = 'kept';
    if (survey && (survey.status === 'scheduled' || survey.status === 'waiting')) {
      outcome = 'cancelled';
      // out of the phone's queue, or handing on the turn it was given, in the same transaction
      const phone = await getPhoneState(survey.phone);
      items.push(
        updateSurvey(
          surveyId,
          survey.status,
          { status: 'cancelled', closedAt: iso, reopenedAt: iso, ...mark },
          { due: null, ...once },
        ),
        ...aggregateUpdates(survey.day, survey, counted(reopenedDelta('unsent'))),
        ...workOrderReplyOnClose(survey, { status: 'cancelled', reason: 'reopened' }, at),
        ...leaveQueue(phone, surveyId, at),
      );
    } else if (survey && survey.status === 'sent') {
      outcome = 'closed_uncounted';
      const phone = await getPhoneState(survey.phone);
      items.push(
        updateSurvey(
          surveyId,
          'sent',
          { status: 'cancelled', closedAt: iso, reopenedAt: iso, ...mark },
          { due: null, ...once },
        ),
        ...aggregateUpdates(survey.day, survey, counted(reopenedDelta('sent'))),
        ...releaseTurn(phone, surveyId, at),
        ...workOrderReplyOnClose(survey, { status: 'cancelled', reason: 'reopened' }, at),
      );
    } else if (survey) {
      items.push(
        updateSurvey(surveyId, survey.status, { reopenedAt: iso, ...mark }, once),
        ...aggregateUpdates(survey.day, survey, counted(reopenedDelta('kept'))),
      );
    }
    if (!(await transactIf(items))) {
      if (attempt < 5) continue; // changed under us: look again
      throw new Error('the ticket kept changing while it was reopened');
    }
    logger.info('ticket reopened', { source: r.source, ticketId: r.ticketId, surveyId, survey: outcome });
    return { ...base, survey: outcome };
  }
}
