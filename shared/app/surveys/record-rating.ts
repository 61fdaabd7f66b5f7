import { complaintAlertId, openedAlertId } from '#shared/app/callbacks/alerts';
import { openCallback } from '#shared/app/callbacks/open-callback';
import { openComplaint, surveyOwner } from '#shared/app/callbacks/open-complaint';
import type { Deps } from '#shared/app/deps';
import { type AnswerPlan, customerSms } from '#shared/app/surveys/customer-sms';
import { opensCallback } from '#shared/domain/callbacks';
import { ratingDelta } from '#shared/domain/counters';
import { cleanFreeText } from '#shared/domain/free-text';
import { noticeSms } from '#shared/domain/sms/notices';
import type { Rating } from '#shared/domain/types';
import { aggregateUpdates } from '#shared/store/aggregate';
import { commentListing } from '#shared/store/comment';
import { type PhoneState, releaseTurn } from '#shared/store/phone-state';
import { type SurveyItem, updateSurvey } from '#shared/store/survey';
import { workOrderReplyOnClose } from '#shared/store/work-order-reply';

/**
 * The step that records a rating, shared by the two ways to answer a survey: an SMS reply
 * (handle-inbound-sms.ts) and the web survey (web-survey.ts).
 */

export interface Answer {
  rating: Rating;
  comment?: string;
  /** Given with the rating (web survey): no reasons question follows. */
  reasons?: number[];
  /**
   * The text also expresses a complaint ("3 我要投诉", domain/complaints.ts): the rating counts and
   * the one case it opens is a complaint (whatever the rating), with a `complaint_opened` alert.
   */
  complaint?: boolean;
}

/**
 * A rating, by SMS or on the web page: counted once with the survey's state change; a 不满意
 * (and a 基本满意 when configured) opens a callback case. A 1, or an answer that already carries
 * its reasons, closes the survey with a thank-you; a 2 or 3 by SMS asks for the reasons first.
 */
export function planRating(
  deps: Deps,
  survey: SurveyItem,
  state: PhoneState,
  answer: Answer,
  at: Date,
): AnswerPlan<'rated'> {
  const { rules } = deps;
  const iso = at.toISOString();
  const { rating } = answer;
  const comment = cleanFreeText(answer.comment ?? '') || undefined;
  const complaint = answer.complaint === true;
  const opens = !complaint && opensCallback(rules, rating);
  const counted = aggregateUpdates(
    survey.day,
    survey,
    ratingDelta(rating, {
      opensCallback: opens,
      complaint,
      reasons: answer.reasons ?? [],
      kind: survey.kind,
    }),
  );
  const callback = complaint
    ? openComplaint(
        rules,
        {
          ...surveyOwner(survey),
          caseId: survey.surveyId,
          surveyId: survey.surveyId,
          phone: survey.phone,
          rating,
          ...(comment ? { comment } : {}),
          ...(answer.reasons?.length ? { reasons: answer.reasons } : {}),
        },
        at,
      )
    : opens
      ? openCallback(rules, survey, rating, comment, at, answer.reasons)
      : [];
  // The supervisors' alert goes out with the reply SMS, not a scheduler tick later.
  const alerts = complaint
    ? [complaintAlertId(survey.surveyId)]
    : opens
      ? [openedAlertId(survey.surveyId)]
      : [];
  const listing = rating === 3 ? commentListing(survey, at) : undefined;
  if (rating !== 1 && answer.reasons === undefined) {
    const reasonsDue = new Date(at.getTime() + rules.survey.reasonsTimeoutHours * 3_600_000);
    const ask = customerSms(
      deps.rules,
      `${survey.surveyId}#reasons`,
      survey.phone,
      'reasons_question',
      at,
      survey.surveyId,
    );
    return {
      outcome: 'rated',
      items: [
        updateSurvey(
          survey.surveyId,
          'sent',
          {
            status: 'awaiting_reasons',
            rating,
            comment,
            answeredAt: iso,
            reasonsDueAt: reasonsDue.toISOString(),
          },
          { due: reasonsDue, expectReprompts: survey.reprompts, ...(listing ? { listing } : {}) },
        ),
        ...counted,
        ...callback,
        ask.item,
      ],
      sms: [ask.smsId, ...alerts],
    };
  }
  const reasons = answer.reasons?.length ? answer.reasons : undefined;
  const closing = complaint
    ? noticeSms(rules, 'complaint_received')
    : rating === 3
      ? noticeSms(rules, 'thanks_callback')
      : { template: rating === 1 ? ('thanks' as const) : ('thanks_reasons' as const), vars: {} };
  const thanks = customerSms(
    deps.rules,
    `${survey.surveyId}#thanks`,
    survey.phone,
    closing.template,
    at,
    survey.surveyId,
    closing.vars,
  );
  return {
    outcome: 'rated',
    items: [
      updateSurvey(
        survey.surveyId,
        'sent',
        { status: 'answered', rating, comment, reasons, answeredAt: iso, closedAt: iso },
        { due: null, expectReprompts: survey.reprompts, ...(listing ? { listing } : {}) },
      ),
      ...counted,
      ...callback,
      ...releaseTurn(state, survey.surveyId, at),
      ...workOrderReplyOnClose(survey, { status: 'answered', rating, reasons, comment }, at),
      thanks.item,
    ],
    sms: [thanks.smsId, ...alerts],
  };
}
