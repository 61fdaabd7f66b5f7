import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { providerTemplateIds } from '#shared/domain/sms/templates';
import {
  aliyunSmsReportEvent,
  aliyunSmsUpEvent,
  chinaTime,
  decodeMnsBody,
  mnsMessageEvent,
} from '#shared/gateways/sms-pull/aliyun-mns';
import {
  tencentEndpoint,
  tencentReplyEvent,
  tencentStatusEvent,
} from '#shared/gateways/sms-pull/tencent-pull';
import { callbackEvents } from '#shared/http/sms-callbacks';

/**
 * The dedup id of a Tencent reply, computed here independently of the mapper: the national number,
 * the unix second and the text, hashed together (never the number in clear).
 */
const tencentUpId = (mobile: string, time: number, text: string) =>
  `tencent:up:${createHash('sha256').update(`${mobile}:${time}:${text}`, 'utf8').digest('hex')}`;

/** The dedup id the push callback gives the same reply (Tencent's reply callback payload). */
const pushedTencentId = (mobile: string, time: number, text: string) =>
  callbackEvents(
    { provider: 'tencent', kind: 'replies', token: 't' },
    { extend: '01', mobile, nationcode: '86', sign: '客户服务', text, time },
    new Date(),
  )[0]?.dedupId;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64');

/** Aliyun's documented SmsUp sample (MNS consumption mode). */
const smsUp = {
  phone_number: '13800138000',
  send_time: '2017-06-01 10:00:00',
  content: '1',
  sign_name: '【阿里云】',
  dest_code: '123456',
  sequence_id: 123456,
};

/** Aliyun's documented SmsReport sample. */
const smsReport = {
  phone_number: '13800138000',
  success: true,
  biz_id: '1234^345',
  out_id: 'sms-01',
  send_time: '2017-06-01 10:00:00',
  report_time: '2017-06-01 10:00:05',
  err_code: 'DELIVERED',
  err_msg: '用户接收成功',
  sms_size: '1',
};

describe('Aliyun MNS messages -> inbound events', () => {
  it('maps SmsUp to a reply with the push dedup id aliyun:up:{sequence_id}, E.164 phone, Beijing time', () => {
    expect(aliyunSmsUpEvent(smsUp)).toEqual({
      kind: 'reply',
      provider: 'aliyun',
      dedupId: 'aliyun:up:123456',
      phone: '+8613800138000',
      text: '1',
      receivedAt: '2017-06-01T02:00:00.000Z',
    });
    // sequence_id as a string gives the same id; the compact time format is read too.
    const asString = aliyunSmsUpEvent({ ...smsUp, sequence_id: '123456', send_time: '20170601100000' });
    expect(asString?.dedupId).toBe('aliyun:up:123456');
    expect(asString?.kind === 'reply' && asString.receivedAt).toBe('2017-06-01T02:00:00.000Z');
  });

  it('refuses an SmsUp without sequence id, content or a mobile number', () => {
    expect(aliyunSmsUpEvent({ ...smsUp, sequence_id: undefined })).toBeUndefined();
    expect(aliyunSmsUpEvent({ ...smsUp, content: 5 })).toBeUndefined();
    expect(aliyunSmsUpEvent({ ...smsUp, phone_number: '4001234567' })).toBeUndefined();
    expect(aliyunSmsUpEvent({ ...smsUp, send_time: 'yesterday' })).toBeUndefined();
    expect(aliyunSmsUpEvent({ ...smsUp, send_time: 'yesterday' }, '2017-06-01T02:00:01.000Z')).toMatchObject({
      receivedAt: '2017-06-01T02:00:01.000Z',
    });
  });

  it('maps SmsReport to a receipt aliyun:rpt:{biz_id} with out_id as our message id', () => {
    expect(aliyunSmsReportEvent(smsReport)).toEqual({
      kind: 'receipt',
      provider: 'aliyun',
      dedupId: 'aliyun:rpt:1234^345',
      smsId: 'sms-01',
      providerMessageId: '1234^345',
      delivered: true,
      at: '2017-06-01T02:00:05.000Z',
    });
    const failed = aliyunSmsReportEvent({ ...smsReport, success: false, err_code: 'MOBILE_NOT_ON_SERVICE' });
    expect(failed).toMatchObject({ delivered: false, code: 'MOBILE_NOT_ON_SERVICE' });
    expect(aliyunSmsReportEvent({ ...smsReport, success: 'false', out_id: '' })).not.toHaveProperty('smsId');
    expect(aliyunSmsReportEvent({ ...smsReport, biz_id: '' })).toBeUndefined();
    expect(aliyunSmsReportEvent({ ...smsReport, success: 'maybe' })).toBeUndefined();
  });

  it('reads MNS bodies base64-encoded (as the Alicom queues carry them) or as plain JSON', () => {
    expect(decodeMnsBody(b64(smsUp))).toEqual(smsUp);
    expect(decodeMnsBody(JSON.stringify(smsUp))).toEqual(smsUp);
    expect(decodeMnsBody(b64([smsUp]))).toBeUndefined();
    expect(decodeMnsBody('%%% not base64 json')).toBeUndefined();
    expect(decodeMnsBody(undefined)).toBeUndefined();
    const m = {
      MessageId: 'M1',
      MessageBody: b64({ ...smsReport, report_time: undefined, send_time: undefined }),
      EnqueueTime: '1496282405000',
    };
    expect(mnsMessageEvent('SmsReport', m)).toMatchObject({ at: '2017-06-01T02:00:05.000Z' });
    expect(mnsMessageEvent('SmsUp', { MessageBody: b64(smsReport) })).toBeUndefined();
  });

  it('reads Beijing wall-clock times (UTC+8) and nothing else', () => {
    expect(chinaTime('2021-09-06 15:53:20')).toBe('2021-09-06T07:53:20.000Z');
    expect(chinaTime('20150101000000')).toBe('2014-12-31T16:00:00.000Z');
    expect(chinaTime('2021-02-30 10:00:00')).toBeUndefined();
    expect(chinaTime('Thu, 25 Nov 2021 10:27:00 +0800')).toBeUndefined();
    expect(chinaTime(20150101000000)).toBeUndefined();
  });
});

