import { complaintAlertId } from '#shared/app/callbacks/alerts';
import {
  type Owner,
  openComplaint,
  ownerWithoutSurvey,
  surveyOwner,
  upgradeComplaint,
} from '#shared/app/callbacks/open-complaint';
import type { Deps } from '#shared/app/deps';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { type AnswerPlan, customerSms } from '#shared/app/surveys/customer-sms';
import { planRating } from '#shared/app/surveys/record-rating';
import { noticeAllowed } from '#shared/domain/callbacks';
import { complaintCaseId, complaintIntent } from '#shared/domain/complaints';
import {
  complaintOpenedDelta,
  optedOutDelta,
  reasonsDelta,
  sumDeltas,
  unratedDelta,
} from '#shared/domain/counters';
import { cleanFreeText } from '#shared/domain/free-text';
import { maskPhone, normalizeCnMobile } from '#shared/domain/phone';
import { idForLog } from '#shared/domain/sms/inbound';
import { noticeSms } from '#shared/domain/sms/notices';
import { parseReasons, parseSmsReply } from '#shared/domain/sms/reply-parser';
import { OPEN_STATUSES } from '#shared/domain/types';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { addReasonsToCallback, getCallback } from '#shared/store/callback';
import { putCustomerText, textIdFor } from '#shared/store/customer-text';
import { inboundHandled, markInbound } from '#shared/store/inbound';
import { surveyIdForMessage } from '#shared/store/outbox';
import {
  getPhoneState,
  noteNotice,
  optOutPhone,
  type PhoneState,
  phoneUnchanged,
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
  | 'complaint'
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
  // A complaint is read from words, never from a digit alone (domain/complaints.ts).
  const complaint = parsed.type !== 'opt_out' && complaintIntent(deps.rules, msg.messageBody);

  for (let attempt = 1; ; attempt++) {
    const at = deps.clock.now();
    const state = await getPhoneState(phone);
    const plan =
      parsed.type === 'opt_out'
        ? await planOptOut(deps, msg, state, at)
        : await planSmsAnswer(deps, msg, state, parsed, complaint, at);
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

/**
 * The record of a customer's text (store/customer-text.ts): every text that is neither a rating
 * nor an opt-out (nor the reasons answer the survey keeps), and every complaint, cleaned; listed
 * for managers under its owner's team and region. Nothing when nothing is left once cleaned.
 */
function keepText(
  msg: InboundSms,
  phone: string,
  at: Date,
  owner: Owner,
  kept: { outcome: InboundOutcome; complaint?: boolean; caseId?: string },
): TxItem[] {
  const text = cleanFreeText(msg.messageBody);
  if (!text) return [];
  const { day: _day, kind: _kind, surveyId, ...where } = owner;
  return [
    putCustomerText({
      textId: textIdFor(msg.inboundMessageId),
      inboundMessageId: msg.inboundMessageId,
      receivedAt: at.toISOString(),
      phone,
      text,
      textKind: kept.complaint ? 'complaint' : 'text',
      outcome: kept.outcome,
      ...(surveyId ? { surveyId } : {}),
      ...(kept.caseId ? { caseId: kept.caseId } : {}),
      ...where,
    }),
  ];
}

/** A reply to the open survey that is not an opt-out: a rating, the reasons, a complaint or text. */
async function planSmsAnswer(
  deps: Deps,
  msg: InboundSms,
  state: PhoneState,
  parsed: Exclude<ReturnType<typeof parseSmsReply>, { type: 'opt_out' }>,
  complaint: boolean,
  at: Date,
): Promise<Plan> {
  const survey = await findOpenSurvey(msg, state);
  if (!survey) return planWithoutSurvey(deps, msg, state, complaint, at);
  const { rules } = deps;
  const iso = at.toISOString();
  if (survey.status === 'awaiting_reasons') return planReasons(deps, msg, state, survey, complaint, at);

  if (parsed.type === 'rating') {
    // "3 我要投诉": the rating counts, and the one case it opens is a complaint.
    const rated = planRating(
      deps,
      survey,
      state,
      { rating: parsed.rating, comment: parsed.comment, complaint },
      at,
    );
    if (!complaint) return rated;
    const kept = keepText(msg, state.phone, at, surveyOwner(survey), {
      outcome: 'rated',
      complaint,
      caseId: survey.surveyId,
    });
    return { ...rated, items: [...rated.items, ...kept] };
  }
  if (complaint) return planComplaintOnSurvey(deps, msg, state, survey, parsed.text, at);
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
        // the unreadable text is kept too, not only re-prompted
        ...keepText(msg, state.phone, at, surveyOwner(survey), { outcome: 'reprompted' }),
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
      closeUnrated(survey, comment, iso),
      ...aggregateUpdates(survey.day, survey, unratedDelta()),
      ...releaseTurn(state, survey.surveyId, at),
      ...workOrderReplyOnClose(survey, { status: 'answered', comment }, at),
      thanks.item,
      ...keepText(msg, state.phone, at, surveyOwner(survey), { outcome: 'commented' }),
    ],
    sms: [thanks.smsId],
  };
}

