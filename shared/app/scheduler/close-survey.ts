import type { Outcome } from '#shared/app/scheduler/outcome';
import { expiredDelta } from '#shared/domain/counters';
import { aggregateUpdates } from '#shared/store/aggregate';
import { getPhoneState, releaseTurn } from '#shared/store/phone-state';
import { type SurveyItem, updateSurvey } from '#shared/store/survey';
import { transactIf } from '#shared/store/tx';
import { answeredClose, workOrderReplyOnClose } from '#shared/store/work-order-reply';

/** A sent survey nobody answered in time: expired, the phone's turn passed on. */
export async function expireSurvey(survey: SurveyItem, at: Date): Promise<Outcome> {
  const phone = await getPhoneState(survey.phone);
  const closed = await transactIf([
    updateSurvey(survey.surveyId, 'sent', { status: 'expired', closedAt: at.toISOString() }, { due: null }),
    ...aggregateUpdates(survey.day, survey, expiredDelta()),
    ...releaseTurn(phone, survey.surveyId, at),
    ...workOrderReplyOnClose(survey, { status: 'expired' }, at),
  ]);
  return closed ? 'expired' : 'skipped';
}

/** The customer rated 2 or 3 but gave no reasons in time: the survey closes, its rating stands. */
export async function closeAwaitingReasons(survey: SurveyItem, at: Date): Promise<Outcome> {
  const phone = await getPhoneState(survey.phone);
  const closed = await transactIf([
    updateSurvey(
      survey.surveyId,
      'awaiting_reasons',
      { status: 'answered', closedAt: at.toISOString() },
      { due: null },
    ),
    ...releaseTurn(phone, survey.surveyId, at),
    ...workOrderReplyOnClose(survey, answeredClose(survey), at),
  ]);
  return closed ? 'reasonsClosed' : 'skipped';
}
