import type { Config } from '#shared/config/config';
import { aliyunKeysSchema, providerKeys, tencentKeysSchema } from '#shared/gateways/sms/provider-keys';
import { aliyunMnsPullers } from '#shared/gateways/sms-pull/aliyun-mns';
import type { ProviderCredentials, SmsPuller } from '#shared/gateways/sms-pull/puller';
import { tencentPullers } from '#shared/gateways/sms-pull/tencent-pull';

export type { PulledBatch, SmsPuller } from '#shared/gateways/sms-pull/puller';

/** Where each provider's credentials come from (default: the configuration's access keys). */
export interface PullCredentials {
  aliyun?: () => Promise<ProviderCredentials>;
  tencent?: () => Promise<ProviderCredentials>;
}

/**
 * The pull sources the configuration turns on (none unless the active provider is aliyun or
 * tencent): Aliyun's MNS queues when SMS_GATEWAY=aliyun and ALIYUN_MNS_ENDPOINT, ALIYUN_ACCOUNT_ID
 * and a queue are set; Tencent's pull APIs when SMS_GATEWAY=tencent. Credentials are the sender's
 * (given, or its Secrets Manager secret, read once). Nothing is loaded or called here (the SDKs
 * load on the first pull).
 */
export function smsPullers(config: Config, credentials: PullCredentials = {}): SmsPuller[] {
  const provider = config.smsProvider;
  if (!provider) return [];
  if (provider.provider === 'aliyun') {
    if (!config.ALIYUN_MNS_ENDPOINT || !config.ALIYUN_ACCOUNT_ID) return [];
    const keys = providerKeys(provider.credentials, aliyunKeysSchema);
    return aliyunMnsPullers({
      endpoint: config.ALIYUN_MNS_ENDPOINT,
      accountId: config.ALIYUN_ACCOUNT_ID,
      queues: { smsUp: config.ALIYUN_MNS_QUEUE_SMS_UP, smsReport: config.ALIYUN_MNS_QUEUE_SMS_REPORT },
      credentials:
        credentials.aliyun ??
        (async () => {
          const k = await keys();
          return { id: k.accessKeyId, secret: k.accessKeySecret };
        }),
    });
  }
  const keys = providerKeys(provider.credentials, tencentKeysSchema);
  return tencentPullers({
    endpoint: `${provider.endpoint.protocol}://${provider.endpoint.host}`,
    region: provider.region,
    sdkAppId: provider.sdkAppId,
    credentials:
      credentials.tencent ??
      (async () => {
        const k = await keys();
        return { id: k.secretId, secret: k.secretKey };
      }),
  });
}
