import type { Rules } from '#shared/domain/rules';
import { renderSms, type TemplateId } from '#shared/domain/sms/templates';
import { putSms } from '#shared/store/outbox';
import type { TxItem } from '#shared/store/tx';

/**
 * What answering a customer's message (by SMS or on the web page) comes to: the outcome, the
 * items of its one transaction, and the SMS (and alerts) to deliver once it committed.
 */
export interface AnswerPlan<O extends string = string> {
  outcome: O;
  items: TxItem[];
  sms: string[];
}

/**
 * A fixed-text SMS to the customer (a thank-you, a question, a notice), queued in the outbox
 * under `smsId` (derived from its cause, so a cause sends it once).
 */
export function customerSms(
  rules: Rules,
  smsId: string,
  to: string,
  template: TemplateId,
  at: Date,
  surveyId?: string,
  vars: Record<string, string> = {},
): { item: TxItem; smsId: string } {
  const rendered = renderSms(template, vars, rules.sms.signature, rules.sms.optOutHint);
  return { item: putSms({ smsId, to, rendered, ...(surveyId ? { surveyId } : {}) }, at), smsId };
}
