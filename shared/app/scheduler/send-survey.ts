import type { Deps } from '#shared/app/deps';
import type { Outcome } from '#shared/app/scheduler/outcome';
import { deliverWrittenLeased, leaseAtBirth } from '#shared/app/sms/deliver-outbox';
import { surveyInvitation } from '#shared/app/surveys/survey-invitation';
import { sentDelta, suppressedDelta } from '#shared/domain/counters';
import { quietSendTime } from '#shared/domain/quiet-spread';
import { suppressionAtSend } from '#shared/domain/suppression';
import { isQuietTime } from '#shared/domain/time';
import { aggregateUpdates } from '#shared/store/aggregate';
import { type NewSms, putSms, smsMessage } from '#shared/store/outbox';
import { enqueue, getPhoneState, leaveQueue, openOnPhone } from '#shared/store/phone-state';
import { type SurveyItem, updateSurvey } from '#shared/store/survey';
import { transact, transactIf } from '#shared/store/tx';
import { workOrderReplyOnClose } from '#shared/store/work-order-reply';

/**
 * A scheduled survey that fell due: deferred out of quiet hours (spread by its id, as planning does); suppressed if the phone opted
 * out or was surveyed lately since it was planned (domain/suppression.ts); queued behind the
 * survey open on the phone; otherwise sent (the invitation SMS committed with the survey's and
 * the phone's change, then delivered). 'skipped' when the survey or the phone changed since
 * they were read: the caller decides again on fresh state.
 */
export async function sendSurvey(deps: Deps, survey: SurveyItem, at: Date): Promise<Outcome> {
  const { rules } = deps;
  if (isQuietTime(at, rules.sms.quietHours, rules.timeZone)) {
    const next = quietSendTime(at, survey.surveyId, rules.sms.quietHours, rules.timeZone);
    await transact([
      updateSurvey(survey.surveyId, 'scheduled', { dueAt: next.toISOString() }, { due: next }),
    ]);
    return 'deferred';
  }
  const phone = await getPhoneState(survey.phone);
  const reason = suppressionAtSend(phone, survey.surveyId, at, rules);
  if (reason) {
    const done = await transactIf([
      updateSurvey(
        survey.surveyId,
        'scheduled',
        { status: 'suppressed', reason, closedAt: at.toISOString() },
        { due: null },
      ),
      ...aggregateUpdates(survey.day, survey, suppressedDelta(reason)),
      ...workOrderReplyOnClose(survey, { status: 'suppressed', reason }, at),
      ...leaveQueue(phone, survey.surveyId, at),
    ]);
    return done ? 'suppressed' : 'skipped';
  }
  if (phone.openSurveyId && phone.openSurveyId !== survey.surveyId) {
    return (await transactIf(enqueue(phone, survey.surveyId))) ? 'queued' : 'skipped';
  }
  const expiresAt = new Date(at.getTime() + rules.survey.expiryHours * 3_600_000);
  const remindAt = new Date(at.getTime() + rules.survey.reminderHours * 3_600_000);
  const hasReminder = remindAt < expiresAt;
  const smsId = `${survey.surveyId}#survey`;
  // The digit prompt, or the web survey's link when the survey's source asks for it.
  const invitation = surveyInvitation(deps, survey, expiresAt, at);
  const sms: NewSms = { smsId, to: survey.phone, surveyId: survey.surveyId, rendered: invitation.rendered };
  // Written leased to this step, which delivers it right after: no lease call of its own.
  const lease = leaseAtBirth();
  const sent = await transactIf([
    openOnPhone(phone, survey.surveyId, at),
    updateSurvey(
      survey.surveyId,
      'scheduled',
      {
        status: 'sent',
        sentAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
        ...(hasReminder ? { remindAt: remindAt.toISOString() } : {}),
      },
      { due: hasReminder ? remindAt : expiresAt },
    ),
    ...aggregateUpdates(survey.day, survey, sentDelta()),
    putSms(sms, at, at, lease),
    ...invitation.items,
  ]);
  // Someone else changed the survey or the phone since we read them: the next run re-decides.
  if (!sent) return 'skipped';
  await deliverWrittenLeased(deps, smsMessage(sms), lease);
  return 'surveysSent';
}
