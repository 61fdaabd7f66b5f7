import type { Deps } from '#shared/app/deps';
import { maskPhone } from '#shared/domain/phone';
import { DEFAULT_OPT_OUT_HINT, recoverSmsParams } from '#shared/domain/sms/templates';
import type { SmsSendResult } from '#shared/gateways/sms';
import { logger } from '#shared/runtime/log';
import {
  leaseOutboxMessage,
  type OutboxMessage,
  recordOutboxFailed,
  recordOutboxSent,
  releaseOutboxLease,
  renewOutboxLease,
} from '#shared/store/outbox';

const LEASE_MS = 60_000;
/**
 * The least lease a send may start with: longer than any gateway call takes (Tencent's request
 * timeout is 10 s; the SDKs' own are shorter), so that a lease never lapses during a send.
 */
const SEND_WINDOW_MS = 30_000;

/**
 * Delivers one pending outbox message (an SMS through the SMS gateway, an alert through the
 * alerts gateway). A short lease (real time) keeps two workers from sending it at once; the send
 * is recorded right after the gateway accepts it. Only a crash between the gateway's acceptance
 * and that record can send a message twice (the lease then lapses and it is retried).
 * Returns false when the message was not delivered now (already sent, leased, or the gateway
 * failed: a transient failure is retried by the scheduler, a permanent one is recorded as failed).
 */
export async function deliverOutbox(deps: Deps, smsId: string): Promise<boolean> {
  const nowMs = Date.now();
  const leaseUntil = nowMs + LEASE_MS;
  const message = await leaseOutboxMessage(smsId, nowMs, leaseUntil);
  if (!message) return false;
  return await deliverLeased(deps, message, leaseUntil);
}

/**
 * Until when (epoch ms, real time) a message written leased is held by the step writing it
 * (store/outbox.ts `putSms`): the same lease as `deliverOutbox` takes. Read it just before the
 * transaction that writes the message.
 */
export const leaseAtBirth = (): number => Date.now() + LEASE_MS;

/**
 * Delivers a message the calling step wrote leased to itself (`leaseAtBirth`, read before its
 * transaction), right after that transaction committed. A commit that came late (retries under
 * throttling) may leave too little of the lease for a send, or none, and another worker may have
 * taken the message once it lapsed: then the lease is renewed only if it is still the one written
 * (conditional), and the message is sent by whoever holds it, never by two.
 */
export async function deliverWrittenLeased(
  deps: Deps,
  message: OutboxMessage,
  leaseUntil: number,
): Promise<boolean> {
  if (Date.now() <= leaseUntil - SEND_WINDOW_MS) return await deliverLeased(deps, message, leaseUntil);
  const renewed = Date.now() + LEASE_MS;
  if (!(await renewOutboxLease(message.smsId, leaseUntil, renewed))) return false;
  return await deliverLeased(deps, message, renewed);
}

/**
 * Delivers a message this worker holds the lease on (until `leaseUntil`, epoch ms). Returns false
 * when it was not delivered now (see `deliverOutbox`). After a transient failure the lease is
 * released only if it is still this worker's.
 */
async function deliverLeased(deps: Deps, message: OutboxMessage, leaseUntil: number): Promise<boolean> {
  const { smsId } = message;
  const result = await send(deps, message);
  if (!result.ok) {
    if (result.failure === 'permanent') {
      logger.error('gateway refused the message for good; not retried', { smsId, reason: result.reason });
      await recordOutboxFailed(smsId, result.reason, new Date());
    } else {
      logger.warn('gateway failed; will retry', { smsId, reason: result.reason });
      await releaseOutboxLease(smsId, leaseUntil);
    }
    return false;
  }
  await recordOutboxSent(message, result.messageId, new Date());
  logger.info('outbox message sent', {
    smsId,
    channel: message.channel,
    ...(message.channel === 'sms' ? { templateId: message.templateId, to: maskPhone(message.to) } : {}),
  });
  return true;
}

/**
 * One attempt through the message's gateway; a gateway that throws failed transiently. An SMS
 * written before the outbox kept its template variables gets them back from its body; one whose
 * body no longer matches its template cannot be sent by template and fails for good.
 */
async function send(deps: Deps, message: OutboxMessage): Promise<SmsSendResult> {
  if (message.channel === 'sms' && !message.params) {
    const hints = [...new Set([deps.rules.sms.optOutHint, DEFAULT_OPT_OUT_HINT])];
    const params = recoverSmsParams(message.templateId, message.body, hints);
    if (!params) {
      return {
        ok: false,
        failure: 'permanent',
        reason: `params_unrecoverable: the body does not match template ${message.templateId}`,
      };
    }
    message = { ...message, params };
  }
  try {
    return message.channel === 'alert'
      ? { ok: true, ...(await deps.alerts.publish(message.alert)) }
      : await deps.sms.send({
          to: message.to,
          templateId: message.templateId,
          params: message.params ?? {},
          body: message.body,
          smsId: message.smsId,
        });
  } catch (err) {
    return { ok: false, failure: 'transient', reason: err instanceof Error ? err.name : String(err) };
  }
}
