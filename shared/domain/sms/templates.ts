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
  | 'thanks_callback_hotline'
  | 'thanks_comment'
  | 'opt_out_confirm'
  | 'no_open_survey'
  | 'no_open_survey_hotline'
  | 'complaint_received'
  | 'complaint_received_hotline'
  | 'survey_link'
  | 'complaint_progress'
  | 'complaint_result';

export interface Template {
  id: TemplateId;
  version: number;
  /** The text; a template that ends with the opt-out hint says so by `optOutHint` (the hint is appended). */
  text: string;
  vars: readonly string[];
  /** The text ends with the opt-out hint (RULES `sms.optOutHint`), appended when rendering. */
  optOutHint?: true;
}

/** The opt-out hint of the templates that carry it, unless RULES `sms.optOutHint` says otherwise. */
export const DEFAULT_OPT_OUT_HINT = '回T退订';
/**
 * The longest hint RULES `sms.optOutHint` accepts: every template a provider registers still fits
 * one segment with it. (survey_link's link then has 2 units less than the 30 assumed above; a
 * link that does not fit falls back to the digit prompt, surveyInvitation.)
 */
export const OPT_OUT_HINT_MAX = 6;

export const templates: Record<TemplateId, Template> = {
  survey: {
    id: 'survey',
    version: 1,
    text: '您好，{engineerName}师傅已为您完成{job}，请评价：回复1满意，2基本满意，3不满意。',
    vars: ['engineerName', 'job'],
    optOutHint: true,
  },
  reminder: {
    id: 'reminder',
    version: 1,
    text: '您好，{engineerName}师傅为您完成的{job}仍期待您的评价，请回复1满意，2基本满意，3不满意。',
    vars: ['engineerName', 'job'],
    optOutHint: true,
  },
  reprompt: {
    id: 'reprompt',
    version: 1,
    text: '您好，抱歉未能识别您的回复。请回复数字：1满意，2基本满意，3不满意。',
    vars: [],
    optOutHint: true,
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
    version: 2,
    text: '感谢您的评价，给您带来不便深表歉意，服务主管将在{hours}小时内致电您了解情况。',
    vars: ['hours'],
  },
  thanks_callback_hotline: {
    id: 'thanks_callback_hotline',
    version: 1,
    text: '感谢您的评价，给您带来不便深表歉意，服务主管将在{hours}小时内致电您，您也可拨打{hotline}。',
    vars: ['hours', 'hotline'],
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
    version: 2,
    text: '您好，您的短信已收到并记录。目前没有需要您回复的服务评价，如需帮助请拨打客服热线，谢谢！',
    vars: [],
  },
  no_open_survey_hotline: {
    id: 'no_open_survey_hotline',
    version: 1,
    text: '您好，您的短信已收到并记录。目前没有需要您回复的服务评价，如需帮助请拨打{hotline}，谢谢！',
    vars: ['hotline'],
  },
  complaint_received: {
    id: 'complaint_received',
    version: 1,
    text: '您好，您反映的问题已登记，我们将在{hours}小时内与您联系处理，给您带来不便深表歉意。',
    vars: ['hours'],
  },
  complaint_received_hotline: {
    id: 'complaint_received_hotline',
    version: 1,
    text: '您好，您反映的问题已登记，我们将在{hours}小时内与您联系处理，您也可拨打{hotline}。',
    vars: ['hours', 'hotline'],
  },
  survey_link: {
    id: 'survey_link',
    version: 1,
    text: '{engineerName}师傅已完成{job}，请点击评价{link} ',
    vars: ['engineerName', 'job', 'link'],
    optOutHint: true,
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
  store_service: '营业服务',
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

export interface RenderedSms {
  templateId: TemplateId;
  templateVersion: number;
  body: string;
  /**
   * The template's variables as rendered (after the normalisation above, e.g. an engineer name
   * without its trailing 师傅): what a provider that sends by registered template receives.
   */
  params: Record<string, string>;
}

export function renderSms(
  id: TemplateId,
  vars: Record<string, string>,
  signature: string,
  optOutHint: string = DEFAULT_OPT_OUT_HINT,
): RenderedSms {
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
  const params = Object.fromEntries(template.vars.map((v) => [v, normalise(v, vars[v] ?? '')]));
  const text = templateText(id, optOutHint).replace(PLACEHOLDER, (_m, name: string) => params[name] ?? '');
  return { templateId: id, templateVersion: template.version, body: `【${signature}】${text}`, params };
}

/** A template's full text with its `{variables}` (and the opt-out hint when it carries one). */
export function templateText(id: TemplateId, optOutHint: string = DEFAULT_OPT_OUT_HINT): string {
  const template = templates[id];
  return template.optOutHint ? `${template.text}${optOutHint}` : template.text;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The variables of a message rendered before the outbox kept them (its `body`), read back by
 * matching the body against its template: `【any signature】` + the text, each `{variable}` any
 * text, ending with one of `optOutHints` when the template carries the hint. Undefined when the
 * body does not match (e.g. the template's text changed since): such a message cannot be sent by
 * template. Pure.
 */
export function recoverSmsParams(
  id: TemplateId,
  body: string,
  optOutHints: readonly string[] = [DEFAULT_OPT_OUT_HINT],
): Record<string, string> | undefined {
  const template = templates[id];
  if (!template) return undefined;
  const pattern = template.text
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? '([\\s\\S]*?)' : escapeRegExp(part)))
    .join('');
  const hints = template.optOutHint ? `(?:${optOutHints.map(escapeRegExp).join('|')})` : '';
  const match = new RegExp(`^【[^【】]*】${pattern}${hints}$`, 'u').exec(body);
  if (!match) return undefined;
  // split() with a capture group puts the placeholder names at the odd indexes, in text order.
  const names = template.text.split(PLACEHOLDER).filter((_p, i) => i % 2 === 1);
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    params[name] = match[i + 1] ?? '';
  });
  return template.vars.every((v) => v in params) ? params : undefined;
}

/**
 * The templates registered with a provider that sends by template (aliyun, tencent): all but
 * `survey_link`, whose link would be a variable, which the providers forbid (Tencent) or restrict
 * (Aliyun); the web survey is refused at start for these providers (shared/config/sms-provider.ts).
 */
export const providerTemplateIds: readonly TemplateId[] = (Object.keys(templates) as TemplateId[]).filter(
  (id) => id !== 'survey_link',
);

/**
 * The templates a provider that sends by code can be asked to send under a configuration: with a
 * hotline (`sms.hotline`) the `*_hotline` variants replace their plain templates, without one the
 * plain ones are sent and the variants never are (so they need no code).
 */
export function sendableTemplateIds(hasHotline: boolean): TemplateId[] {
  const ids = new Set<string>(providerTemplateIds);
  return providerTemplateIds.filter((id) =>
    hasHotline ? !ids.has(`${id}_hotline`) : !id.endsWith('_hotline'),
  );
}
