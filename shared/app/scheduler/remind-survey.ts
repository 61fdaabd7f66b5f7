import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { deliverWrittenLeased, leaseAtBirth } from '#shared/app/sms/deliver-outbox';
import { remindedDelta } from '#shared/domain/counters';
import { quietSendTime } from '#shared/domain/quiet-spread';
import { jobLabel, renderSms } from '#shared/domain/sms/templates';
import { isQuietTime } from '#shared/domain/time';
import { aggregateUpdates } from '#shared/store/aggregate';
import { type NewSms, putSms, smsMessage } from '#shared/store/outbox';
import { type SurveyItem, updateSurvey } from '#shared/store/survey';
import { transact, transactIf } from '#shared/store/tx';

/** One reminder for an unanswered survey, only in allowed hours and only before it expires. */
export async function remindSurvey(deps: Deps, survey: SurveyItem, at: Date): Promise<Outcome> {
  const { rules } = deps;
  const expiresAt = new Date(survey.expiresAt as string);
  if (isQuietTime(at, rules.sms.quietHours, rules.timeZone)) {
    const next = quietSendTime(at, survey.surveyId, rules.sms.quietHours, rules.timeZone);
    const skip = next >= expiresAt;
    await transact([
      updateSurvey(
        survey.surveyId,
        'sent',
        skip ? { reminderSentAt: 'skipped' } : { remindAt: next.toISOString() },
        { due: skip ? expiresAt : next },
      ),
    ]);
    return 'deferred';
  }
  const sms: NewSms = {
    smsId: `${survey.surveyId}#reminder`,
    to: survey.phone,
    surveyId: survey.surveyId,
    rendered: renderSms(
      'reminder',
      { engineerName: survey.engineerName, job: jobLabel(survey.kind) },
      rules.sms.signature,
      rules.sms.optOutHint,
    ),
  };
  // Written leased to this step, which delivers it right after: no lease call of its own.
  const lease = leaseAtBirth();
  const recorded = await transactIf([
    updateSurvey(
      survey.surveyId,
      'sent',
      { reminderSentAt: at.toISOString() },
      { due: expiresAt, noReminderYet: true },
    ),
    ...aggregateUpdates(survey.day, survey, remindedDelta()),
    putSms(sms, at, at, lease),
  ]);
  if (!recorded) return 'skipped';
  await deliverWrittenLeased(deps, smsMessage(sms), lease);
  return 'reminded';
}