/**
 * A complaint in words, no rating, while the survey waits for one: the survey closes answered
 * without a rating (the text its comment: nobody is re-prompted for a digit while complaining),
 * and one complaint case opens on it with the supervisors' alert; the customer is told it is
 * registered and when they will be contacted.
 */
function planComplaintOnSurvey(
  deps: Deps,
  msg: InboundSms,
  state: PhoneState,
  survey: SurveyItem,
  text: string,
  at: Date,
): Plan {
  const iso = at.toISOString();
  const comment = cleanFreeText(text) || undefined;
  const notice = noticeSms(deps.rules, 'complaint_received');
  const ack = customerSms(
    deps.rules,
    `${survey.surveyId}#thanks`,
    survey.phone,
    notice.template,
    at,
    survey.surveyId,
    notice.vars,
  );
  const owner = surveyOwner(survey);
  return {
    outcome: 'complaint',
    items: [
      closeUnrated(survey, comment, iso),
      ...aggregateUpdates(survey.day, survey, sumDeltas(unratedDelta(), complaintOpenedDelta())),
      ...openComplaint(
        deps.rules,
        {
          ...owner,
          caseId: survey.surveyId,
          surveyId: survey.surveyId,
          phone: survey.phone,
          ...(comment ? { comment } : {}),
        },
        at,
      ),
      ...releaseTurn(state, survey.surveyId, at),
      ...workOrderReplyOnClose(survey, { status: 'answered', comment }, at),
      ack.item,
      ...keepText(msg, state.phone, at, owner, {
        outcome: 'complaint',
        complaint: true,
        caseId: survey.surveyId,
      }),
    ],
    sms: [ack.smsId, complaintAlertId(survey.surveyId)],
  };
}

/**
 * A text with no survey open on the phone: always kept (attributed to the phone's last surveyed
 * ticket within 30 days, else to nobody). A complaint opens its case (`CMP-...`, from the message
 * id) with the alert and is acknowledged; any other text gets the rate-limited notice.
 */
async function planWithoutSurvey(
  deps: Deps,
  msg: InboundSms,
  state: PhoneState,
  complaint: boolean,
  at: Date,
): Promise<Plan> {
  const { rules } = deps;
  const owner = await ownerWithoutSurvey(rules, state, at);
  if (complaint) {
    const caseId = complaintCaseId(msg.inboundMessageId);
    const comment = cleanFreeText(msg.messageBody) || undefined;
    const { day, surveyId: _none, ...who } = owner;
    const counted = owner.engineerId ? aggregateUpdates(day, owner, complaintOpenedDelta()) : [];
    const notice = noticeSms(rules, 'complaint_received');
    const ack = state.optedOut
      ? undefined
      : customerSms(
          rules,
          `${msg.inboundMessageId}#complaint`,
          state.phone,
          notice.template,
          at,
          undefined,
          notice.vars,
        );
    return {
      outcome: 'complaint',
      items: [
        ...openComplaint(
          rules,
          { ...who, day, caseId, surveyId: '', phone: state.phone, ...(comment ? { comment } : {}) },
          at,
        ),
        ...counted,
        ...keepText(msg, state.phone, at, owner, { outcome: 'complaint', complaint: true, caseId }),
        // decided on the phone as read (no survey open): a survey sent meanwhile decides again
        phoneUnchanged(state),
        ...(ack ? [ack.item] : []),
      ],
      sms: [...(ack ? [ack.smsId] : []), complaintAlertId(caseId)],
    };
  }
  const kept = keepText(msg, state.phone, at, owner, { outcome: 'no_open_survey' });
  if (state.optedOut || !noticeAllowed(rules, state.lastNoticeAt, at))
    return { outcome: 'no_open_survey', items: kept, sms: [] };
  const n = noticeSms(rules, 'no_open_survey');
  const notice = customerSms(
    rules,
    `${msg.inboundMessageId}#notice`,
    state.phone,
    n.template,
    at,
    undefined,
    n.vars,
  );
  return {
    outcome: 'no_open_survey',
    items: [noteNotice(state, at), notice.item, ...kept],
    sms: [notice.smsId],
  };
}

