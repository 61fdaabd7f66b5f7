import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { callbackDue } from '#shared/app/callbacks/callbacks';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { surveyInvitation } from '#shared/app/surveys/web-survey';
import { planTicket, recentlySurveyed } from '#shared/app/tickets/complete-ticket';
import { replyDue } from '#shared/app/work-order-replies/deliver';
import { config } from '#shared/config/config';
import { jobLabel, renderSms } from '#shared/domain/sms/templates';
import { isQuietTime, nextAllowedTime } from '#shared/domain/time';
import { now } from '#shared/runtime/clock';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { type DueRef, queryDue } from '#shared/store/due';
import { putSms, type SmsItem } from '#shared/store/outbox';
import { getPhoneState, leaveTurn, releasePhone, savePhoneState } from '#shared/store/phone-state';
import { getSurvey, type SurveyItem, suppressedDelta, updateSurvey } from '#shared/store/survey';
import type { TicketItem } from '#shared/store/ticket';
import { TxConditionFailed, transact } from '#shared/store/tx';
import { answeredClose, replyOnClose } from '#shared/store/work-order-reply';

/** How many due items ended in each outcome (e.g. surveysSent, queued, expired, failed). */
export type DueWorkResult = Record<string, number>;

/** What became of one due item; 'skipped' is not counted. */
type Outcome = string;

/**
 * Handlers of due items by their `type`: each reads the item, decides on fresh state and does
 * its step with a conditional write, returning its outcome.
 */
const dueHandlers: Record<string, (item: any, at: Date) => Promise<Outcome>> = {
  sms: async (item: SmsItem) =>
    item.status !== 'pending' ? 'skipped' : (await deliverOutbox(item.smsId)) ? 'smsDelivered' : 'failed',
  ticket: ticketDue,
  survey: surveyDue,
  work_order_reply: replyDue,
  callback: callbackDue,
};

/**
 * Everything that has fallen due by now: surveys to send (or defer out of quiet hours, or queue
 * behind another open survey on the same phone), open surveys to expire, SMS to (re)deliver.
 * Each step is a conditional transaction, so running this twice, or in two places at once,
 * does each thing once.
 */
export async function runDueWork(
  opts: { concurrency?: number; stopBy?: number } = {},
): Promise<DueWorkResult> {
  const { concurrency = 8, stopBy = Number.POSITIVE_INFINITY } = opts;
  const at = now();
  const refs = await queryDue(at);
  const result: DueWorkResult = { surveysSent: 0, queued: 0, expired: 0, failed: 0 };
  const queue = [...refs];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) {
        if (Date.now() >= stopBy) {
          // Out of time: what is left stays due and the next run takes it.
          result.leftForNextRun = (result.leftForNextRun ?? 0) + 1 + queue.length;
          queue.length = 0;
          break;
        }
        const outcome = await handleDue(ref, at).catch((err: unknown) => {
          logger.error('due work failed; will retry on a later run', { pk: ref.pk, error: err as Error });
          return 'failed' as const;
        });
        if (outcome !== 'skipped') result[outcome] = (result[outcome] ?? 0) + 1;
      }
    }),
  );
  return result;
}

async function handleDue(ref: DueRef, at: Date): Promise<Outcome> {
  const res = await ddb.send(new GetCommand({ TableName: TABLE, Key: ref, ConsistentRead: true }));
  const handler = res.Item ? dueHandlers[res.Item.type as string] : undefined;
  return handler ? await handler(res.Item, at) : 'skipped';
}

/**
 * An accepted completion: planned (survey scheduled or suppressed, figures counted); a survey
 * already due is sent in the same run rather than a minute later.
 */
async function ticketDue(item: TicketItem, at: Date): Promise<Outcome> {
  const survey = await planTicket(item, at);
  if (!survey) return 'skipped';
  if (survey.status === 'scheduled' && Date.parse(survey.dueAt as string) <= at.getTime()) {
    const sent = await surveyDue(survey, at);
    if (sent !== 'skipped') return sent;
  }
  return survey.status === 'suppressed' ? 'suppressed' : 'planned';
}

