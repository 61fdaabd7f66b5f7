import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { surveyDue } from '#shared/app/scheduler/survey-due';
import { planTicket } from '#shared/app/tickets/plan-ticket';
import type { TicketItem } from '#shared/store/ticket';

/**
 * An accepted completion: planned (survey scheduled or suppressed, figures counted); a survey
 * already due is sent in the same run rather than a minute later.
 */
export async function ticketDue(deps: Deps, item: TicketItem, at: Date): Promise<Outcome> {
  const survey = await planTicket(deps, item, at);
  if (!survey) return 'skipped';
  if (survey.status === 'scheduled' && Date.parse(survey.dueAt as string) <= at.getTime()) {
    const sent = await surveyDue(deps, survey, at);
    if (sent !== 'skipped') return sent;
  }
  return survey.status === 'suppressed' ? 'suppressed' : 'planned';
}
