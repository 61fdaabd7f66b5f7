import type { TemplateId } from '#shared/domain/sms/templates';

/**
 * The port every SMS provider implements. A provider is one file in this folder exporting a
 * factory of `SmsGateway`, registered by name in shared/gateways/sms.ts.
 */
export interface SmsGateway {
  /**
   * Sends one message. Resolves to what became of the attempt; a provider that throws is treated
   * as a transient failure.
   */
  send(message: SmsMessage): Promise<SmsSendResult>;
}

/**
 * One message, in both forms a provider may need: providers that send free text (sns, outbox)
 * send `body`; providers that send by registered template (aliyun, tencent) send `templateId`
 * (mapped to their template code) with `params`. `body` is exactly the registered template filled
 * with `params`, plus the 【signature】.
 */
export interface SmsMessage {
  /** E.164, e.g. +8613800138000. */
  to: string;
  templateId: TemplateId;
  /** The template's variables as rendered (renderSms's `params`). */
  params: Readonly<Record<string, string>>;
  body: string;
  /** Our id of the message, the same on every retry: a provider may tag the message with it. */
  smsId: string;
}

/**
 * `sent`: the provider accepted the message under its `messageId` (the id a reply may quote).
 * `failed`: `transient` may succeed later (retried by the scheduler); `permanent` never will
 * (e.g. the provider refuses the number), so the message is not tried again.
 */
export type SmsSendResult =
  | { ok: true; messageId: string }
  | { ok: false; failure: 'transient' | 'permanent'; reason: string };
