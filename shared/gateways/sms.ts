import { config } from '#shared/config/config';
import type { SmsGateway, SmsSendResult } from '#shared/gateways/sms/gateway';
import { outboxSmsGateway } from '#shared/gateways/sms/outbox';
import { snsSmsGateway } from '#shared/gateways/sms/sns';

export type { SmsGateway, SmsSendResult } from '#shared/gateways/sms/gateway';

/**
 * The one way out for SMS: the provider SMS_GATEWAY names. A provider is a file in
 * shared/gateways/sms/ implementing SmsGateway (gateway.ts), registered here by its name.
 */
const providers: Record<typeof config.SMS_GATEWAY, () => SmsGateway> = {
  sns: () => snsSmsGateway(config.AWS_REGION),
  outbox: outboxSmsGateway,
};

let gateway: SmsGateway | undefined;

/** Sends one SMS through the configured provider (created on first use, once per container). */
export async function sendSms(to: string, body: string, smsId = ''): Promise<SmsSendResult> {
  gateway ??= providers[config.SMS_GATEWAY]();
  return gateway.send(to, body, smsId);
}