describe('Tencent pulled records -> inbound events', () => {
  const reply = {
    ExtendCode: '01',
    CountryCode: '86',
    PhoneNumber: '+8613800138000',
    SignName: '客户服务',
    ReplyContent: '5 很满意',
    ReplyTime: 1620734188,
    SubscriberNumber: '13800138000',
  };

  it('maps PullSmsReplyStatus to a reply with the push dedup id (mobile, unix time, sha256 of the text)', () => {
    expect(tencentReplyEvent(reply)).toEqual({
      kind: 'reply',
      provider: 'tencent',
      dedupId: tencentUpId('13800138000', 1620734188, '5 很满意'),
      phone: '+8613800138000',
      text: '5 很满意',
      receivedAt: '2021-05-11T11:56:28.000Z',
    });
    // Only SubscriberNumber, or the 2019 API's ReplyUnixTime: the same id.
    const { PhoneNumber: _p, ReplyTime: _t, ...rest } = reply;
    expect(tencentReplyEvent({ ...rest, ReplyUnixTime: 1620734188 } as never)?.dedupId).toBe(
      tencentUpId('13800138000', 1620734188, '5 很满意'),
    );
    // The push of the same reply gives the same id, and no id carries the number.
    expect(pushedTencentId('13800138000', 1620734188, '5 很满意')).toBe(tencentReplyEvent(reply)?.dedupId);
    expect(tencentReplyEvent(reply)?.dedupId).not.toContain('13800138000');
    expect(tencentReplyEvent(reply)?.dedupId).not.toContain('8000');
    expect(tencentReplyEvent({ ...reply, ReplyTime: undefined })).toBeUndefined();
    expect(
      tencentReplyEvent({ ...reply, PhoneNumber: '+85291234567', SubscriberNumber: '91234567' }),
    ).toBeUndefined();
  });

  it('maps PullSmsSendStatus to a receipt tencent:rpt:{SerialNo} with SessionContext as our id', () => {
    const status = {
      UserReceiveTime: 1620734188,
      CountryCode: '86',
      SubscriberNumber: '13800138000',
      PhoneNumber: '+8613800138000',
      SerialNo: '2028:f825e6b16e23f73f4123',
      ReportStatus: 'SUCCESS',
      Description: '用户短信送达成功',
      SessionContext: 'sms-02',
    };
    expect(tencentStatusEvent(status)).toEqual({
      kind: 'receipt',
      provider: 'tencent',
      dedupId: 'tencent:rpt:2028:f825e6b16e23f73f4123',
      smsId: 'sms-02',
      providerMessageId: '2028:f825e6b16e23f73f4123',
      delivered: true,
      at: '2021-05-11T11:56:28.000Z',
    });
    expect(tencentStatusEvent({ ...status, ReportStatus: 'FAIL', Description: '用户关机' })).toMatchObject({
      delivered: false,
      code: '用户关机',
    });
    expect(tencentStatusEvent({ ...status, SessionContext: '' })).not.toHaveProperty('smsId');
    expect(tencentStatusEvent({ ...status, ReportStatus: undefined })).toBeUndefined();
    expect(tencentStatusEvent({ ...status, SerialNo: '' })).toBeUndefined();
  });

  it('reads TENCENT_SMS_ENDPOINT as a host or a URL for the SDK', () => {
    expect(tencentEndpoint(undefined)).toEqual({ host: 'sms.tencentcloudapi.com', protocol: 'https://' });
    expect(tencentEndpoint('http://127.0.0.1:8123')).toEqual({ host: '127.0.0.1:8123', protocol: 'http://' });
    expect(tencentEndpoint('sms.ap-guangzhou.tencentcloudapi.com')).toEqual({
      host: 'sms.ap-guangzhou.tencentcloudapi.com',
      protocol: 'https://',
    });
  });
});