async function surveyDue(item: SurveyItem, at: Date): Promise<Outcome> {
  if (item.status === 'scheduled' && item.dueAt && Date.parse(item.dueAt) <= at.getTime()) {
    // Another actor may change the phone between our read and our write (two surveys for one
    // phone falling due together): decide again on fresh state a few times.
    let survey: SurveyItem | undefined = item;
    for (let attempt = 0; attempt < 3 && survey?.status === 'scheduled'; attempt++) {
      const outcome = await sendSurvey(survey, at);
      if (outcome !== 'skipped') return outcome;
      survey = await getSurvey(item.surveyId);
    }
    return 'skipped';
  }
  if (item.status === 'sent' && item.expiresAt && Date.parse(item.expiresAt) <= at.getTime()) {
    return await expireSurvey(item, at);
  }
  if (
    item.status === 'sent' &&
    item.remindAt &&
    !item.reminderSentAt &&
    Date.parse(item.remindAt) <= at.getTime()
  ) {
    return await remind(item, at);
  }
  if (
    item.status === 'awaiting_reasons' &&
    item.reasonsDueAt &&
    Date.parse(item.reasonsDueAt) <= at.getTime()
  ) {
    return await closeAwaitingReasons(item, at);
  }
  return 'skipped';
}

async function sendSurvey(survey: SurveyItem, at: Date): Promise<Outcome> {
  const { rules } = config;
  if (isQuietTime(at, rules.sms.quietHours, rules.timeZone)) {
    const next = nextAllowedTime(at, rules.sms.quietHours, rules.timeZone);
    await transact([
      updateSurvey(survey.surveyId, 'scheduled', { dueAt: next.toISOString() }, { due: next }),
    ]);
    return 'deferred';
  }
  const phone = await getPhoneState(survey.phone);
  try {
    if (phone.optedOut) {
      await transact([
        updateSurvey(
          survey.surveyId,
          'scheduled',
          { status: 'suppressed', reason: 'opted_out', closedAt: at.toISOString() },
          { due: null },
        ),
        ...aggregateUpdates(survey.day, survey, suppressedDelta('opted_out')),
        ...replyOnClose(survey, { status: 'suppressed', reason: 'opted_out' }, at),
        ...leaveTurn(phone, survey.surveyId, at),
      ]);
      return 'suppressed';
    }
    if (phone.openSurveyId !== survey.surveyId && recentlySurveyed(phone, at, rules)) {
      await transact([
        updateSurvey(
          survey.surveyId,
          'scheduled',
          { status: 'suppressed', reason: 'recently_surveyed', closedAt: at.toISOString() },
          { due: null },
        ),
        ...aggregateUpdates(survey.day, survey, suppressedDelta('recently_surveyed')),
        ...replyOnClose(survey, { status: 'suppressed', reason: 'recently_surveyed' }, at),
        ...leaveTurn(phone, survey.surveyId, at),
      ]);
      return 'suppressed';
    }
    if (phone.openSurveyId && phone.openSurveyId !== survey.surveyId) {
      const { pk: _pk, sk: _sk, version: _v, ...state } = phone;
      await transact([
        updateSurvey(survey.surveyId, 'scheduled', { status: 'waiting' }, { due: null }),
        savePhoneState(phone, {
          ...state,
          waiting: [...phone.waiting.filter((s) => s !== survey.surveyId), survey.surveyId],
        }),
      ]);
      return 'queued';
    }
    const expiresAt = new Date(at.getTime() + rules.survey.expiryHours * 3_600_000);
    const remindAt = new Date(at.getTime() + rules.survey.reminderHours * 3_600_000);
    const hasReminder = remindAt < expiresAt;
    const smsId = `${survey.surveyId}#survey`;
    // The digit prompt, or the web survey's link when the survey's source asks for it.
    const invitation = surveyInvitation(survey, expiresAt, at);
    const { pk: _pk, sk: _sk, version: _v, ...state } = phone;
    await transact([
      savePhoneState(phone, { ...state, openSurveyId: survey.surveyId, lastSurveyedAt: at.toISOString() }),
      updateSurvey(
        survey.surveyId,
        'scheduled',
        {
          status: 'sent',
          sentAt: at.toISOString(),
          expiresAt: expiresAt.toISOString(),
          ...(hasReminder ? { remindAt: remindAt.toISOString() } : {}),
        },
        { due: hasReminder ? remindAt : expiresAt },
      ),
      ...aggregateUpdates(survey.day, survey, { surveyed: 1 }),
      putSms(
        {
          smsId,
          to: survey.phone,
          surveyId: survey.surveyId,
          rendered: invitation.rendered,
        },
        at,
      ),
      ...invitation.items,
    ]);
    await deliverOutbox(smsId);
    return 'surveysSent';
  } catch (err) {
    // Someone else changed the survey or the phone since we read them: the next run re-decides.
    if (err instanceof TxConditionFailed) return 'skipped';
    throw err;
  }
}

