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

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Aliyun SmsUp: its `sequence_id` names one reply. */
export const aliyunReplyId = (sequenceId: string | number) => `aliyun:up:${sequenceId}`;
/** Tencent has no reply id: the number, the second and the text name it. */
export const tencentReplyId = (mobile: string, time: number, text: string) =>
  `tencent:up:${mobile}:${time}:${sha256(text)}`;
/** A receipt is one per sent message (Aliyun BizId, Tencent sid = SerialNo): the first one counts. */
export const aliyunReceiptId = (bizId: string) => `aliyun:rpt:${bizId}`;

/** A message or dedup id as it may be logged: a Tencent reply's carries the number, masked here. */
export function idForLog(id: string): string {
  const m = /^tencent:up:([^:]+):(.*)$/.exec(id);
  return m ? `tencent:up:${maskPhone(m[1] as string)}:${m[2]}` : id;
}
export const tencentReceiptId = (sid: string) => `tencent:rpt:${sid}`;

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
 * the web link) and the reminder. Any other (thanks, re-prompt, reasons question) reported
 * undelivered is only recorded on the message.
 */
export const SURVEY_INVITATION_TEMPLATES: readonly TemplateId[] = ['survey', 'survey_link', 'reminder'];

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
