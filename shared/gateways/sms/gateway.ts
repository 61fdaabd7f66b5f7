/**
 * The port every SMS provider implements. A provider is one file in this folder exporting a
 * factory of `SmsGateway`, registered by name in shared/gateways/sms.ts.
 */
export interface SmsGateway {
  /**
   * Sends `body` to `to` (E.164). `smsId` is our id of the message, the same on every retry:
   * a provider that deduplicates or tags messages may use it. Resolves to what became of the
   * attempt; a provider that throws is treated as a transient failure.
   */
  send(to: string, body: string, smsId: string): Promise<SmsSendResult>;
}

/**
 * `sent`: the provider accepted the message under its `messageId` (the id a reply may quote).
 * `failed`: `transient` may succeed later (retried by the scheduler); `permanent` never will
 * (e.g. the provider refuses the number), so the message is not tried again.
 */
export type SmsSendResult =
  | { ok: true; messageId: string }
  | { ok: false; failure: 'transient' | 'permanent'; reason: string };
