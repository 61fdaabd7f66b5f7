import { openedAlert, openedAlertId } from '#shared/app/callbacks/alerts';
import { contactDeadline } from '#shared/domain/callbacks';
import type { Rules } from '#shared/domain/rules';
import { putNewCallback } from '#shared/store/callback';
import { putAlert } from '#shared/store/outbox';
import type { SurveyItem } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';

/**
 * Items that open the case for a survey's dissatisfied rating, contact due within the configured
 * hours, and alert the team's supervisors, for the rating's own transaction (so a rating never
 * lacks its case, and never has two). The alert is delivered afterwards by id (`openedAlertId`).
 * A complaint opens through open-complaint.ts (`openComplaint`, with its progress notice).
 */
export function openCallback(
  rules: Rules,
  survey: SurveyItem,
  rating: 1 | 2 | 3 | undefined,
  comment: string | undefined,
  at: Date,
  reasons?: number[],
): TxItem[] {
  const deadline = contactDeadline(rules, at);
  return [
    ...putNewCallback(survey, rating, comment, reasons, at, deadline),
    putAlert(openedAlertId(survey.surveyId), openedAlert(survey, rating, rules), at),
  ];
}