/**
 * The answer to the reasons question: reasons 1-6 and/or a comment; then thanks, and the phone is
 * free. A complaint here makes the survey's case a complaint (one case per survey: a dissatisfied
 * case still being worked becomes one; with no case, or a closed one, a complaint case opens).
 */
async function planReasons(
  deps: Deps,
  msg: InboundSms,
  state: PhoneState,
  survey: SurveyItem,
  complaint: boolean,
  at: Date,
): Promise<Plan> {
  const { rules } = deps;
  const parsed = parseReasons(msg.messageBody);
  const text = msg.messageBody.trim();
  const reasons = parsed?.reasons ?? [];
  const extra = parsed ? parsed.comment : text || undefined;
  const comment = cleanFreeText([survey.comment, extra].filter(Boolean).join(' / ')) || undefined;
  const existing = await getCallback(survey.surveyId);
  const open = existing && existing.status !== 'closed' ? existing : undefined;

  const caseItems: TxItem[] = [];
  const alerts: string[] = [];
  let counted = reasonsDelta(reasons);
  let caseId: string | undefined = existing?.caseId;
  if (complaint && open && open.caseKind !== 'complaint') {
    const upgrade = upgradeComplaint(rules, open, { reasons, comment }, at);
    caseItems.push(...upgrade.items);
    alerts.push(complaintAlertId(open.caseId));
    counted = sumDeltas(counted, upgrade.delta);
  } else if (complaint && !open) {
    caseId = existing ? complaintCaseId(msg.inboundMessageId) : survey.surveyId;
    caseItems.push(
      ...openComplaint(
        rules,
        {
          ...surveyOwner(survey),
          caseId,
          surveyId: existing ? '' : survey.surveyId,
          phone: survey.phone,
          ...(survey.rating ? { rating: survey.rating } : {}),
          ...(reasons.length ? { reasons } : {}),
          ...(comment ? { comment } : {}),
        },
        at,
      ),
    );
    alerts.push(complaintAlertId(caseId));
    counted = sumDeltas(counted, complaintOpenedDelta());
  } else if (existing) {
    caseItems.push(addReasonsToCallback(existing.caseId, reasons, comment, at));
  }
  const isComplaint = complaint || existing?.caseKind === 'complaint';
  const closing = isComplaint
    ? noticeSms(rules, 'complaint_received')
    : survey.rating === 3
      ? noticeSms(rules, 'thanks_callback')
      : { template: 'thanks_reasons' as const, vars: {} };
  const thanks = customerSms(
    rules,
    `${survey.surveyId}#thanks`,
    survey.phone,
    closing.template,
    at,
    survey.surveyId,
    closing.vars,
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
      ...(Object.keys(counted).length ? aggregateUpdates(survey.day, survey, counted) : []),
      ...caseItems,
      ...releaseTurn(state, survey.surveyId, at),
      ...workOrderReplyOnClose(survey, { ...answeredClose(survey), reasons, comment }, at),
      thanks.item,
      ...(complaint
        ? keepText(msg, state.phone, at, surveyOwner(survey), {
            outcome: 'reasons',
            complaint,
            ...(caseId ? { caseId } : {}),
          })
        : []),
    ],
    sms: [thanks.smsId, ...alerts],
  };
}

/** The survey closed answered without a rating, the customer's text its comment. */
function closeUnrated(survey: SurveyItem, comment: string | undefined, iso: string): TxItem {
  return updateSurvey(
    survey.surveyId,
    'sent',
    { status: 'answered', comment, answeredAt: iso, closedAt: iso },
    { due: null, expectReprompts: survey.reprompts },
  );
}
