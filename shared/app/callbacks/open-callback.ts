import { openedAlert, openedAlertId } from '#shared/app/callbacks/alerts';
import { contactDeadline } from '#shared/domain/callbacks';
import { progressNoticeAt } from '#shared/domain/case-loop';
import type { Rules } from '#shared/domain/rules';
import type { CaseKind } from '#shared/domain/types';
import { putNewCallback } from '#shared/store/callback';
import { putCaseProgress } from '#shared/store/case-progress';
import { putAlert } from '#shared/store/outbox';
import type { SurveyItem } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';

/**
 * Items that open the case for a survey, contact due within the configured hours, and alert
 * the team's supervisors, for the rating's own transaction (so a rating never lacks its case, and
 * never has two). The alert is delivered afterwards by id (`openedAlertId`). A complaint
 * (`opts.caseKind: 'complaint'`, with or without a rating) also gets its one progress notice,
 * due `complaints.progressNoticeHours` later (domain/case-loop.ts `progressNoticeAt`).
 */
export function openCallback(
  rules: Rules,
  survey: SurveyItem,
  rating: 1 | 2 | 3 | undefined,
  comment: string | undefined,
  at: Date,
  reasons?: number[],
  opts: { caseKind?: CaseKind } = {},
): TxItem[] {
  const deadline = contactDeadline(rules, at);
  return [
    putNewCallback(survey, rating, comment, reasons, at, deadline, opts),
    putAlert(openedAlertId(survey.surveyId), openedAlert(survey, rating, rules, opts.caseKind), at),
    ...(opts.caseKind === 'complaint'
      ? [putCaseProgress(survey.surveyId, progressNoticeAt(rules, at), at)]
      : []),
  ];
}
