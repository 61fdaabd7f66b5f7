import type { Config } from '#shared/config/config';
import { aliyunMnsPullers } from '#shared/gateways/sms-pull/aliyun-mns';
import type { ProviderCredentials, SmsPuller } from '#shared/gateways/sms-pull/puller';
import { tencentPullers } from '#shared/gateways/sms-pull/tencent-pull';

export type { InboundEvent, PulledBatch, SmsPuller } from '#shared/gateways/sms-pull/puller';

/** Where each provider's credentials come from (default: the configuration's access keys). */
export interface PullCredentials {
  aliyun?: () => Promise<ProviderCredentials>;
  tencent?: () => Promise<ProviderCredentials>;
}

/**
 * The pull sources the configuration turns on (none locally unless set): Aliyun's MNS queues when
 * ALIYUN_MNS_ENDPOINT, ALIYUN_ACCOUNT_ID and a queue are set; Tencent's pull APIs when
 * TENCENT_SMS_SDK_APP_ID is set. Nothing is loaded or called here (the SDKs load on the first pull).
 */
export function smsPullers(config: Config, credentials: PullCredentials = {}): SmsPuller[] {
  const pullers: SmsPuller[] = [];
  if (config.ALIYUN_MNS_ENDPOINT && config.ALIYUN_ACCOUNT_ID) {
    pullers.push(
      ...aliyunMnsPullers({
        endpoint: config.ALIYUN_MNS_ENDPOINT,
        accountId: config.ALIYUN_ACCOUNT_ID,
        queues: { smsUp: config.ALIYUN_MNS_QUEUE_SMS_UP, smsReport: config.ALIYUN_MNS_QUEUE_SMS_REPORT },
        credentials:
          credentials.aliyun ??
          keyPair(config.ALIYUN_ACCESS_KEY_ID, config.ALIYUN_ACCESS_KEY_SECRET, 'ALIYUN_ACCESS_KEY_ID'),
      }),
    );
  }
  if (config.TENCENT_SMS_SDK_APP_ID) {
    pullers.push(
      ...tencentPullers({
        endpoint: config.TENCENT_SMS_ENDPOINT,
        region: config.TENCENT_SMS_REGION,
        sdkAppId: config.TENCENT_SMS_SDK_APP_ID,
        credentials:
          credentials.tencent ??
          keyPair(config.TENCENT_SECRET_ID, config.TENCENT_SECRET_KEY, 'TENCENT_SECRET_ID'),
      }),
    );
  }
  return pullers;
}

function keyPair(id: string | undefined, secret: string | undefined, name: string) {
  return async (): Promise<ProviderCredentials> => {
    if (!id || !secret) throw new Error(`${name} and its secret are not set: cannot pull`);
    return { id, secret };
  };
}
