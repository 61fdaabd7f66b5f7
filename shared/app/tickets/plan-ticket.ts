import type { Deps } from '#shared/app/deps';
import { completionDelta, suppressedDelta } from '#shared/domain/counters';
import { suppressionFor } from '#shared/domain/suppression';
import { localDay, nextAllowedTime } from '#shared/domain/time';
import { timeliness } from '#shared/domain/timeliness';
import type { EngineerRef } from '#shared/domain/types';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { awaitsAlert, cancelDispatchAlerts, getDispatch } from '#shared/store/dispatch';
import { getPhoneState } from '#shared/store/phone-state';
import { putSurvey, type SurveyItem, surveyItem } from '#shared/store/survey';
import { markPlanned, type TicketItem } from '#shared/store/ticket';
import { transactIf } from '#shared/store/tx';
import { workOrderReplyOnClose } from '#shared/store/work-order-reply';

/**
 * The step that plans an accepted completion, shared by the scheduler (its due tickets) and by
 * whatever must see a pending completion's survey first (a reopen, an erasure).
 */

export function engineerRef(t: TicketCompleted): EngineerRef {
  return {
    engineerId: t.engineer.id,
    engineerName: t.engineer.name,
    team: t.engineer.team,
    region: t.engineer.region,
  };
}

/**
 * Plans an accepted completion: its survey scheduled or suppressed on the phone's fresh state
 * (domain/suppression.ts), and the engineer's figures raised (first contact timed from the
 * dispatch when known), the dispatch's alerts still to come cancelled, in one transaction conditional on
 * the completion not being planned yet, so concurrent runs plan it once. Returns the survey, or
 * undefined if another run won.
 */
export async function planTicket(deps: Deps, item: TicketItem, at: Date): Promise<SurveyItem | undefined> {
  if (item.plannedAt) return undefined;
  const { rules } = deps;
  const t = item.ticket;
  const phone = await getPhoneState(t.customer.phone);
  const completed = new Date(t.completedAt);
  const delayMs = rules.survey.delayMinutes[t.kind] * 60_000;
  const due = nextAllowedTime(new Date(completed.getTime() + delayMs), rules.sms.quietHours, rules.timeZone);
  const reason = suppressionFor(t, phone, due < at ? at : due, rules);
  const { surveyId } = item.response;
  const day = localDay(completed, rules.timeZone);
  const eng = engineerRef(t);
  // The ticket's dispatch, if it came: first contact is timed from it (unless the completion
  // says when it was dispatched), and its alerts still to come are cancelled with the planning.
  const dispatch = await getDispatch(t.source, t.ticketId);
  const dispatchedAt = t.dispatchedAt ?? dispatch?.dispatch.dispatchedAt;
  const tl = timeliness(dispatchedAt ? { ...t, dispatchedAt } : t, rules);
  const survey = surveyItem(
    {
      surveyId,
      source: t.source,
      ticketId: t.ticketId,
      kind: t.kind,
      segment: t.segment,
      ...eng,
      phone: t.customer.phone,
      status: reason ? 'suppressed' : 'scheduled',
      ...(reason ? { reason, closedAt: at.toISOString() } : { dueAt: due.toISOString() }),
      day,
      completedAt: completed.toISOString(),
      createdAt: at.toISOString(),
      reprompts: 0,
      timeliness: tl,
    },
    { ...(reason ? {} : { due }), receivedAt: new Date(item.receivedAt) },
  );
  const planned = await transactIf([
    markPlanned(item, at),
    putSurvey(survey),
    ...aggregateUpdates(day, eng, { ...completionDelta(tl), ...(reason ? suppressedDelta(reason) : {}) }),
    ...(reason ? workOrderReplyOnClose(survey, { status: 'suppressed', reason }, at) : []),
    ...(dispatch && awaitsAlert(dispatch) ? [cancelDispatchAlerts(dispatch, at)] : []),
  ]);
  if (!planned) return undefined; // planned by another run
  logger.info('ticket planned', { source: t.source, ticketId: t.ticketId, surveyId, status: survey.status });
  return survey;
}
