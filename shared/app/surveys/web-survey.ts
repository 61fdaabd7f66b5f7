import type { Deps } from '#shared/app/deps';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { planRating } from '#shared/app/surveys/record-rating';
import { WEB_TOKEN } from '#shared/app/surveys/survey-invitation';
import { jobLabel } from '#shared/domain/sms/templates';
import type { webAnswerSchema } from '#shared/http/schemas/web-answer';
import { logger } from '#shared/runtime/log';
import type * as z from '#shared/runtime/zod';
import { getPhoneState } from '#shared/store/phone-state';
import { getSurvey, type SurveyItem } from '#shared/store/survey';
import { TxConditionFailed, transact } from '#shared/store/tx';
import { getWebToken, useWebToken, type WebTokenItem } from '#shared/store/web-token';

/**
 * The web survey (the second way to answer): the survey SMS carries a short link
 * `{PUBLIC_BASE_URL}/s/{token}` (survey-invitation.ts); the page asks the same questions and the
 * answer is recorded by `planRating` (record-rating.ts), the one code path SMS ratings take.
 *
 * The token is 96 random bits, not a signed value: it is looked up (store/web-token.ts: token ->
 * surveyId, written in the transaction that sends the survey), so it cannot be guessed, and an
 * altered token is simply unknown. Whether it still works is read from
 * the survey itself (open, not past expiresAt) and from the token item (`usedAt`, set in the
 * answer's own transaction), so it expires with the survey and works once, with no key to manage.
 */

/** Why a web survey can no longer be answered. */
export type ClosedReason = 'answered' | 'expired' | 'cancelled' | 'closed';

/** What the page shows about the survey (never the customer's phone). */
export interface WebSurveyInfo {
  engineerName: string;
  job: string;
  /** Local day of the completion, YYYY-MM-DD. */
  day: string;
}

export type WebSurveyState =
  | { kind: 'not_found' }
  | { kind: 'closed'; reason: ClosedReason; survey: WebSurveyInfo }
  | { kind: 'open'; survey: WebSurveyInfo };

function info(s: SurveyItem): WebSurveyInfo {
  return { engineerName: s.engineerName, job: jobLabel(s.kind), day: s.day };
}

function closedReason(s: SurveyItem, token: WebTokenItem, at: Date): ClosedReason | undefined {
  if (token.usedAt) return 'answered';
  switch (s.status) {
    case 'sent':
      return s.expiresAt && Date.parse(s.expiresAt) <= at.getTime() ? 'expired' : undefined;
    case 'awaiting_reasons': // already rated by SMS
    case 'answered':
      return 'answered';
    case 'expired':
      return 'expired';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'closed';
  }
}

async function load(
  token: string,
  at: Date,
): Promise<
  Exclude<WebSurveyState, { kind: 'open' }> | { kind: 'open'; survey: WebSurveyInfo; item: SurveyItem }
> {
  const tokenItem = WEB_TOKEN.test(token) ? await getWebToken(token) : undefined;
  const survey = tokenItem ? await getSurvey(tokenItem.surveyId) : undefined;
  if (!tokenItem || !survey) return { kind: 'not_found' };
  const reason = closedReason(survey, tokenItem, at);
  return reason
    ? { kind: 'closed', reason, survey: info(survey) }
    : { kind: 'open', survey: info(survey), item: survey };
}

/** GET /s/{token}: whether the page shows the form, and what it says about the survey. */
export async function openWebSurvey(deps: Deps, token: string): Promise<WebSurveyState> {
  const state = await load(token, deps.clock.now());
  return state.kind === 'open' ? { kind: 'open', survey: state.survey } : state;
}

export type WebAnswer = z.infer<ReturnType<typeof webAnswerSchema>>;

export type WebAnswerResult =
  | { kind: 'answered'; rating: 1 | 2 | 3; survey: WebSurveyInfo }
  | Exclude<WebSurveyState, { kind: 'open' }>;

/**
 * POST /s/{token}: records the answer with `planRating` (counted once, callback case opened for a
 * 不满意, survey closed, phone freed, thank-you SMS), in one transaction that also marks the token
 * used; a second answer, or one racing an SMS reply, finds the survey closed.
 */
export async function answerWebSurvey(
  deps: Deps,
  token: string,
  answer: WebAnswer,
): Promise<WebAnswerResult> {
  const rating = answer.rating as 1 | 2 | 3;
  // The reasons question is about 基本满意 and 不满意 only; given with the rating, none follows.
  const reasons = rating === 1 ? [] : [...new Set(answer.reasons)].sort((a, b) => a - b);
  const comment = answer.comment?.trim() || undefined;
  for (let attempt = 1; ; attempt++) {
    const at = deps.clock.now();
    const state = await load(token, at);
    if (state.kind !== 'open') return state;
    const survey = state.item;
    const phone = await getPhoneState(survey.phone);
    const plan = planRating(deps, survey, phone, { rating, reasons, ...(comment ? { comment } : {}) }, at);
    try {
      await transact([useWebToken(token, at), ...plan.items]);
    } catch (err) {
      if (!(err instanceof TxConditionFailed) || attempt >= 5) throw err;
      continue; // the token, survey or phone changed under us: decide again on fresh state
    }
    for (const smsId of plan.sms) await deliverOutbox(deps, smsId);
    logger.info('web survey answered', { surveyId: survey.surveyId, outcome: plan.outcome });
    return { kind: 'answered', rating, survey: state.survey };
  }
}
