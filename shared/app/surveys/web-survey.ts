import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { planRating } from '#shared/app/surveys/handle-inbound-sms';
import { config } from '#shared/config/config';
import { smsSegments } from '#shared/domain/sms/segments';
import { jobLabel, renderSms } from '#shared/domain/sms/templates';
import { reasonCodes, webAnswerSchema } from '#shared/http/schemas/web-answer';
import { now } from '#shared/runtime/clock';
import { logger } from '#shared/runtime/log';
import { ddb, TABLE } from '#shared/store/client';
import { getPhoneState } from '#shared/store/phone-state';
import { getSurvey, type SurveyItem } from '#shared/store/survey';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';

export { reasonCodes, webAnswerSchema };

/**
 * The web survey (the second way to answer): the survey SMS carries a short link
 * `{PUBLIC_BASE_URL}/s/{token}`; the page asks the same questions and the answer is recorded by
 * `planRating`, the one code path SMS ratings take.
 *
 * The token is 96 random bits (16 base64url characters), not a signed value: it is looked up
 * (`WEBTOKEN#{token}` -> surveyId, written in the transaction that sends the survey), so it
 * cannot be guessed, and an altered token is simply unknown. Whether it still works is read from
 * the survey itself (open, not past expiresAt) and from the token item (`usedAt`, set in the
 * answer's own transaction), so it expires with the survey and works once, with no key to manage.
 */

const TOKEN_BYTES = 12;
/** 16 base64url characters. */
export const WEB_TOKEN = /^[A-Za-z0-9_-]{16}$/;
/** The lookup item outlives the survey this long, so a late visitor still gets "already closed". */
const KEEP_AFTER_EXPIRY_SECONDS = 90 * 24 * 3600;

export interface WebTokenItem {
  pk: string;
  sk: 'WEBTOKEN';
  type: 'web_token';
  surveyId: string;
  createdAt: string;
  usedAt?: string;
  /** TTL (epoch seconds). */
  ttl: number;
}

export const webTokenKey = (token: string) => ({ pk: `WEBTOKEN#${token}`, sk: 'WEBTOKEN' as const });

export function newWebToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function webSurveyLink(token: string, base: string): string {
  return `${base.replace(/\/+$/, '')}/s/${token}`;
}

/** The item that makes `token` lead to the survey; conditional so a token is never reused. */
export function putWebToken(token: string, surveyId: string, surveyExpiresAt: Date, at: Date): TxItem {
  const item: WebTokenItem = {
    ...webTokenKey(token),
    type: 'web_token',
    surveyId,
    createdAt: at.toISOString(),
    ttl: Math.floor(surveyExpiresAt.getTime() / 1000) + KEEP_AFTER_EXPIRY_SECONDS,
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Marks the token used, in the answer's transaction: it succeeds once. */
function useWebToken(token: string, at: Date): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: webTokenKey(token),
      UpdateExpression: 'SET usedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
      ExpressionAttributeValues: { ':at': at.toISOString() },
    },
  };
}

async function getWebToken(token: string): Promise<WebTokenItem | undefined> {
  if (!WEB_TOKEN.test(token)) return undefined;
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: webTokenKey(token), ConsistentRead: true }),
  );
  return res.Item as WebTokenItem | undefined;
}

export type Rendered = ReturnType<typeof renderSms>;

/**
 * The survey SMS for `survey` and the items to write with it. When the survey's source has
 * `webSurvey` and a public base URL is configured, a new token's link (template `survey_link`),
 * provided the message still fits one segment; otherwise the digit prompt (template `survey`).
 * Replying by SMS works in both cases.
 */
export function surveyInvitation(
  survey: SurveyItem,
  surveyExpiresAt: Date,
  at: Date,
): { rendered: Rendered; items: TxItem[] } {
  const { rules, PUBLIC_BASE_URL: base } = config;
  const vars = { engineerName: survey.engineerName, job: jobLabel(survey.kind) };
  if (rules.sources[survey.source]?.webSurvey) {
    if (base) {
      const token = newWebToken();
      const rendered = renderSms(
        'survey_link',
        { ...vars, link: webSurveyLink(token, base) },
        rules.sms.signature,
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
  return { rendered: renderSms('survey', vars, rules.sms.signature), items: [] };
}

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
  const tokenItem = await getWebToken(token);
  const survey = tokenItem ? await getSurvey(tokenItem.surveyId) : undefined;
  if (!tokenItem || !survey) return { kind: 'not_found' };
  const reason = closedReason(survey, tokenItem, at);
  return reason
    ? { kind: 'closed', reason, survey: info(survey) }
    : { kind: 'open', survey: info(survey), item: survey };
}

/** GET /s/{token}: whether the page shows the form, and what it says about the survey. */
export async function openWebSurvey(token: string): Promise<WebSurveyState> {
  const state = await load(token, now());
  return state.kind === 'open' ? { kind: 'open', survey: state.survey } : state;
}

export type WebAnswer = z.infer<typeof webAnswerSchema>;

export type WebAnswerResult =
  | { kind: 'answered'; rating: 1 | 2 | 3; survey: WebSurveyInfo }
  | Exclude<WebSurveyState, { kind: 'open' }>;

/**
 * POST /s/{token}: records the answer with `planRating` (counted once, callback case opened for a
 * 不满意, survey closed, phone freed, thank-you SMS), in one transaction that also marks the token
 * used; a second answer, or one racing an SMS reply, finds the survey closed.
 */
export async function answerWebSurvey(token: string, answer: WebAnswer): Promise<WebAnswerResult> {
  const rating = answer.rating as 1 | 2 | 3;
  // The reasons question is about 基本满意 and 不满意 only; given with the rating, none follows.
  const reasons = rating === 1 ? [] : [...new Set(answer.reasons)].sort((a, b) => a - b);
  const comment = answer.comment?.trim() || undefined;
  for (let attempt = 1; ; attempt++) {
    const at = now();
    const state = await load(token, at);
    if (state.kind !== 'open') return state;
    const survey = state.item;
    const phone = await getPhoneState(survey.phone);
    const plan = planRating(survey, phone, { rating, reasons, ...(comment ? { comment } : {}) }, at);
    try {
      await transact([useWebToken(token, at), ...plan.items]);
    } catch (err) {
      if (!(err instanceof TxConditionFailed) || attempt >= 5) throw err;
      continue; // the token, survey or phone changed under us: decide again on fresh state
    }
    for (const smsId of plan.sms) await deliverOutbox(smsId);
    logger.info('web survey answered', { surveyId: survey.surveyId, outcome: plan.outcome });
    return { kind: 'answered', rating, survey: state.survey };
  }
}
