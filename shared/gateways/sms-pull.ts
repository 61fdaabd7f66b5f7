import type { Config } from '#shared/config/config';
import { parseProviderEndpoint } from '#shared/config/sms-provider';
import { ALIYUN_DYBASEAPI_DEFAULT_ENDPOINT, mnsUsesToken } from '#shared/config/sms-pull';
import { aliyunKeysSchema, providerKeys, tencentKeysSchema } from '#shared/gateways/sms/provider-keys';
import { aliyunMnsPullers } from '#shared/gateways/sms-pull/aliyun-mns';
import { mnsQueueTokens } from '#shared/gateways/sms-pull/aliyun-mns-token';
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
 * (given, or its Secrets Manager secret, read once); the queues Aliyun hosts (mnsUsesToken) are
 * read with a token per queue that the sender's key obtains from QueryTokenForMnsQueue, kept
 * until shortly before it expires. Nothing is loaded or called here (the SDKs load on the first
 * pull). Built once per container, so that its tokens are kept between runs; `now` is the wall
 * clock the tokens' expiry is read against (tests pass their own).
 */
export function smsPullers(
  config: Config,
  credentials: PullCredentials = {},
  options: { now?: () => number } = {},
): SmsPuller[] {
  const provider = config.smsProvider;
  if (!provider) return [];
  if (provider.provider === 'aliyun') {
    if (!config.ALIYUN_MNS_ENDPOINT || !config.ALIYUN_ACCOUNT_ID) return [];
    const keys = providerKeys(provider.credentials, aliyunKeysSchema());
    const senderKeys =
      credentials.aliyun ??
      (async () => {
        const k = await keys();
        return { id: k.accessKeyId, secret: k.accessKeySecret };
      });
    return aliyunMnsPullers({
      endpoint: config.ALIYUN_MNS_ENDPOINT,
      accountId: config.ALIYUN_ACCOUNT_ID,
      queues: { smsUp: config.ALIYUN_MNS_QUEUE_SMS_UP, smsReport: config.ALIYUN_MNS_QUEUE_SMS_REPORT },
      credentials: mnsUsesToken(config)
        ? mnsQueueTokens({
            endpoint: dybaseapiEndpoint(config.ALIYUN_DYBASEAPI_ENDPOINT),
            credentials: senderKeys,
            ...(options.now ? { now: options.now } : {}),
          })
        : { get: senderKeys },
    });
  }
  const keys = providerKeys(provider.credentials, tencentKeysSchema());
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

/** ALIYUN_DYBASEAPI_ENDPOINT (checked at start) or Dybaseapi's public endpoint. */
function dybaseapiEndpoint(value: string | undefined) {
  const endpoint = parseProviderEndpoint(value ?? ALIYUN_DYBASEAPI_DEFAULT_ENDPOINT);
  if ('problem' in endpoint) throw new Error(`ALIYUN_DYBASEAPI_ENDPOINT: ${endpoint.problem}`);
  return endpoint;
}
