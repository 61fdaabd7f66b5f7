import type { Deps } from '#shared/app/deps';
import { undeliveredDelta } from '#shared/domain/counters';
import { maskPhone } from '#shared/domain/phone';
import {
  closesSurveyWhenUndelivered,
  type InboundReceipt,
  idForLog,
  receiptMayWait,
} from '#shared/domain/sms/inbound';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { inboundHandled, markInbound } from '#shared/store/inbound';
import { getSms, recordDelivery, type SmsItem, smsIdForMessage } from '#shared/store/outbox';
import { getPhoneState, releaseTurn } from '#shared/store/phone-state';
import { getSurvey, updateSurvey } from '#shared/store/survey';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';
import { workOrderReplyOnClose } from '#shared/store/work-order-reply';

type Receipt = InboundReceipt;

/**
 * `wait`: our record of the send is not there yet (kept and retried, up to RECEIPT_WAIT_MS after
 * it was received); `ignored`: not a message of ours (or never recorded in time).
 */
export type ReceiptOutcome = 'delivered' | 'recorded' | 'undelivered' | 'duplicate' | 'ignored' | 'wait';

/**
 * One delivery receipt, applied once (by its dedup id, written in the same transaction): recorded
 * on the SMS; an undelivered invitation or reminder of a survey still open for its answer closes
 * the survey as `undelivered` (counted, out of the response-rate denominator), passes the phone's
 * turn to its next queued survey and tells the work order. Matched by our id (Aliyun OutId) or the
 * provider's (Aliyun BizId, Tencent sid), never by the phone.
 */
export async function applyReceipt(
  deps: Deps,
  receipt: Receipt,
  receivedAt: string,
): Promise<ReceiptOutcome> {
  if (await inboundHandled(receipt.dedupId)) return 'duplicate';
  const found = await findSms(receipt);
  if (found === 'unknown' || (found === 'not_yet' && !receiptMayWait(receivedAt, deps.clock.now()))) {
    logger.warn('delivery receipt for no message of ours; ignored', {
      dedupId: idForLog(receipt.dedupId),
      provider: receipt.provider,
      reason: found,
    });
    return 'ignored';
  }
  if (found === 'not_yet') return 'wait';
  const sms = found;

  for (let attempt = 1; ; attempt++) {
    const at = deps.clock.now();
    const items: TxItem[] = [];
    let outcome: ReceiptOutcome = receipt.delivered ? 'delivered' : 'recorded';
    const survey =
      !receipt.delivered && sms.surveyId && closesSurveyWhenUndelivered(sms.templateId)
        ? await getSurvey(sms.surveyId)
        : undefined;
    if (survey && survey.status === 'sent') {
      const phone = await getPhoneState(survey.phone);
      outcome = 'undelivered';
      items.push(
        updateSurvey(
          survey.surveyId,
          'sent',
          { status: 'undelivered', closedAt: at.toISOString() },
          { due: null, expectReprompts: survey.reprompts },
        ),
        ...aggregateUpdates(survey.day, survey, undeliveredDelta()),
        ...releaseTurn(phone, survey.surveyId, at),
        ...workOrderReplyOnClose(
          survey,
          { status: 'undelivered', ...(receipt.code ? { reason: receipt.code.slice(0, 64) } : {}) },
          at,
        ),
      );
    }
    try {
      await transact([
        markInbound(receipt.dedupId, outcome, at),
        recordDelivery(sms.smsId, { delivered: receipt.delivered, code: receipt.code, at: receipt.at }),
        ...items,
      ]);
    } catch (err) {
      if (!(err instanceof TxConditionFailed)) throw err;
      if (err.failed.includes(0)) return 'duplicate';
      if (attempt >= 5) throw err;
      continue; // the survey or the phone changed under us (answered, expired...): decide again
    }
    logger.info('delivery receipt applied', {
      dedupId: idForLog(receipt.dedupId),
      smsId: sms.smsId,
      to: maskPhone(sms.to),
      outcome,
      ...(outcome === 'undelivered' ? { surveyId: survey?.surveyId } : {}),
    });
    return outcome;
  }
}

/** The SMS a receipt is about; `not_yet` when our record of its send may still come. */
async function findSms(receipt: Receipt): Promise<SmsItem | 'not_yet' | 'unknown'> {
  if (receipt.smsId) {
    const sms = await getSms(receipt.smsId);
    // Our id names a message we wrote before sending it: absent = not ours.
    if (!sms) return 'unknown';
    if (sms.status === 'failed') return 'unknown';
    // Accepted by the provider, not yet recorded as sent by us: the receipt waits for it.
    return sms.status === 'sent' ? sms : 'not_yet';
  }
  return receipt.providerMessageId ? byMessageId(receipt.providerMessageId) : 'unknown';
}

async function byMessageId(messageId: string): Promise<SmsItem | 'not_yet' | 'unknown'> {
  const smsId = await smsIdForMessage(messageId);
  if (!smsId) return 'not_yet';
  return (await getSms(smsId)) ?? 'unknown';
}
