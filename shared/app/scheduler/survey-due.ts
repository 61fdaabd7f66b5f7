import type { Deps } from '#shared/app/deps';
import { closeAwaitingReasons, expireSurvey } from '#shared/app/scheduler/close-survey';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { remindSurvey } from '#shared/app/scheduler/remind-survey';
import { sendSurvey } from '#shared/app/scheduler/send-survey';
import { getSurvey, type SurveyItem } from '#shared/store/survey';

/**
 * A survey in the due index: sent (scheduled and due), reminded (sent, reminder due), expired
 * (sent, past expiresAt) or closed without reasons (awaiting them past reasonsDueAt).
 */
export async function surveyDue(deps: Deps, item: SurveyItem, at: Date): Promise<Outcome> {
  const past = (iso: string | undefined) => iso !== undefined && Date.parse(iso) <= at.getTime();
  if (item.status === 'scheduled' && past(item.dueAt)) {
    // Another actor may change the phone between our read and our write (two surveys for one
    // phone falling due together): decide again on fresh state a few times.
    let survey: SurveyItem | undefined = item;
    for (let attempt = 0; attempt < 3 && survey?.status === 'scheduled'; attempt++) {
      const outcome = await sendSurvey(deps, survey, at);
      if (outcome !== 'skipped') return outcome;
      survey = await getSurvey(item.surveyId);
    }
    return 'skipped';
  }
  if (item.status === 'sent' && past(item.expiresAt)) return await expireSurvey(item, at);
  if (item.status === 'sent' && !item.reminderSentAt && past(item.remindAt))
    return await remindSurvey(deps, item, at);
  if (item.status === 'awaiting_reasons' && past(item.reasonsDueAt))
    return await closeAwaitingReasons(item, at);
  return 'skipped';
}