async function expireSurvey(survey: SurveyItem, at: Date): Promise<Outcome> {
  const phone = await getPhoneState(survey.phone);
  try {
    await transact([
      updateSurvey(survey.surveyId, 'sent', { status: 'expired', closedAt: at.toISOString() }, { due: null }),
      ...aggregateUpdates(survey.day, survey, { expired: 1 }),
      ...releasePhone(phone, survey.surveyId, at),
      ...replyOnClose(survey, { status: 'expired' }, at),
    ]);
    return 'expired';
  } catch (err) {
    if (err instanceof TxConditionFailed) return 'skipped';
    throw err;
  }
}

/** One reminder for an unanswered survey, only in allowed hours and only before it expires. */
async function remind(survey: SurveyItem, at: Date): Promise<Outcome> {
  const { rules } = config;
  const expiresAt = new Date(survey.expiresAt as string);
  if (isQuietTime(at, rules.sms.quietHours, rules.timeZone)) {
    const next = nextAllowedTime(at, rules.sms.quietHours, rules.timeZone);
    const skip = next >= expiresAt;
    await transact([
      updateSurvey(
        survey.surveyId,
        'sent',
        skip ? { reminderSentAt: 'skipped' } : { remindAt: next.toISOString() },
        { due: skip ? expiresAt : next },
      ),
    ]);
    return 'deferred';
  }
  const smsId = `${survey.surveyId}#reminder`;
  try {
    await transact([
      updateSurvey(
        survey.surveyId,
        'sent',
        { reminderSentAt: at.toISOString() },
        { due: expiresAt, noReminderYet: true },
      ),
      ...aggregateUpdates(survey.day, survey, { reminded: 1 }),
      putSms(
        {
          smsId,
          to: survey.phone,
          surveyId: survey.surveyId,
          rendered: renderSms(
            'reminder',
            { engineerName: survey.engineerName, job: jobLabel(survey.kind) },
            rules.sms.signature,
          ),
        },
        at,
      ),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed) return 'skipped';
    throw err;
  }
  await deliverOutbox(smsId);
  return 'reminded';
}

/** The customer rated 2 or 3 but gave no reasons in time: the survey closes, its rating stands. */
async function closeAwaitingReasons(survey: SurveyItem, at: Date): Promise<Outcome> {
  const phone = await getPhoneState(survey.phone);
  try {
    await transact([
      updateSurvey(
        survey.surveyId,
        'awaiting_reasons',
        { status: 'answered', closedAt: at.toISOString() },
        { due: null },
      ),
      ...releasePhone(phone, survey.surveyId, at),
      ...replyOnClose(survey, answeredClose(survey), at),
    ]);
    return 'reasonsClosed';
  } catch (err) {
    if (err instanceof TxConditionFailed) return 'skipped';
    throw err;
  }
}
