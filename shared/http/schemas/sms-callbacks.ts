import * as z from 'zod';
import { lazy } from '#shared/runtime/lazy';

/**
 * The SMS providers' pushes, as they document them (parsed at the edge: functions/sms-callbacks).
 * Fields they add later are ignored; a documented field missing or of the wrong type is a 400
 * naming it. Phone numbers are only checked to be short strings here (the documentation's samples
 * mask them, `1381111****`): a sender that is not a mainland mobile is ignored when handled.
 */
const phone = lazy(() => z.string().min(1).max(32));
/** `yyyy-MM-dd HH:mm:ss`, China Standard Time. */
const localTime = lazy(() => z.string().max(32));
const shortText = lazy(() => z.string().max(256));

/** Aliyun SmsUp (上行短信): a JSON array, several replies per push possible. */
export const aliyunSmsUpSchema = lazy(() =>
  z
    .array(
      z.object({
        phone_number: phone(),
        send_time: localTime(),
        content: z.string().max(2000),
        sign_name: shortText(),
        dest_code: z.string().max(64),
        /** The reply's id (documented as a number; a string of digits is taken as well). */
        sequence_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,32}$/)]),
      }),
    )
    .min(1)
    .max(500),
);

/** Aliyun SmsReport (状态报告): a JSON array. */
export const aliyunSmsReportSchema = lazy(() =>
  z
    .array(
      z.object({
        phone_number: phone(),
        send_time: localTime(),
        report_time: localTime(),
        success: z.boolean(),
        err_code: shortText(),
        err_msg: shortText(),
        sms_size: z.union([z.string().max(8), z.number().int()]),
        biz_id: z.string().min(1).max(128),
        /** Our message id, given as OutId when sending (empty or absent when a send had none). */
        out_id: z.string().max(128).optional(),
      }),
    )
    .min(1)
    .max(500),
);

/** Tencent Cloud SMS reply callback (短信回复): one object (this), or an array of them. */
export const tencentReplySchema = lazy(() =>
  z.object({
    /** The channel's extension code (often empty or null). */
    extend: z.string().max(64).nullable().optional(),
    mobile: phone(),
    nationcode: z.string().regex(/^\d{1,4}$/),
    sign: shortText(),
    text: z.string().max(2000),
    /** Unix seconds. */
    time: z.number().int().nonnegative(),
  }),
);

export const tencentRepliesSchema = lazy(() => z.array(tencentReplySchema()).min(1).max(500));

/** Tencent Cloud SMS status callback (短信下发状态): a JSON array. */
export const tencentStatusSchema = lazy(() =>
  z
    .array(
      z.object({
        user_receive_time: localTime(),
        nationcode: z.string().regex(/^\d{1,4}$/),
        mobile: phone(),
        report_status: z.enum(['SUCCESS', 'FAIL']),
        errmsg: shortText(),
        description: shortText(),
        /** The send's id: SendSms's SerialNo. */
        sid: z.string().min(1).max(128),
      }),
    )
    .min(1)
    .max(500),
);

/** What each provider expects back once a push is accepted. */
export const aliyunAckSchema = lazy(() => z.object({ code: z.literal(0), msg: z.string() }));
export const tencentAckSchema = lazy(() => z.object({ result: z.literal(0), errmsg: z.string() }));
