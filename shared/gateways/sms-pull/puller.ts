import type { InboundEvent } from '#shared/domain/sms/inbound';

/**
 * The port of the providers' pull APIs (the scheduled reconcile, shared/app/sms/reconcile.ts): what
 * the pushes may have missed, read in batches. One file per provider in this folder
 * (aliyun-mns.ts, tencent-pull.ts), built from the configuration by shared/gateways/sms-pull.ts.
 */

/** One batch read from a provider. */
export interface PulledBatch {
  /** What the batch's messages mean (a message that means nothing we use maps to none). */
  events: InboundEvent[];
  /** How many provider messages the batch held (0 = the source is drained for now). */
  received: number;
  /** Provider messages that could not be read (malformed); logged, never in clear. */
  unreadable: number;
  /**
   * Tells the provider the batch is handled (MNS: deletes the messages). Called only after the
   * events are durably accepted; a batch never acknowledged is delivered again later.
   */
  ack(): Promise<void>;
}

/** One pull source of a provider (e.g. Aliyun's SmsUp queue, Tencent's PullSmsSendStatus). */
export interface SmsPuller {
  provider: 'aliyun' | 'tencent';
  /** Names the source in logs and counts, e.g. `aliyun:SmsUp`. */
  source: string;
  /**
   * true when the provider hands each message out once and forgets it (Tencent's pull APIs):
   * ack() does nothing and a batch whose acceptance fails cannot be pulled again.
   */
  consumedOnPull: boolean;
  /** The most messages one pull can return (MNS 16, Tencent 100). */
  maxBatch: number;
  /** Reads up to `max` messages (fewer, or none, when there are fewer). */
  pull(max: number): Promise<PulledBatch>;
}

/** An access key pair (and an STS token when the credentials are temporary). */
export interface ProviderCredentials {
  id: string;
  secret: string;
  securityToken?: string | undefined;
}
