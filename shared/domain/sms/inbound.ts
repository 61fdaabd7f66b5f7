import { createHash } from 'node:crypto';
import { maskPhone } from '#shared/domain/phone';
import type { TemplateId } from '#shared/domain/sms/templates';

/**
 * Pure rules of what the Chinese SMS providers push to us (customers' replies, 上行, and delivery
 * receipts, 状态报告): how each is identified once (its dedup id), how their local times read, and
 * which receipts can close a survey. The providers' payloads are parsed at the edge
 * (shared/http/schemas/sms-callbacks.ts); the handling is shared/app/sms/inbox.ts.
 */

export type SmsProvider = 'aliyun' | 'tencent';

/** A customer's reply as a provider reported it (pushed or pulled). */
export interface InboundReply {
  kind: 'reply';
  provider: SmsProvider;
  dedupId: string;
  /** The sender as the provider gives it (11 digits, or +86...): matched to the phone's open survey. */
  phone: string;
  text: string;
  receivedAt: string;
}

/** A delivery receipt as a provider reported it (pushed or pulled). */
export interface InboundReceipt {
  kind: 'receipt';
  provider: SmsProvider;
  dedupId: string;
  /** Our id of the message (Aliyun `out_id`, Tencent `SessionContext`). */
  smsId?: string;
  /** The provider's id of the message (Aliyun `biz_id`, Tencent `sid` = `SerialNo`). */
  providerMessageId?: string;
  delivered: boolean;
  code?: string;
  at: string;
}

/**
 * What the providers tell us, pushed (shared/http/sms-callbacks.ts) or pulled (shared/gateways/
 * sms-pull/), in the one shape the inbox takes (shared/app/sms/inbox.ts). `dedupId` names the
 * event once across pushes, pulls and retries (the `*ReplyId` / `*ReceiptId` functions below).
 */
export type InboundEvent = InboundReply | InboundReceipt;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Aliyun SmsUp: its `sequence_id` names one reply. */
export const aliyunReplyId = (sequenceId: string | number) => `aliyun:up:${String(sequenceId).trim()}`;

/**
 * Tencent has no reply id: the number, the second and the text name it, hashed together so the
 * id (which becomes keys, message ids and log fields) never carries the number in clear. The
 * number is read as its 11 national digits however it is given (`13800138000`, `+86...`), so the
 * push (`mobile`) and the pull (`PhoneNumber`) of one reply give the same id.
 */
export function tencentReplyId(mobile: string, time: number, text: string): string {
  const digits = mobile.trim().replace(/^\+?86(?=1\d{10}$)/, '');
  return `tencent:up:${sha256(`${digits}:${time}:${text}`)}`;
}
/** A receipt is one per sent message (Aliyun BizId, Tencent sid = SerialNo): the first one counts. */
export const aliyunReceiptId = (bizId: string) => `aliyun:rpt:${bizId.trim()}`;

/**
 * A message or dedup id as it may be logged. Ids no longer carry a number; a Tencent reply id of
 * the earlier form (`tencent:up:{mobile}:{time}:{hash}`, still in stored records) is masked here.
 */
export function idForLog(id: string): string {
  const m = /^tencent:up:([^:]+):(.*)$/.exec(id);
  return m ? `tencent:up:${maskPhone(m[1] as string)}:${m[2]}` : id;
}
export const tencentReceiptId = (sid: string) => `tencent:rpt:${sid.trim()}`;

/**
 * A provider's local time (`yyyy-MM-dd HH:mm:ss`, China Standard Time, UTC+8, no daylight saving)
 * as an ISO instant; `fallback` when it does not read as one.
 */
export function providerTime(local: string | undefined, fallback: Date): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec((local ?? '').trim());
  if (!m) return fallback.toISOString();
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(t) ? fallback.toISOString() : new Date(t).toISOString();
}

/** Unix seconds (Tencent's reply `time`) as an ISO instant; `fallback` when out of range. */
export function unixTime(seconds: number, fallback: Date): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? fallback.toISOString() : d.toISOString();
}

/**
 * The SMS whose non-delivery closes its survey as `undelivered`: the invitation (by text or with
 * the web link) only. Any other (the reminder, thanks, re-prompt, reasons question) reported
 * undelivered is only recorded on the message: a reminder lost after a delivered invitation does
 * not mean the customer cannot answer.
 */
export const SURVEY_INVITATION_TEMPLATES: readonly TemplateId[] = ['survey', 'survey_link'];

export const closesSurveyWhenUndelivered = (templateId: string | undefined): boolean =>
  SURVEY_INVITATION_TEMPLATES.includes(templateId as TemplateId);

/**
 * How long a receipt that arrived before our own record of the send (no message id recorded yet)
 * keeps being retried before it is ignored as unknown (our default; a send is recorded within
 * seconds of the provider's acceptance, and a failed record is retried by the scheduler each minute).
 */
export const RECEIPT_WAIT_MS = 15 * 60_000;

/** Whether a receipt received at `receivedAt` may still wait for our record of its send at `at`. */
export const receiptMayWait = (receivedAt: string, at: Date): boolean =>
  at.getTime() - Date.parse(receivedAt) < RECEIPT_WAIT_MS;
