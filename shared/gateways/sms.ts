import type { Config } from '#shared/config/config';
import { aliyunSmsGateway } from '#shared/gateways/sms/aliyun';
import type { SmsGateway } from '#shared/gateways/sms/gateway';
import { outboxSmsGateway } from '#shared/gateways/sms/outbox';
import { snsSmsGateway } from '#shared/gateways/sms/sns';
import { tencentSmsGateway } from '#shared/gateways/sms/tencent';
import type { Clock } from '#shared/runtime/clock';

export type { SmsGateway, SmsMessage, SmsSendResult } from '#shared/gateways/sms/gateway';

/**
 * The one way out for SMS: the provider SMS_GATEWAY names. A provider is a file in
 * shared/gateways/sms/ implementing SmsGateway (gateway.ts), registered here by its name.
 */
const providers: Record<Config['SMS_GATEWAY'], (config: Config, clock: Clock) => SmsGateway> = {
  sns: (config) => snsSmsGateway(config.AWS_REGION, config.SNS_ENDPOINT),
  outbox: (_config, clock) => outboxSmsGateway(clock),
  aliyun: (config) => aliyunSmsGateway(providerSettings(config, 'aliyun'), config.rules),
  tencent: (config) => tencentSmsGateway(providerSettings(config, 'tencent'), config.rules),
};

/** The checked settings of a template provider (loadConfig sets them whenever SMS_GATEWAY names one). */
function providerSettings<P extends 'aliyun' | 'tencent'>(
  config: Config,
  provider: P,
): Extract<NonNullable<Config['smsProvider']>, { provider: P }> {
  const settings = config.smsProvider;
  if (settings?.provider !== provider)
    throw new Error(`SMS_GATEWAY=${provider} without its checked settings`);
  return settings as Extract<NonNullable<Config['smsProvider']>, { provider: P }>;
}

/** The configured provider (built once per container, by the composition root). */
export function smsGateway(config: Config, clock: Clock): SmsGateway {
  return providers[config.SMS_GATEWAY](config, clock);
}
