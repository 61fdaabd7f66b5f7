import type { Deps } from '#shared/app/deps';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { type AnswerPlan, customerSms } from '#shared/app/surveys/customer-sms';
import { planRating } from '#shared/app/surveys/record-rating';
import { noticeAllowed, opensCallback } from '#shared/domain/callbacks';
import { optedOutDelta, reasonsDelta, unratedDelta } from '#shared/domain/counters';
import { cleanFreeText } from '#shared/domain/free-text';
import { maskPhone, normalizeCnMobile } from '#shared/domain/phone';
import { idForLog } from '#shared/domain/sms/inbound';
import { parseReasons, parseSmsReply } from '#shared/domain/sms/reply-parser';
import { OPEN_STATUSES } from '#shared/domain/types';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { addReasonsToCallback } from '#shared/store/callback';
import { inboundHandled, markInbound } from '#shared/store/inbound';
import { surveyIdForMessage } from '#shared/store/outbox';
import {
  getPhoneState,
  noteNotice,
  optOutPhone,
  type PhoneState,
  releaseTurn,
} from '#shared/store/phone-state';
import { getSurvey, type SurveyItem, updateSurvey } from '#shared/store/survey';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';
import { answeredClose, workOrderReplyOnClose } from '#shared/store/work-order-reply';

/**
 * A customer's SMS reply, from any channel: as AWS End User Messaging publishes it to SNS, or a
 * Chinese provider's push or pull (shared/app/sms/inbox.ts: `inboundMessageId` is then its dedup id).
 */
export interface InboundSms {
  originationNumber: string;
  destinationNumber?: string;
  messageBody: string;
  inboundMessageId: string;
  messageKeyword?: string;
  previousPublishedMessageId?: string;
}

export type InboundOutcome =
  | 'duplicate'
  | 'invalid_number'
  | 'opted_out'
  | 'already_opted_out'
  | 'rated'
  | 'reasons'
  | 'reprompted'
  | 'commented'
  | 'no_open_survey';

/**
 * One customer's SMS reply. Whatever it causes (rating counted, survey closed, phone freed, reply SMS
 * queued) is written in one transaction together with the inbound message id, so the same
 * message delivered twice, or two replies racing for one survey, count once.
 */
export async function handleInboundSms(deps: Deps, msg: InboundSms): Promise<InboundOutcome> {
  const phone = normalizeCnMobile(msg.originationNumber);
  if (!phone) {
    logger.warn('inbound sms from a number that is not a mainland mobile; ignored', {
      inboundMessageId: idForLog(msg.inboundMessageId),
    });
    return 'invalid_number';
  }
  if (await inboundHandled(msg.inboundMessageId)) return 'duplicate';
  const parsed = parseSmsReply(msg.messageBody);

  for (let attempt = 1; ; attempt++) {
    const at = deps.clock.now();
    const state = await getPhoneState(phone);
    const plan =
      parsed.type === 'opt_out'
        ? await planOptOut(deps, msg, state, at)
        : await planSmsAnswer(deps, msg, state, parsed, at);
    try {
      await transact([markInbound(msg.inboundMessageId, plan.outcome, at), ...plan.items]);
    } catch (err) {
      if (!(err instanceof TxConditionFailed)) throw err;
      if (err.failed.includes(0)) return 'duplicate';
      if (attempt >= 5) throw err;
      continue; // the survey or phone changed under us: decide again on fresh state
    }
    for (const smsId of plan.sms) await deliverOutbox(deps, smsId);
    logger.info('inbound sms handled', {
      inboundMessageId: idForLog(msg.inboundMessageId),
      from: maskPhone(phone),
      outcome: plan.outcome,
    });
    return plan.outcome;
  }
}

type Plan = AnswerPlan<InboundOutcome>;

async function planOptOut(deps: Deps, msg: InboundSms, state: PhoneState, at: Date): Promise<Plan> {
  if (state.optedOut) return { outcome: 'already_opted_out', items: [], sms: [] };
  const items: TxItem[] = [];
  const open = state.openSurveyId ? await getSurvey(state.openSurveyId) : undefined;
  if (open && open.status === 'sent') {
    items.push(
      updateSurvey(open.surveyId, 'sent', { status: 'opted_out', closedAt: at.toISOString() }, { due: null }),
      ...aggregateUpdates(open.day, open, optedOutDelta()),
      ...workOrderReplyOnClose(open, { status: 'suppressed', reason: 'opted_out' }, at),
    );
  } else if (open && open.status === 'awaiting_reasons') {
    // already rated: the rating stands, the survey just closes
    items.push(
      updateSurvey(
        open.surveyId,
        'awaiting_reasons',
        { status: 'answered', closedAt: at.toISOString() },
        { due: null },
      ),
    );
  }
  // Queued surveys go back to the scheduler, which suppresses them as opted_out.
  items.push(...optOutPhone(state, at));
  const confirm = customerSms(
    deps.rules,
    `${msg.inboundMessageId}#optout`,
    state.phone,
    'opt_out_confirm',
    at,
  );
  items.push(confirm.item);
  return { outcome: 'opted_out', items, sms: [confirm.smsId] };
}

