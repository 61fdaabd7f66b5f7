import type MNSClient from '@alicloud/mns/lib/client.js';
import type { MnsMessage } from '@alicloud/mns/lib/client.js';
import { normalizeCnMobile } from '#shared/domain/phone';
import { aliyunReceiptId, aliyunReplyId, type InboundEvent } from '#shared/domain/sms/inbound';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import type { ProviderCredentials, PulledBatch, SmsPuller } from '#shared/gateways/sms-pull/puller';
import { logger } from '#shared/runtime/log';

/**
 * Aliyun SMS's pull side: the MNS queues it fills with customers' replies (`SmsUp`) and delivery
 * receipts (`SmsReport`), read with the official `@alicloud/mns` client (loaded on first use).
 * A message is deleted only after its events were accepted (at-least-once; the inbox deduplicates
 * by the same ids as the push callbacks), so a failed acceptance leaves it to be received again
 * once its visibility timeout has passed.
 */
export interface AliyunMnsSettings {
  /** e.g. `https://1943695596114318.mns.cn-hangzhou.aliyuncs.com` (http:// only to loopback). */
  endpoint: string;
  accountId: string;
  queues: { smsUp?: string | undefined; smsReport?: string | undefined };
  /** The credentials of each queue: the sender's keys, or a queue token (aliyun-mns-token.ts). */
  credentials: MnsCredentials;
  /** Long-poll seconds of a receive (MNS allows 0-30; 0 = the queue's own setting). Default 1. */
  waitSeconds?: number;
}

export type MnsMessageType = 'SmsUp' | 'SmsReport';

/** Where the MNS client's credentials come from, per queue. */
export interface MnsCredentials {
  /** The credentials to read `queue` with (cached by the source as long as they are good). */
  get(type: MnsMessageType, queue: string): Promise<ProviderCredentials>;
  /**
   * MNS refused `used` (an authentication error): forget them, so that the next `get` fetches
   * new ones. Absent when there is nothing to refresh (the sender's own keys).
   */
  refused?(type: MnsMessageType, queue: string, used: ProviderCredentials): void;
}

/** MNS hands out at most 16 messages per BatchReceiveMessage. */
const MNS_MAX_BATCH = 16;

export function aliyunMnsPullers(settings: AliyunMnsSettings): SmsPuller[] {
  let Client: Promise<typeof MNSClient> | undefined;
  const newClient = async (creds: ProviderCredentials): Promise<MNSClient> => {
    Client ??= providerSdks().then((m) => m.mns.default as typeof MNSClient);
    return new (await Client)(settings.accountId, {
      endpoint: settings.endpoint,
      accessKeyId: creds.id,
      accessKeySecret: creds.secret,
      ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
      readTimeout: 10_000,
      connectTimeout: 5_000,
    });
  };
  const pullers: SmsPuller[] = [];
  const { smsUp, smsReport } = settings.queues;
  const wait = settings.waitSeconds ?? 1;
  for (const [queue, type] of [
    [smsUp, 'SmsUp'],
    [smsReport, 'SmsReport'],
  ] as const) {
    if (queue) {
      pullers.push(queuePuller(queueClient(settings.credentials, newClient, type, queue), queue, type, wait));
    }
  }
  return pullers;
}

/** Runs one MNS call of a queue with its credentials. */
type QueueCall = <T>(op: (client: MNSClient) => Promise<T>) => Promise<T>;

/**
 * The MNS client of one queue, made anew when its credentials change (a token replaced before it
 * expires). A call MNS refuses for its credentials is tried once more with fresh ones.
 */
function queueClient(
  credentials: MnsCredentials,
  newClient: (creds: ProviderCredentials) => Promise<MNSClient>,
  type: MnsMessageType,
  queue: string,
): QueueCall {
  let current: { creds: ProviderCredentials; client: Promise<MNSClient> } | undefined;
  const client = async () => {
    const creds = await credentials.get(type, queue);
    if (!current || !sameCredentials(current.creds, creds)) {
      current = { creds, client: newClient(creds) };
    }
    return { creds, client: await current.client };
  };
  return async (op) => {
    const first = await client();
    try {
      return await op(first.client);
    } catch (err) {
      if (!credentials.refused || !isMnsAuthError(err)) throw err;
      logger.warn('MNS refused the queue credentials; fetching new ones', {
        source: `aliyun:${type}`,
        error: err instanceof Error ? err.name : 'Error',
      });
      credentials.refused(type, queue, first.creds);
      return op((await client()).client);
    }
  };
}

const sameCredentials = (a: ProviderCredentials, b: ProviderCredentials) =>
  a.id === b.id && a.secret === b.secret && a.securityToken === b.securityToken;

/**
 * MNS refused the request's credentials (403: AccessDenied, InvalidAccessKeyId,
 * SignatureDoesNotMatch, or a security token's error). `@alicloud/mns` names its errors
 * `MNS<Code>Error` and says the status in the message.
 */
export function isMnsAuthError(err: unknown): boolean {
  if (!(err instanceof Error) || !err.name.startsWith('MNS')) return false;
  return (
    /^MNS(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|\w*Token\w*)Error$/.test(err.name) ||
    / failed with 403\./.test(err.message)
  );
}