describe('reconcile settings', () => {
  const T = 'feedback-test';
  const codes = Object.fromEntries(providerTemplateIds.map((id) => [id, `SMS_${id}`]));
  const mns = {
    SMS_GATEWAY: 'aliyun',
    ALIYUN_ACCESS_KEY_ID: 'LTAI5tTestKeyId',
    ALIYUN_ACCESS_KEY_SECRET: 'aliyun-test-secret',
    RULES: JSON.stringify({ sms: { templateCodes: codes } }),
    ALIYUN_MNS_ENDPOINT: 'https://1943695596114318.mns.cn-hangzhou.aliyuncs.com',
    ALIYUN_ACCOUNT_ID: '1943695596114318',
    ALIYUN_MNS_QUEUE_SMS_UP: 'Alicom-Queue-1234567890-SmsUp',
  };

  it('accepts a complete MNS setting and the Tencent defaults', () => {
    const c = loadConfig({ TABLE_NAME: T, ...mns, ALIYUN_MNS_ENDPOINT: 'http://127.0.0.1:9001' });
    expect(c.ALIYUN_MNS_QUEUE_SMS_UP).toBe('Alicom-Queue-1234567890-SmsUp');
    expect(loadConfig({ TABLE_NAME: T, ...mns }).TENCENT_SMS_REGION).toBe('ap-guangzhou');
  });

  it('names what is missing or wrong', () => {
    expect(() =>
      loadConfig({ TABLE_NAME: T, ...mns, ALIYUN_MNS_ENDPOINT: undefined, ALIYUN_ACCOUNT_ID: undefined }),
    ).toThrow(/ALIYUN_MNS_ENDPOINT: needed.*ALIYUN_ACCOUNT_ID: needed/);
    expect(() => loadConfig({ TABLE_NAME: T, ...mns, ALIYUN_MNS_QUEUE_SMS_UP: undefined })).toThrow(
      /ALIYUN_MNS_QUEUE_SMS_UP: set it or ALIYUN_MNS_QUEUE_SMS_REPORT/,
    );
    expect(() =>
      loadConfig({ TABLE_NAME: T, ...mns, ALIYUN_MNS_ENDPOINT: 'http://mns.example.com' }),
    ).toThrow(/ALIYUN_MNS_ENDPOINT: http:\/\/ only to loopback/);
    expect(() =>
      loadConfig({ TABLE_NAME: T, ...mns, ALIYUN_MNS_ENDPOINT: 'https://x.example.com/q?a=1' }),
    ).toThrow(/ALIYUN_MNS_ENDPOINT: no query/);
    expect(() => loadConfig({ TABLE_NAME: T, ...mns, ALIYUN_MNS_QUEUE_SMS_REPORT: 'bad name!' })).toThrow(
      /ALIYUN_MNS_QUEUE_SMS_REPORT: expected an MNS queue name/,
    );
    expect(() => loadConfig({ TABLE_NAME: T, ...mns, SMS_GATEWAY: 'outbox' })).toThrow(
      /ALIYUN_MNS_ENDPOINT: the MNS queues are only read with SMS_GATEWAY=aliyun/,
    );
  });
});
