import type { Rules } from '#shared/domain/rules';
import type { TemplateId } from '#shared/domain/sms/templates';

/**
 * What the customer is told after a dissatisfied rating, a complaint, or a text with no open
 * survey (docs/domain.md section 6, "What the customer is told"): when the callback will come,
 * from `callbacks.contactWithinHours`, and the hotline (`sms.hotline`) when one is configured.
 * Pure: picks the template variant and its values.
 */
export type Notice = 'thanks_callback' | 'no_open_survey' | 'complaint_received';

/**
 * The hours promised to the customer: the contact deadline rounded UP to whole hours (a deadline
 * of 1.5 h is told as 2 h: never sooner than the case's own deadline can keep). 1-720, so at
 * most three digits in the text.
 */
export function promisedHours(rules: Rules): string {
  return String(Math.max(1, Math.ceil(rules.callbacks.contactWithinHours)));
}

const variants: Record<Notice, { plain: TemplateId; hotline: TemplateId; hours: boolean }> = {
  thanks_callback: { plain: 'thanks_callback', hotline: 'thanks_callback_hotline', hours: true },
  no_open_survey: { plain: 'no_open_survey', hotline: 'no_open_survey_hotline', hours: false },
  complaint_received: { plain: 'complaint_received', hotline: 'complaint_received_hotline', hours: true },
};

/** The template and values of a notice: the variant naming the hotline when `sms.hotline` is set. */
export function noticeSms(
  rules: Rules,
  notice: Notice,
): { template: TemplateId; vars: Record<string, string> } {
  const v = variants[notice];
  const hotline = rules.sms.hotline;
  return {
    template: hotline ? v.hotline : v.plain,
    vars: {
      ...(v.hours ? { hours: promisedHours(rules) } : {}),
      ...(hotline ? { hotline } : {}),
    },
  };
}