function queuePuller(call: QueueCall, queue: string, type: MnsMessageType, waitSeconds: number): SmsPuller {
  const source = `aliyun:${type}`;
  return {
    provider: 'aliyun',
    source,
    consumedOnPull: false,
    maxBatch: MNS_MAX_BATCH,
    async pull(max): Promise<PulledBatch> {
      let messages: MnsMessage[];
      try {
        const res = await call((client) =>
          client.batchReceiveMessage(queue, Math.max(1, Math.min(max, MNS_MAX_BATCH)), waitSeconds),
        );
        messages = Array.isArray(res.body) ? res.body : [];
      } catch (err) {
        // An empty queue answers 404 MessageNotExist.
        if (err instanceof Error && err.name === 'MNSMessageNotExistError') messages = [];
        else throw err;
      }
      const events: InboundEvent[] = [];
      let unreadable = 0;
      for (const m of messages) {
        const event = mnsMessageEvent(type, m);
        if (event) events.push(event);
        else {
          unreadable += 1;
          // The message id only: the body holds a phone number and a customer's text.
          logger.error('unreadable SMS message in the MNS queue; deleted', {
            source,
            messageId: m.MessageId,
          });
        }
      }
      const handles = messages.map((m) => m.ReceiptHandle).filter((h): h is string => !!h);
      return {
        events,
        received: messages.length,
        unreadable,
        async ack() {
          if (handles.length === 0) return;
          const res = await call((client) => client.batchDeleteMessage(queue, handles));
          const errors = Array.isArray(res.body) ? res.body : [];
          // Not deleted (e.g. the visibility timeout passed): received again, deduplicated then.
          if (errors.length > 0) {
            logger.warn('MNS did not delete some messages; they will be received again', {
              source,
              count: errors.length,
              codes: [...new Set(errors.map((e) => e.ErrorCode))],
            });
          }
        },
      };
    },
  };
}

/** One MNS message of the SmsUp or SmsReport queue as an InboundEvent; undefined if unreadable. */
export function mnsMessageEvent(type: 'SmsUp' | 'SmsReport', m: MnsMessage): InboundEvent | undefined {
  const body = decodeMnsBody(m.MessageBody);
  if (!body) return undefined;
  const enqueued = m.EnqueueTime && /^\d+$/.test(m.EnqueueTime) ? Number(m.EnqueueTime) : undefined;
  const fallbackTime = enqueued !== undefined ? new Date(enqueued).toISOString() : undefined;
  return type === 'SmsUp' ? aliyunSmsUpEvent(body, fallbackTime) : aliyunSmsReportEvent(body, fallbackTime);
}

/**
 * An MNS message body: the JSON object Aliyun SMS writes, base64-encoded as the Alicom queues carry
 * it (plain JSON is read too).
 */
export function decodeMnsBody(raw: string | undefined): Record<string, unknown> | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const candidates = /^[{[]/.test(text) ? [text] : [Buffer.from(text, 'base64').toString('utf8')];
  for (const c of candidates) {
    try {
      const parsed: unknown = JSON.parse(c);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // not JSON
    }
  }
  return undefined;
}

/**
 * SmsUp `{ phone_number, send_time, content, sign_name, dest_code, sequence_id }` -> a reply with the
 * push callback's dedup id `aliyun:up:{sequence_id}`.
 */
export function aliyunSmsUpEvent(
  body: Record<string, unknown>,
  fallbackTime?: string,
): InboundEvent | undefined {
  const sequence = idText(body.sequence_id);
  const phone = typeof body.phone_number === 'string' ? normalizeCnMobile(body.phone_number) : null;
  if (!sequence || !phone || typeof body.content !== 'string') return undefined;
  const receivedAt = chinaTime(body.send_time) ?? fallbackTime;
  if (!receivedAt) return undefined;
  return {
    kind: 'reply',
    provider: 'aliyun',
    dedupId: aliyunReplyId(sequence),
    phone,
    text: body.content,
    receivedAt,
  };
}

/**
 * SmsReport `{ phone_number, send_time, report_time, success, err_code, err_msg, sms_size, biz_id,
 * out_id }` -> a receipt with the push callback's dedup id `aliyun:rpt:{biz_id}`; `out_id` is our id
 * of the message.
 */
export function aliyunSmsReportEvent(
  body: Record<string, unknown>,
  fallbackTime?: string,
): InboundEvent | undefined {
  const bizId = idText(body.biz_id);
  const delivered = body.success === true || body.success === 'true';
  const failed = body.success === false || body.success === 'false';
  if (!bizId || (!delivered && !failed)) return undefined;
  const at = chinaTime(body.report_time) ?? chinaTime(body.send_time) ?? fallbackTime;
  if (!at) return undefined;
  const smsId = idText(body.out_id);
  const code = typeof body.err_code === 'string' && body.err_code ? body.err_code : undefined;
  return {
    kind: 'receipt',
    provider: 'aliyun',
    dedupId: aliyunReceiptId(bizId),
    ...(smsId ? { smsId } : {}),
    providerMessageId: bizId,
    delivered,
    ...(!delivered && code ? { code } : {}),
    at,
  };
}

/** An id field given as a string or a number (sequence_id is documented as a number). */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Aliyun's times are Beijing time without a zone: `2017-06-01 10:00:00` or `20170601100000`.
 * Returns ISO 8601 (UTC), or undefined when the value is neither.
 */
export function chinaTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim()) ??
    /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  // A date that does not exist (Feb 30) would roll over: the wall clock must read back the same.
  const back = new Date(date.getTime() + 8 * 3_600_000).toISOString();
  return back.slice(0, 19) === `${y}-${mo}-${d}T${h}:${mi}:${s}` ? date.toISOString() : undefined;
}
