import type MNSClient from '@alicloud/mns/lib/client.js';
import type { MnsMessage } from '@alicloud/mns/lib/client.js';
import { normalizeCnMobile } from '#shared/domain/phone';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import type {
  InboundEvent,
  ProviderCredentials,
  PulledBatch,
  SmsPuller,
} from '#shared/gateways/sms-pull/puller';
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
  credentials: () => Promise<ProviderCredentials>;
  /** Long-poll seconds of a receive (MNS allows 0-30; 0 = the queue's own setting). Default 1. */
  waitSeconds?: number;
}

/** MNS hands out at most 16 messages per BatchReceiveMessage. */
const MNS_MAX_BATCH = 16;

export function aliyunMnsPullers(settings: AliyunMnsSettings): SmsPuller[] {
  let client: Promise<MNSClient> | undefined;
  const mns = (): Promise<MNSClient> => {
    if (!client) {
      client = (async () => {
        const { default: Client } = (await providerSdks()).mns;
        const creds = await settings.credentials();
        return new Client(settings.accountId, {
          endpoint: settings.endpoint,
          accessKeyId: creds.id,
          accessKeySecret: creds.secret,
          ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
          readTimeout: 10_000,
          connectTimeout: 5_000,
        });
      })();
      // Credentials not readable now: try again on the next pull.
      client.catch(() => {
        client = undefined;
      });
    }
    return client;
  };
  const pullers: SmsPuller[] = [];
  const { smsUp, smsReport } = settings.queues;
  if (smsUp) pullers.push(queuePuller(mns, smsUp, 'SmsUp', settings.waitSeconds ?? 1));
  if (smsReport) pullers.push(queuePuller(mns, smsReport, 'SmsReport', settings.waitSeconds ?? 1));
  return pullers;
}

function queuePuller(
  mns: () => Promise<MNSClient>,
  queue: string,
  type: 'SmsUp' | 'SmsReport',
  waitSeconds: number,
): SmsPuller {
  const source = `aliyun:${type}`;
  return {
    provider: 'aliyun',
    source,
    consumedOnPull: false,
    maxBatch: MNS_MAX_BATCH,
    async pull(max): Promise<PulledBatch> {
      const client = await mns();
      let messages: MnsMessage[];
      try {
        const res = await client.batchReceiveMessage(
          queue,
          Math.max(1, Math.min(max, MNS_MAX_BATCH)),
          waitSeconds,
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
          const res = await client.batchDeleteMessage(queue, handles);
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
    dedupId: `aliyun:up:${sequence}`,
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
    dedupId: `aliyun:rpt:${bizId}`,
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
