import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { config } from '#shared/config/config';
import { cleanFreeText } from '#shared/domain/free-text';
import { maskPhone, normalizeCnMobile } from '#shared/domain/phone';
import { renderSms, type TemplateId } from '#shared/domain/sms/templates';
import { parseReasons, parseReply } from '#shared/domain/sms-reply-parser';
import { now } from '#shared/runtime/clock';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates, type Counts } from '#shared/store/aggregate';
import { addReasonsToCallback, openCallback, opensCallback } from '#shared/store/callback';
import { inboundHandled, markInbound } from '#shared/store/inbound';
import { putSms, surveyIdForMessage } from '#shared/store/outbox';
import { getPhoneState, type PhoneState, releasePhone, savePhoneState } from '#shared/store/phone-state';
import { getSurvey, OPEN_STATUSES, type SurveyItem, updateSurvey } from '#shared/store/survey';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';
import { answeredClose, replyOnClose } from '#shared/store/work-order-reply';

/** The inbound SMS as AWS End User Messaging publishes it to SNS. */
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

const ratingCounter: Record<1 | 2 | 3, keyof Counts> = {
  1: 'satisfied',
  2: 'basicallySatisfied',
  3: 'dissatisfied',
};

/**
 * One customer reply. Whatever it causes (rating counted, survey closed, phone freed, reply SMS
 * queued) is written in one transaction together with the inbound message id, so the same
 * message delivered twice, or two replies racing for one survey, count once.
 */
export async function handleInboundSms(msg: InboundSms): Promise<InboundOutcome> {
  const phone = normalizeCnMobile(msg.originationNumber);
  if (!phone) {
    logger.warn('inbound sms from a number that is not a mainland mobile; ignored', {
      inboundMessageId: msg.inboundMessageId,
    });
    return 'invalid_number';
  }
  if (await inboundHandled(msg.inboundMessageId)) return 'duplicate';
  const parsed = parseReply(msg.messageBody);

  for (let attempt = 1; ; attempt++) {
    const at = now();
    const state = await getPhoneState(phone);
    const plan =
      parsed.type === 'opt_out' ? await planOptOut(msg, state, at) : await planReply(msg, state, parsed, at);
    try {
      await transact([markInbound(msg.inboundMessageId, plan.outcome, at), ...plan.items]);
    } catch (err) {
      if (!(err instanceof TxConditionFailed)) throw err;
      if (err.failed.includes(0)) return 'duplicate';
      if (attempt >= 5) throw err;
      continue; // the survey or phone changed under us: decide again on fresh state
    }
    for (const smsId of plan.sms) await deliverOutbox(smsId);
    logger.info('inbound sms handled', {
      inboundMessageId: msg.inboundMessageId,
      from: maskPhone(phone),
      outcome: plan.outcome,
    });
    return plan.outcome;
  }
}

export interface Plan {
  outcome: InboundOutcome;
  items: TxItem[];
  sms: string[];
}

function replySms(
  smsId: string,
  to: string,
  template: TemplateId,
  at: Date,
  surveyId?: string,
): { item: TxItem; smsId: string } {
  const rendered = renderSms(template, {}, config.rules.sms.signature);
  return { item: putSms({ smsId, to, rendered, ...(surveyId ? { surveyId } : {}) }, at), smsId };
}

function stateOf(s: PhoneState): Omit<PhoneState, 'pk' | 'sk' | 'version'> {
  const { pk: _pk, sk: _sk, version: _v, ...rest } = s;
  return rest;
}

