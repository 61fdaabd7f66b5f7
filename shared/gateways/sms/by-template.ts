import { normalizeCnMobile } from '#shared/domain/phone';
import type { Rules } from '#shared/domain/rules';
import type { SmsGateway, SmsMessage, SmsSendResult } from '#shared/gateways/sms/gateway';

/** What a template provider's one SendSms call answered: its message id when accepted, else its code. */
export type ProviderAnswer = { accepted: true; messageId: string } | { accepted: false; code: string };

/**
 * The part every provider that sends by registered template shares (aliyun.ts, tencent.ts): the
 * number must be a mainland mobile and the template must have the provider's code (checked at start
 * for every template the system sends, so a message of another one cannot go), then one call;
 * a refusal or an error with the provider's code is classified by the provider's table
 * (`<provider>:<code>`), any other error is transient. Only codes are kept, never messages: the
 * providers' messages may quote the request (the number).
 */
export function templateSmsGateway(
  provider: 'aliyun' | 'tencent',
  rules: Rules,
  classify: (code: string) => 'transient' | 'permanent',
  sendOne: (m: SmsMessage & { phone: string; templateCode: string }) => Promise<ProviderAnswer>,
): SmsGateway {
  const refused = (code: string): SmsSendResult => ({
    ok: false,
    failure: classify(code),
    reason: `${provider}:${code}`,
  });
  return {
    async send(message) {
      const phone = normalizeCnMobile(message.to);
      if (!phone) return { ok: false, failure: 'permanent', reason: `${provider}:not_a_mainland_mobile` };
      const templateCode = rules.sms.templateCodes[message.templateId];
      if (!templateCode) {
        return {
          ok: false,
          failure: 'permanent',
          reason: `${provider}:no_template_code:${message.templateId}`,
        };
      }
      try {
        const answer = await sendOne({ ...message, phone, templateCode });
        return answer.accepted ? { ok: true, messageId: answer.messageId } : refused(answer.code);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && code !== '') return refused(code);
        return {
          ok: false,
          failure: 'transient',
          reason: `${provider}:${err instanceof Error ? err.name : 'Error'}`,
        };
      }
    },
  };
}
