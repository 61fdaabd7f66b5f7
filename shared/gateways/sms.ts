import type { Config } from '#shared/config/config';
import type { SmsGateway } from '#shared/gateways/sms/gateway';
import { outboxSmsGateway } from '#shared/gateways/sms/outbox';
import { snsSmsGateway } from '#shared/gateways/sms/sns';
import type { Clock } from '#shared/runtime/clock';

export type { SmsGateway, SmsSendResult } from '#shared/gateways/sms/gateway';

/**
 * The one way out for SMS: the provider SMS_GATEWAY names. A provider is a file in
 * shared/gateways/sms/ implementing SmsGateway (gateway.ts), registered here by its name.
 */
const providers: Record<Config['SMS_GATEWAY'], (config: Config, clock: Clock) => SmsGateway> = {
  sns: (config) => snsSmsGateway(config.AWS_REGION),
  outbox: (_config, clock) => outboxSmsGateway(clock),
};

/** The configured provider (built once per container, by the composition root). */
export function smsGateway(config: Config, clock: Clock): SmsGateway {
  return providers[config.SMS_GATEWAY](config, clock);
}
