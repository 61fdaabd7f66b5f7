import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRules } from '#shared/domain/rules';
import { providerTemplateIds, type TemplateId, templates, templateText } from '#shared/domain/sms/templates';

/**
 * `npm run --silent sms-templates -- --provider aliyun|tencent [--json]`: every template a
 * provider that sends by template registers, in that provider's variable syntax (`${name}` for
 * Aliyun, `{1}`, `{2}`... for Tencent, numbered in the template's variable order), with its
 * purpose, its variables and an example, ready to register. The opt-out hint and the signature
 * are RULES's (`sms.optOutHint`, `sms.signature`): run it with the RULES the system runs with.
 * `--json` prints `[{ id, text, variables }]`.
 */

export type Provider = 'aliyun' | 'tencent';

const purposes: Record<TemplateId, string> = {
  survey: 'service follow-up (服务回访) after a completed job: asks for a rating 1/2/3',
  reminder: 'one reminder of an unanswered survey',
  reprompt: 'a reply that could not be read: asks again for 1/2/3',
  thanks: 'thanks for a rating of 1',
  reasons_question: 'after 2 or 3: asks which of six points were unsatisfactory',
  thanks_reasons: 'thanks for the reasons',
  thanks_callback: 'after 3 (不满意): a supervisor will call back within the contact deadline',
  thanks_callback_hotline: 'thanks_callback, naming the hotline (sms.hotline set)',
  thanks_comment: 'thanks for a comment',
  opt_out_confirm: 'confirms an opt-out (退订)',
  no_open_survey: 'a message while no survey is open (at most once a day): it was recorded',
  no_open_survey_hotline: 'no_open_survey, naming the hotline (sms.hotline set)',
  complaint_received: 'a complaint (投诉) was registered: when we will be in touch',
  complaint_received_hotline: 'complaint_received, naming the hotline (sms.hotline set)',
  complaint_progress: 'a complaint not closed within complaints.progressNoticeHours: it is being handled',
  complaint_result: 'a complaint closed after review: the result',
  survey_link: 'web survey link (not registered: refused with aliyun and tencent)',
};

const variableNotes: Record<string, string> = {
  engineerName: "the engineer's name without 师傅, at most 10 characters (may be empty)",
  job: 'the service, at most 4 Chinese characters (e.g. 故障维修, 宽带装机)',
  link: 'the web survey link',
  hours: 'hours until the customer is called (callbacks.contactWithinHours), 1-3 digits',
  hotline: 'the customer-service hotline (sms.hotline), e.g. 10086 or 400-123-4567',
};

/** Example values of the variables (what the test renders both ways). */
export const exampleValues: Readonly<Record<string, string>> = {
  engineerName: '张伟',
  job: '宽带装机',
  link: 'https://fb.example.cn/s/AbCdEfGhIjKlMnOp',
  hours: '24',
  hotline: '10086',
};

export interface ProviderTemplate {
  id: TemplateId;
  /** The text to register, in the provider's variable syntax. */
  text: string;
  /** The variables, in order (Tencent's {1} is the first). */
  variables: string[];
  purpose: string;
  /** The text with the example values. */
  example: string;
}

/** A template's text in the provider's variable syntax. */
export function providerText(id: TemplateId, provider: Provider, optOutHint?: string): string {
  const vars = templates[id].vars;
  return templateText(id, optOutHint).replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_m, name: string) =>
    provider === 'aliyun' ? `\${${name}}` : `{${vars.indexOf(name) + 1}}`,
  );
}

/** Fills a provider text with values, as the provider does (Aliyun by name, Tencent by position). */
export function fillProviderText(
  text: string,
  provider: Provider,
  variables: readonly string[],
  values: Readonly<Record<string, string>>,
): string {
  return provider === 'aliyun'
    ? text.replace(/\$\{([A-Za-z][A-Za-z0-9]*)\}/g, (_m, name: string) => values[name] ?? '')
    : text.replace(/\{(\d+)\}/g, (_m, n: string) => values[variables[Number(n) - 1] ?? ''] ?? '');
}

export function providerTemplates(provider: Provider, optOutHint?: string): ProviderTemplate[] {
  return providerTemplateIds.map((id) => {
    const text = providerText(id, provider, optOutHint);
    const variables = [...templates[id].vars];
    return {
      id,
      text,
      variables,
      purpose: purposes[id],
      example: fillProviderText(text, provider, variables, exampleValues),
    };
  });
}

function usage(): never {
  console.error('usage: npm run --silent sms-templates -- --provider aliyun|tencent [--json]');
  process.exit(2);
}

function main(argv: string[]): void {
  const at = argv.indexOf('--provider');
  const provider = at >= 0 ? argv[at + 1] : undefined;
  if (provider !== 'aliyun' && provider !== 'tencent') usage();
  const rules = parseRules(process.env.RULES);
  const list = providerTemplates(provider, rules.sms.optOutHint);
  if (argv.includes('--json')) {
    console.log(
      JSON.stringify(
        list.map(({ id, text, variables }) => ({ id, text, variables })),
        null,
        2,
      ),
    );
    return;
  }
  const name = provider === 'aliyun' ? 'Aliyun SMS (短信服务)' : 'Tencent Cloud SMS (短信)';
  console.log(`${name}: register the signature 【${rules.sms.signature}】 (SignName) and these templates`);
  console.log(
    'as notification templates (通知短信 / 行业通知), then set RULES sms.templateCodes.<id> to each code.',
  );
  console.log('The provider adds the signature itself; it is not part of a template text.\n');
  for (const t of list) {
    console.log(`${t.id}: ${t.purpose}`);
    console.log(`  text:      ${t.text}`);
    const vars = t.variables.map((v, i) =>
      provider === 'aliyun'
        ? `\${${v}} ${variableNotes[v] ?? ''}`
        : `{${i + 1}} ${v}: ${variableNotes[v] ?? ''}`,
    );
    console.log(`  variables: ${vars.length ? vars.join('; ') : 'none'}`);
    console.log(`  example:   ${t.example}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