async function planOptOut(msg: InboundSms, state: PhoneState, at: Date): Promise<Plan> {
  if (state.optedOut) return { outcome: 'already_opted_out', items: [], sms: [] };
  const items: TxItem[] = [];
  const open = state.openSurveyId ? await getSurvey(state.openSurveyId) : undefined;
  if (open && open.status === 'sent') {
    items.push(
      updateSurvey(open.surveyId, 'sent', { status: 'opted_out', closedAt: at.toISOString() }, { due: null }),
      ...aggregateUpdates(open.day, open, { optedOut: 1 }),
      ...replyOnClose(open, { status: 'suppressed', reason: 'opted_out' }, at),
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
  for (const id of state.waiting) {
    items.push(updateSurvey(id, 'waiting', { status: 'scheduled', dueAt: at.toISOString() }, { due: at }));
  }
  const { openSurveyId: _o, ...rest } = stateOf(state);
  items.push(savePhoneState(state, { ...rest, waiting: [], optedOut: true, optedOutAt: at.toISOString() }));
  const confirm = replySms(`${msg.inboundMessageId}#optout`, state.phone, 'opt_out_confirm', at);
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

async function planReply(
  msg: InboundSms,
  state: PhoneState,
  parsed: Exclude<ReturnType<typeof parseReply>, { type: 'opt_out' }>,
  at: Date,
): Promise<Plan> {
  const survey = await findOpenSurvey(msg, state);
  if (!survey) return planNotice(msg, state, at);
  const { rules } = config;
  const iso = at.toISOString();
  if (survey.status === 'awaiting_reasons') return planReasons(msg, state, survey, at);

  if (parsed.type === 'rating') {
    return planRating(survey, state, { rating: parsed.rating, comment: parsed.comment }, at);
  }
  if (survey.reprompts < rules.survey.maxReprompts) {
    const n = survey.reprompts + 1;
    const again = replySms(`${survey.surveyId}#reprompt#${n}`, survey.phone, 'reprompt', at, survey.surveyId);
    return {
      outcome: 'reprompted',
      items: [
        updateSurvey(survey.surveyId, 'sent', { reprompts: n }, { expectReprompts: survey.reprompts }),
        again.item,
      ],
      sms: [again.smsId],
    };
  }
  const thanks = replySms(`${survey.surveyId}#thanks`, survey.phone, 'thanks_comment', at, survey.surveyId);
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
      ...aggregateUpdates(survey.day, survey, { unrated: 1 }),
      ...releasePhone(state, survey.surveyId, at),
      ...replyOnClose(survey, { status: 'answered', comment }, at),
      thanks.item,
    ],
    sms: [thanks.smsId],
  };
}

function planNotice(msg: InboundSms, state: PhoneState, at: Date): Plan {
  const intervalMs = config.rules.sms.noticeIntervalHours * 3_600_000;
  const recent = state.lastNoticeAt && at.getTime() - Date.parse(state.lastNoticeAt) < intervalMs;
  if (state.optedOut || recent) return { outcome: 'no_open_survey', items: [], sms: [] };
  const notice = replySms(`${msg.inboundMessageId}#notice`, state.phone, 'no_open_survey', at);
  return {
    outcome: 'no_open_survey',
    items: [savePhoneState(state, { ...stateOf(state), lastNoticeAt: at.toISOString() }), notice.item],
    sms: [notice.smsId],
  };
}

/** The answer to the reasons question: reasons 1-6 and/or a comment; then thanks, and the phone is free. */
function planReasons(msg: InboundSms, state: PhoneState, survey: SurveyItem, at: Date): Plan {
  const parsed = parseReasons(msg.messageBody);
  const text = msg.messageBody.trim();
  const reasons = parsed?.reasons ?? [];
  const extra = parsed ? parsed.comment : text || undefined;
  const comment = cleanFreeText([survey.comment, extra].filter(Boolean).join(' / ')) || undefined;
  const reasonDelta: Partial<Counts> = Object.fromEntries(reasons.map((r) => [`reason${r}`, 1]));
  const thanks = replySms(
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
      ...(reasons.length ? aggregateUpdates(survey.day, survey, reasonDelta) : []),
      ...(survey.rating && opensCallback(survey.rating)
        ? [addReasonsToCallback(survey.surveyId, reasons, comment, at)]
        : []),
      ...releasePhone(state, survey.surveyId, at),
      ...replyOnClose(survey, { ...answeredClose(survey), reasons, comment }, at),
      thanks.item,
    ],
    sms: [thanks.smsId],
  };
}

export interface Answer {
  rating: 1 | 2 | 3;
  comment?: string;
  /** Given with the rating (web survey): no reasons question follows. */
  reasons?: number[];
}

/**
 * A rating, by SMS or on the web page: counted once with the survey's state change; a 不满意
 * (and a 基本满意 when configured) opens a callback case. A 1, or an answer that already carries
 * its reasons, closes the survey with a thank-you; a 2 or 3 by SMS asks for the reasons first.
 */
export function planRating(survey: SurveyItem, state: PhoneState, answer: Answer, at: Date): Plan {
  const { rules } = config;
  const iso = at.toISOString();
  const { rating } = answer;
  const comment = cleanFreeText(answer.comment ?? '') || undefined;
  const counted = aggregateUpdates(survey.day, survey, {
    responses: 1,
    [ratingCounter[rating]]: 1,
    ...(opensCallback(rating) ? { callbacksOpened: 1 } : {}),
    ...Object.fromEntries((answer.reasons ?? []).map((r) => [`reason${r}`, 1])),
  });
  const callback = opensCallback(rating) ? openCallback(survey, rating, comment, at, answer.reasons) : [];
  // The supervisors' alert goes out with the reply SMS, not a scheduler tick later.
  const alerts = opensCallback(rating) ? [`${survey.surveyId}#opened`] : [];
  const commentIndex =
    rating === 3 ? { gsi2pk: `COMMENTS#${survey.engineerId}`, gsi2sk: `${iso}#${survey.surveyId}` } : {};
  if (rating !== 1 && answer.reasons === undefined) {
    const reasonsDue = new Date(at.getTime() + rules.survey.reasonsTimeoutHours * 3_600_000);
    const ask = replySms(`${survey.surveyId}#reasons`, survey.phone, 'reasons_question', at, survey.surveyId);
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
            ...commentIndex,
          },
          { due: reasonsDue, expectReprompts: survey.reprompts },
        ),
        ...counted,
        ...callback,
        ask.item,
      ],
      sms: [ask.smsId, ...alerts],
    };
  }
  const reasons = answer.reasons?.length ? answer.reasons : undefined;
  const template = rating === 1 ? 'thanks' : rating === 3 ? 'thanks_callback' : 'thanks_reasons';
  const thanks = replySms(`${survey.surveyId}#thanks`, survey.phone, template, at, survey.surveyId);
  return {
    outcome: 'rated',
    items: [
      updateSurvey(
        survey.surveyId,
        'sent',
        { status: 'answered', rating, comment, reasons, answeredAt: iso, closedAt: iso, ...commentIndex },
        { due: null, expectReprompts: survey.reprompts },
      ),
      ...counted,
      ...callback,
      ...releasePhone(state, survey.surveyId, at),
      ...replyOnClose(survey, { status: 'answered', rating, reasons, comment }, at),
      thanks.item,
    ],
    sms: [thanks.smsId, ...alerts],
  };
}
