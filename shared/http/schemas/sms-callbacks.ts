import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/**
 * The SMS providers' pushes, as they document them (parsed at the edge: functions/sms-callbacks).
 * Fields they add later are ignored; a documented field missing or of the wrong type is a 400
 * naming it. Phone numbers are only checked to be short strings here (the documentation's samples
 * mask them, `1381111****`): a sender that is not a mainland mobile is ignored when handled.
 */
const phone = lazy(() => z.string().check(z.minLength(1), z.maxLength(32)));
/** `yyyy-MM-dd HH:mm:ss`, China Standard Time. */
const localTime = lazy(() => z.string().check(z.maxLength(32)));
const shortText = lazy(() => z.string().check(z.maxLength(256)));

/** Aliyun SmsUp (上行短信): a JSON array, several replies per push possible. */
export const aliyunSmsUpSchema = lazy(() =>
  z
    .array(
      z.object({
        phone_number: phone(),
        send_time: localTime(),
        content: z.string().check(z.maxLength(2000)),
        sign_name: shortText(),
        dest_code: z.string().check(z.maxLength(64)),
        /** The reply's id (documented as a number; a string of digits is taken as well). */
        sequence_id: z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(/^\d{1,32}$/))]),
      }),
    )
    .check(z.minLength(1), z.maxLength(500)),
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
        sms_size: z.union([z.string().check(z.maxLength(8)), z.int()]),
        biz_id: z.string().check(z.minLength(1), z.maxLength(128)),
        /** Our message id, given as OutId when sending (empty or absent when a send had none). */
        out_id: z.optional(z.string().check(z.maxLength(128))),
      }),
    )
    .check(z.minLength(1), z.maxLength(500)),
);

/** Tencent Cloud SMS reply callback (短信回复): one object (this), or an array of them. */
export const tencentReplySchema = lazy(() =>
  z.object({
    /** The channel's extension code (often empty or null). */
    extend: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
    mobile: phone(),
    nationcode: z.string().check(z.regex(/^\d{1,4}$/)),
    sign: shortText(),
    text: z.string().check(z.maxLength(2000)),
    /** Unix seconds. */
    time: z.int().check(z.nonnegative()),
  }),
);

export const tencentRepliesSchema = lazy(() =>
  z.array(tencentReplySchema()).check(z.minLength(1), z.maxLength(500)),
);

/** Tencent Cloud SMS status callback (短信下发状态): a JSON array. */
export const tencentStatusSchema = lazy(() =>
  z
    .array(
      z.object({
        user_receive_time: localTime(),
        nationcode: z.string().check(z.regex(/^\d{1,4}$/)),
        mobile: phone(),
        report_status: z.enum(['SUCCESS', 'FAIL']),
        errmsg: shortText(),
        description: shortText(),
        /** The send's id: SendSms's SerialNo. */
        sid: z.string().check(z.minLength(1), z.maxLength(128)),
      }),
    )
    .check(z.minLength(1), z.maxLength(500)),
);

/** What each provider expects back once a push is accepted. */
export const aliyunAckSchema = lazy(() => z.object({ code: z.literal(0), msg: z.string() }));
export const tencentAckSchema = lazy(() => z.object({ result: z.literal(0), errmsg: z.string() }));