async function findOpenSurvey(msg: InboundSms, state: PhoneState): Promise<SurveyItem | undefined> {
  if (msg.previousPublishedMessageId) {
    const id = await surveyIdForMessage(msg.previousPublishedMessageId);
    const s = id ? await getSurvey(id) : undefined;
    if (s && OPEN_STATUSES.includes(s.status) && s.phone === state.phone) return s;
  }
  if (!state.openSurveyId) return undefined;
  const s = await getSurvey(state.openSurveyId);
  return s && OPEN_STATUSES.includes(s.status) ? s : undefined;
}

/** A reply to the open survey that is not an opt-out: a rating, the reasons, or text. */
async function planSmsAnswer(
  deps: Deps,
  msg: InboundSms,
  state: PhoneState,
  parsed: Exclude<ReturnType<typeof parseSmsReply>, { type: 'opt_out' }>,
  at: Date,
): Promise<Plan> {
  const survey = await findOpenSurvey(msg, state);
  if (!survey) return planNotice(deps, msg, state, at);
  const { rules } = deps;
  const iso = at.toISOString();
  if (survey.status === 'awaiting_reasons') return planReasons(deps, msg, state, survey, at);

  if (parsed.type === 'rating') {
    return planRating(deps, survey, state, { rating: parsed.rating, comment: parsed.comment }, at);
  }
  if (survey.reprompts < rules.survey.maxReprompts) {
    const n = survey.reprompts + 1;
    const again = customerSms(
      deps.rules,
      `${survey.surveyId}#reprompt#${n}`,
      survey.phone,
      'reprompt',
      at,
      survey.surveyId,
    );
    return {
      outcome: 'reprompted',
      items: [
        updateSurvey(survey.surveyId, 'sent', { reprompts: n }, { expectReprompts: survey.reprompts }),
        again.item,
      ],
      sms: [again.smsId],
    };
  }
  const thanks = customerSms(
    deps.rules,
    `${survey.surveyId}#thanks`,
    survey.phone,
    'thanks_comment',
    at,
    survey.surveyId,
  );
  const comment = cleanFreeText(parsed.text) || undefined;
  return {
    outcome: 'commented',
    items: [
      updateSurvey(
        survey.surveyId,
        'sent',
        { status: 'answered', comment, answeredAt: iso, closedAt: iso },
        { due: null, expectReprompts: survey.reprompts },
      ),
      ...aggregateUpdates(survey.day, survey, unratedDelta()),
      ...releaseTurn(state, survey.surveyId, at),
      ...workOrderReplyOnClose(survey, { status: 'answered', comment }, at),
      thanks.item,
    ],
    sms: [thanks.smsId],
  };
}

function planNotice(deps: Deps, msg: InboundSms, state: PhoneState, at: Date): Plan {
  if (state.optedOut || !noticeAllowed(deps.rules, state.lastNoticeAt, at))
    return { outcome: 'no_open_survey', items: [], sms: [] };
  const notice = customerSms(deps.rules, `${msg.inboundMessageId}#notice`, state.phone, 'no_open_survey', at);
  return {
    outcome: 'no_open_survey',
    items: [noteNotice(state, at), notice.item],
    sms: [notice.smsId],
  };
}

/** The answer to the reasons question: reasons 1-6 and/or a comment; then thanks, and the phone is free. */
function planReasons(deps: Deps, msg: InboundSms, state: PhoneState, survey: SurveyItem, at: Date): Plan {
  const parsed = parseReasons(msg.messageBody);
  const text = msg.messageBody.trim();
  const reasons = parsed?.reasons ?? [];
  const extra = parsed ? parsed.comment : text || undefined;
  const comment = cleanFreeText([survey.comment, extra].filter(Boolean).join(' / ')) || undefined;
  const thanks = customerSms(
    deps.rules,
    `${survey.surveyId}#thanks`,
    survey.phone,
    survey.rating === 3 ? 'thanks_callback' : 'thanks_reasons',
    at,
    survey.surveyId,
  );
  const iso = at.toISOString();
  return {
    outcome: 'reasons',
    items: [
      updateSurvey(
        survey.surveyId,
        'awaiting_reasons',
        { status: 'answered', reasons, comment, reasonsAt: iso, closedAt: iso },
        { due: null },
      ),
      ...(reasons.length ? aggregateUpdates(survey.day, survey, reasonsDelta(reasons)) : []),
      ...(survey.rating && opensCallback(deps.rules, survey.rating)
        ? [addReasonsToCallback(survey.surveyId, reasons, comment, at)]
        : []),
      ...releaseTurn(state, survey.surveyId, at),
      ...workOrderReplyOnClose(survey, { ...answeredClose(survey), reasons, comment }, at),
      thanks.item,
    ],
    sms: [thanks.smsId],
  };
}
