import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError, ValidationError } from '#shared/domain/errors';
import {
  aliyunReceiptId,
  aliyunReplyId,
  type InboundEvent,
  providerTime,
  type SmsProvider,
  tencentReceiptId,
  tencentReplyId,
  unixTime,
} from '#shared/domain/sms/inbound';
import { parseWith, rawBody } from '#shared/http/http';
import {
  aliyunSmsReportSchema,
  aliyunSmsUpSchema,
  tencentRepliesSchema,
  tencentReplySchema,
  tencentStatusSchema,
} from '#shared/http/schemas/sms-callbacks';

/**
 * The SMS providers' callbacks at the edge: which one a request is (`/v1/sms/{provider}/{token}/
 * {replies|receipts}`), its token checked in constant time, its body parsed as the provider
 * documents it and turned into our InboundEvents (shared/app/sms/inbox.ts), and the answer the
 * provider expects.
 */
export type CallbackKind = 'replies' | 'receipts';
export interface CallbackRoute {
  provider: SmsProvider;
  kind: CallbackKind;
  token: string;
}

const PATH = /^\/v1\/sms\/(aliyun|tencent)\/([^/]+)\/(replies|receipts)$/;

/** The callback a request is for, or a 404. */
export function callbackRoute(event: APIGatewayProxyEventV2): CallbackRoute {
  const m = PATH.exec(event.rawPath ?? '');
  if (!m) throw new NotFoundError('Not found');
  let token = event.pathParameters?.token ?? m[2] ?? '';
  try {
    token = decodeURIComponent(token);
  } catch {
    // kept as given: it then simply does not match
  }
  return { provider: m[1] as SmsProvider, kind: m[3] as CallbackKind, token };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether the token in the URL is ours, compared in constant time (of the digests). */
export function tokenMatches(given: string, ours: string): boolean {
  return timingSafeEqual(digest(given), digest(ours));
}

/** The body as JSON (providers' content types vary: not insisted on), or a 400. */
export function callbackJson(event: APIGatewayProxyEventV2): unknown {
  const text = rawBody(event);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: 'body', message: 'body is not valid JSON' }]);
  }
}

/** The events of a push, parsed as its provider documents it (400 naming the field otherwise). */
export function callbackEvents(route: CallbackRoute, body: unknown, now: Date): InboundEvent[] {
  if (route.provider === 'aliyun' && route.kind === 'replies') {
    return parseWith(aliyunSmsUpSchema(), body).map((r) => ({
      kind: 'reply',
      provider: 'aliyun',
      dedupId: aliyunReplyId(r.sequence_id),
      phone: r.phone_number,
      text: r.content,
      receivedAt: providerTime(r.send_time, now),
    }));
  }
  if (route.provider === 'aliyun') {
    return parseWith(aliyunSmsReportSchema(), body).map((r) => ({
      kind: 'receipt',
      provider: 'aliyun',
      dedupId: aliyunReceiptId(r.biz_id),
      ...(r.out_id ? { smsId: r.out_id } : {}),
      providerMessageId: r.biz_id,
      delivered: r.success,
      ...(r.err_code ? { code: r.err_code } : {}),
      at: providerTime(r.report_time, now),
    }));
  }
  if (route.kind === 'replies') {
    // One object or an array: each parsed as such, so that a bad field is named exactly.
    const parsed = Array.isArray(body)
      ? parseWith(tencentRepliesSchema(), body)
      : [parseWith(tencentReplySchema(), body)];
    return parsed.map((r) => ({
      kind: 'reply',
      provider: 'tencent',
      dedupId: tencentReplyId(r.mobile, r.time, r.text),
      phone: `+${r.nationcode}${r.mobile}`,
      text: r.text,
      receivedAt: unixTime(r.time, now),
    }));
  }
  return parseWith(tencentStatusSchema(), body).map((r) => ({
    kind: 'receipt',
    provider: 'tencent',
    dedupId: tencentReceiptId(r.sid),
    providerMessageId: r.sid,
    delivered: r.report_status === 'SUCCESS',
    ...(r.errmsg ? { code: r.errmsg } : {}),
    at: providerTime(r.user_receive_time, now),
  }));
}

/** What the provider expects once the push is stored (anything else makes it push again). */
export function callbackAck(provider: SmsProvider): Record<string, unknown> {
  return provider === 'aliyun' ? { code: 0, msg: '成功' } : { result: 0, errmsg: 'OK' };
}
