import { randomBytes } from 'node:crypto';
import type { Deps } from '#shared/app/deps';
import { smsSegments } from '#shared/domain/sms/segments';
import { jobLabel, renderSms } from '#shared/domain/sms/templates';
import { logger } from '#shared/runtime/log';
import type { SurveyItem } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';
import { putWebToken } from '#shared/store/web-token';

/**
 * The step that words a survey's invitation, for the scheduler's send: the digit prompt, or the
 * web survey's link (web-survey.ts) with the token item to write in the send's transaction.
 */

/**
 * A web survey token: 96 random bits (16 base64url characters), not a signed value. It is looked
 * up (store/web-token.ts), so it cannot be guessed, and an altered token is simply unknown.
 */
const TOKEN_BYTES = 12;
/** 16 base64url characters. */
export const WEB_TOKEN = /^[A-Za-z0-9_-]{16}$/;

export function newWebToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function webSurveyLink(token: string, base: string): string {
  return `${base.replace(/\/+$/, '')}/s/${token}`;
}

export type Rendered = ReturnType<typeof renderSms>;

/**
 * The survey SMS for `survey` and the items to write with it. When the survey's source has
 * `webSurvey` and a public base URL is configured, a new token's link (template `survey_link`),
 * provided the message still fits one segment; otherwise the digit prompt (template `survey`).
 * Replying by SMS works in both cases.
 */
export function surveyInvitation(
  deps: Deps,
  survey: SurveyItem,
  surveyExpiresAt: Date,
  at: Date,
): { rendered: Rendered; items: TxItem[] } {
  const { rules } = deps;
  const base = deps.config.PUBLIC_BASE_URL;
  const vars = { engineerName: survey.engineerName, job: jobLabel(survey.kind) };
  if (rules.sources[survey.source]?.webSurvey) {
    if (base) {
      const token = newWebToken();
      const rendered = renderSms(
        'survey_link',
        { ...vars, link: webSurveyLink(token, base) },
        rules.sms.signature,
        rules.sms.optOutHint,
      );
      if (smsSegments(rendered.body) === 1) {
        return { rendered, items: [putWebToken(token, survey.surveyId, surveyExpiresAt, at)] };
      }
      logger.warn('web survey link does not fit one SMS segment; sending the digit prompt', {
        surveyId: survey.surveyId,
        length: rendered.body.length,
      });
    } else {
      logger.warn('source has webSurvey but PUBLIC_BASE_URL is not set; sending the digit prompt', {
        surveyId: survey.surveyId,
        source: survey.source,
      });
    }
  }
  return { rendered: renderSms('survey', vars, rules.sms.signature, rules.sms.optOutHint), items: [] };
}
