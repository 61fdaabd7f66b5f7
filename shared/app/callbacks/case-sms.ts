import { normalizeCnMobile } from '#shared/domain/phone';
import { quietSendTime } from '#shared/domain/quiet-spread';
import type { Rules } from '#shared/domain/rules';
import { renderSms, type TemplateId } from '#shared/domain/sms/templates';
import type { CallbackCase } from '#shared/store/callback';
import { putSms } from '#shared/store/outbox';
import type { TxItem } from '#shared/store/tx';

/**
 * A complaint notice to the customer of a case (`complaint_progress`, `complaint_result`), queued
 * in the outbox under `smsId` (one per cause) and sent out of the quiet hours (spread by `smsId`); none when the case
 * holds no number to text (erased: masked).
 */
export function caseSms(
  rules: Rules,
  c: CallbackCase,
  smsId: string,
  template: TemplateId,
  at: Date,
): TxItem[] {
  if (c.erasedAt || normalizeCnMobile(c.phone) !== c.phone) return [];
  const rendered = renderSms(template, {}, rules.sms.signature);
  const sendAt = quietSendTime(at, smsId, rules.sms.quietHours, rules.timeZone);
  return [putSms({ smsId, to: c.phone, rendered }, at, sendAt)];
}
