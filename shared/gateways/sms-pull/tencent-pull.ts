import type { Client as TencentSmsClient } from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_client';
import type {
  PullSmsReplyStatus,
  PullSmsSendStatus,
} from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_models';
import { normalizeCnMobile } from '#shared/domain/phone';
import { type InboundEvent, tencentReceiptId, tencentReplyId } from '#shared/domain/sms/inbound';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import type { ProviderCredentials, PulledBatch, SmsPuller } from '#shared/gateways/sms-pull/puller';
import { logger } from '#shared/runtime/log';
import { onceUntilFailure } from '#shared/runtime/once';

/**
 * Tencent Cloud SMS's pull side: `PullSmsReplyStatus` (customers' replies) and `PullSmsSendStatus`
 * (delivery receipts) of the official `tencentcloud-sdk-nodejs-sms` v20210111 client (loaded on
 * first use). Tencent hands each record out once (a queue without acknowledgement), so the
 * reconcile retries the acceptance of a pulled batch before giving up on it.
 */
export interface TencentPullSettings {
  /** `sms.tencentcloudapi.com` (default), a `host:port`, or a URL (http:// only to loopback). */
  endpoint?: string | undefined;
  region: string;
  sdkAppId: string;
  credentials: () => Promise<ProviderCredentials>;
}

/** The pull APIs return at most 100 records per call. */
const TENCENT_MAX_LIMIT = 100;

export function tencentPullers(settings: TencentPullSettings): SmsPuller[] {
  const sms = onceUntilFailure(async (): Promise<TencentSmsClient> => {
    const { sms: services } = (await providerSdks()).tencentSms;
    const creds = await settings.credentials();
    const { host, protocol } = tencentEndpoint(settings.endpoint);
    return new services.v20210111.Client({
      credential: {
        secretId: creds.id,
        secretKey: creds.secret,
        ...(creds.securityToken ? { token: creds.securityToken } : {}),
      },
      region: settings.region,
      profile: { httpProfile: { endpoint: host, protocol, reqTimeout: 10 } },
    });
  });
  const limit = (max: number) => Math.max(1, Math.min(max, TENCENT_MAX_LIMIT));
  const noAck = async () => {};
  return [
    {
      provider: 'tencent',
      source: 'tencent:PullSmsReplyStatus',
      consumedOnPull: true,
      maxBatch: TENCENT_MAX_LIMIT,
      async pull(max): Promise<PulledBatch> {
        const res = await (await sms()).PullSmsReplyStatus({
          Limit: limit(max),
          SmsSdkAppId: settings.sdkAppId,
        });
        return mapped(
          'tencent:PullSmsReplyStatus',
          res.PullSmsReplyStatusSet ?? [],
          tencentReplyEvent,
          noAck,
        );
      },
    },
    {
      provider: 'tencent',
      source: 'tencent:PullSmsSendStatus',
      consumedOnPull: true,
      maxBatch: TENCENT_MAX_LIMIT,
      async pull(max): Promise<PulledBatch> {
        const res = await (await sms()).PullSmsSendStatus({
          Limit: limit(max),
          SmsSdkAppId: settings.sdkAppId,
        });
        return mapped('tencent:PullSmsSendStatus', res.PullSmsSendStatusSet ?? [], tencentStatusEvent, noAck);
      },
    },
  ];
}

function mapped<T>(
  source: string,
  records: T[],
  map: (record: T) => InboundEvent | undefined,
  ack: () => Promise<void>,
): PulledBatch {
  const events: InboundEvent[] = [];
  for (const r of records) {
    const e = map(r);
    if (e) events.push(e);
  }
  const unreadable = records.length - events.length;
  if (unreadable > 0)
    logger.error('unreadable SMS records pulled from Tencent; skipped', { source, unreadable });
  return { events, received: records.length, unreadable, ack };
}

/** `host[:port]` and protocol of TENCENT_SMS_ENDPOINT for the SDK's httpProfile. */
export function tencentEndpoint(value: string | undefined): { host: string; protocol: string } {
  if (!value) return { host: 'sms.tencentcloudapi.com', protocol: 'https://' };
  if (/^https?:\/\//i.test(value)) {
    const url = new URL(value);
    return { host: url.host, protocol: `${url.protocol}//` };
  }
  return { host: value, protocol: 'https://' };
}

/**
 * A PullSmsReplyStatus record -> a reply with the push callback's dedup id (domain/sms/inbound.ts
 * `tencentReplyId`: the number, the unix second and the text, hashed).
 */
export function tencentReplyEvent(r: PullSmsReplyStatus): InboundEvent | undefined {
  const phone = normalizeCnMobile(r.PhoneNumber ?? r.SubscriberNumber ?? '');
  // The 2019-07-11 API named the unix time ReplyUnixTime (ReplyTime was a text); 2021-01-11 ReplyTime.
  const legacy = (r as { ReplyUnixTime?: unknown }).ReplyUnixTime;
  const time = unixSeconds(r.ReplyTime) ?? unixSeconds(legacy);
  if (!phone || time === undefined || typeof r.ReplyContent !== 'string') return undefined;
  return {
    kind: 'reply',
    provider: 'tencent',
    dedupId: tencentReplyId(phone, time, r.ReplyContent),
    phone,
    text: r.ReplyContent,
    receivedAt: new Date(time * 1000).toISOString(),
  };
}

/**
 * A PullSmsSendStatus record -> a receipt with the push callback's dedup id `tencent:rpt:{sid}`
 * (SerialNo is the callback's sid; SessionContext is our id of the message). A record without a
 * SUCCESS/FAIL status yet is skipped.
 */
export function tencentStatusEvent(r: PullSmsSendStatus): InboundEvent | undefined {
  const sid = typeof r.SerialNo === 'string' ? r.SerialNo.trim() : '';
  const time = unixSeconds(r.UserReceiveTime);
  if (!sid || time === undefined) return undefined;
  if (r.ReportStatus !== 'SUCCESS' && r.ReportStatus !== 'FAIL') return undefined;
  const delivered = r.ReportStatus === 'SUCCESS';
  const smsId = typeof r.SessionContext === 'string' && r.SessionContext ? r.SessionContext : undefined;
  return {
    kind: 'receipt',
    provider: 'tencent',
    dedupId: tencentReceiptId(sid),
    ...(smsId ? { smsId } : {}),
    providerMessageId: sid,
    delivered,
    ...(!delivered && r.Description ? { code: r.Description } : {}),
    at: new Date(time * 1000).toISOString(),
  };
}

function unixSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
