import type { TicketKind } from '#shared/domain/rules';
import { smsUnsafeReason } from '#shared/domain/sms/safe-text';

/**
 * The one registry of SMS templates (docs/domain.md section 4). Carriers only deliver text that
 * matches a registered template word for word, so every message the system sends is one of
 * these, with only the named `{variables}` changing. Changing a text means registering it
 * again with the carriers and bumping its `version`.
 *
 * The signature `【...】` is prepended by `renderSms`, never stored in a text. Every rendered
 * message must fit one UCS-2 segment (70 UTF-16 code units, not characters: a character outside
 * the BMP counts two) with the longest signature (8 characters), the longest engineer name the
 * schema accepts (10 UTF-16 units, so 10 BMP or 5 astral-plane characters), the longest job
 * label and a 30-character link; test/unit/templates.test.ts checks this for every entry.
 */

export type TemplateId =
  | 'survey'
  | 'reminder'
  | 'reprompt'
  | 'thanks'
  | 'reasons_question'
  | 'thanks_reasons'
  | 'thanks_callback'
  | 'thanks_comment'
  | 'opt_out_confirm'
  | 'no_open_survey'
  | 'survey_link'
  | 'complaint_progress'
  | 'complaint_result';

export interface Template {
  id: TemplateId;
  version: number;
  text: string;
  vars: readonly string[];
}

export const templates: Record<TemplateId, Template> = {
  survey: {
    id: 'survey',
    version: 1,
    text: '您好，{engineerName}师傅已为您完成{job}，请评价：回复1满意，2基本满意，3不满意。回T退订',
    vars: ['engineerName', 'job'],
  },
  reminder: {
    id: 'reminder',
    version: 1,
    text: '您好，{engineerName}师傅为您完成的{job}仍期待您的评价，请回复1满意，2基本满意，3不满意。回T退订',
    vars: ['engineerName', 'job'],
  },
  reprompt: {
    id: 'reprompt',
    version: 1,
    text: '您好，抱歉未能识别您的回复。请回复数字：1满意，2基本满意，3不满意。回T退订',
    vars: [],
  },
  thanks: {
    id: 'thanks',
    version: 1,
    text: '感谢您的评价，我们将继续为您提供优质服务，祝您生活愉快！',
    vars: [],
  },
  reasons_question: {
    id: 'reasons_question',
    version: 1,
    text: '请问哪里不满意？可回复多个数字：1上门不准时 2服务态度 3未穿工装工牌 4未清理现场 5问题未解决 6其他，可附意见',
    vars: [],
  },
  thanks_reasons: {
    id: 'thanks_reasons',
    version: 1,
    text: '感谢您的宝贵意见，我们将认真改进，努力为您提供更好的服务。',
    vars: [],
  },
  thanks_callback: {
    id: 'thanks_callback',
    version: 1,
    text: '感谢您的评价，给您带来不便深表歉意，服务主管将尽快致电您了解情况。',
    vars: [],
  },
  thanks_comment: {
    id: 'thanks_comment',
    version: 1,
    text: '感谢您的反馈，您的意见我们已记录，谢谢您的支持！',
    vars: [],
  },
  opt_out_confirm: {
    id: 'opt_out_confirm',
    version: 1,
    text: '您已成功退订，今后将不再向您发送服务评价短信。感谢您的支持！',
    vars: [],
  },
  no_open_survey: {
    id: 'no_open_survey',
    version: 1,
    text: '您好，目前没有需要您回复的服务评价。如需帮助，请拨打客服热线，谢谢！',
    vars: [],
  },
  survey_link: {
    id: 'survey_link',
    version: 1,
    text: '{engineerName}师傅已完成{job}，请点击评价{link} 回T退订',
    vars: ['engineerName', 'job', 'link'],
  },
  complaint_progress: {
    id: 'complaint_progress',
    version: 1,
    text: '您好，您反映的问题我们正在加紧处理，处理完毕后将及时告知您结果，感谢您的耐心与理解。',
    vars: [],
  },
  complaint_result: {
    id: 'complaint_result',
    version: 1,
    text: '您好，您反映的问题已处理完毕，感谢您的理解与支持。如仍有疑问，请拨打客服热线。',
    vars: [],
  },
};

const jobLabels: Record<TicketKind, string> = {
  repair: '故障维修',
  install: '宽带装机',
  move: '移机',
  removal: '拆机',
  activation: '业务开通',
  inspection: '上门巡检',
  store_sale: '购机服务',
  new_business: '业务办理',
};

/** Short Chinese label of a ticket kind (at most 4 characters), used as the `{job}` variable. */
export function jobLabel(kind: TicketKind): string {
  return jobLabels[kind];
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/**
 * `【signature】` + the template text with its variables filled in.
 * Throws when a declared variable is missing or an undeclared one is given.
 * Values are inserted as they are (a `{x}` inside a value is not expanded).
 */
/** The longest engineer name the webhook accepts (UTF-16 units): what the one-segment checks assume. */
const ENGINEER_NAME_MAX = 10;

/**
 * Values as the templates address them: the texts say `{engineerName}师傅`, so a name recorded
 * as "王师傅" is not doubled into "王师傅师傅". A name the webhook would refuse today (a link,
 * a control character, 【】, too long: stored before the rule existed) is left out, and the text
 * reads "师傅" alone, rather than reaching the customer.
 */
function normalise(name: string, value: string): string {
  if (name !== 'engineerName') return value;
  if (value.length > ENGINEER_NAME_MAX || smsUnsafeReason(value)) return '';
  return value.replace(/\s*师傅$/, '') || value;
}

export function renderSms(
  id: TemplateId,
  vars: Record<string, string>,
  signature: string,
): { templateId: TemplateId; templateVersion: number; body: string } {
  const template = templates[id];
  if (!template) throw new Error(`Unknown SMS template: ${String(id)}`);
  const missing = template.vars.filter((v) => typeof vars[v] !== 'string');
  const extra = Object.keys(vars).filter((v) => !template.vars.includes(v));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      extra.length > 0 ? `unexpected ${extra.join(', ')}` : '',
    ].filter(Boolean);
    throw new Error(`SMS template ${id}: ${parts.join('; ')}`);
  }
  const text = template.text.replace(PLACEHOLDER, (_m, name: string) => normalise(name, vars[name] ?? ''));
  return { templateId: id, templateVersion: template.version, body: `【${signature}】${text}` };
}
