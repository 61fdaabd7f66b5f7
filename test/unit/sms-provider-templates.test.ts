import { describe, expect, it } from 'vitest';
import { parseRules } from '#shared/domain/rules';
import { smsSegments, UCS2_SINGLE_SEGMENT } from '#shared/domain/sms/segments';
import {
  DEFAULT_OPT_OUT_HINT,
  OPT_OUT_HINT_MAX,
  providerTemplateIds,
  recoverSmsParams,
  renderSms,
  type TemplateId,
  templates,
} from '#shared/domain/sms/templates';
import { classifyAliyunError } from '#shared/gateways/sms/aliyun-errors';
import { classifyTencentError } from '#shared/gateways/sms/tencent-errors';
import { exampleValues, fillProviderText, providerTemplates } from '../../infra/ops/sms-templates.ts';

const ids = Object.keys(templates) as TemplateId[];
const varsOf = (id: TemplateId, values: Readonly<Record<string, string>>) =>
  Object.fromEntries(templates[id].vars.map((v) => [v, values[v] ?? '']));

describe('npm run sms-templates: the provider texts', () => {
  it.each([
    ['aliyun', DEFAULT_OPT_OUT_HINT],
    ['tencent', DEFAULT_OPT_OUT_HINT],
    ['aliyun', '拒收请回复R'],
    ['tencent', '拒收请回复R'],
  ] as const)(
    '%s with %s: the registered text filled with the example equals renderSms (minus 【signature】)',
    (provider, hint) => {
      const list = providerTemplates(provider, hint);
      expect(list.map((t) => t.id)).toEqual(providerTemplateIds);
      for (const t of list) {
        const rendered = renderSms(t.id, varsOf(t.id, exampleValues), '客户服务', hint);
        const filled = fillProviderText(t.text, provider, t.variables, rendered.params);
        expect(`【客户服务】${filled}`, t.id).toBe(rendered.body);
        expect(t.example, t.id).toBe(rendered.body.slice('【客户服务】'.length));
      }
    },
  );

  it('uses each provider’s variable syntax: $-name for Aliyun, {1}.. in the variables’ order for Tencent', () => {
    const aliyun = providerTemplates('aliyun').find((t) => t.id === 'survey');
    const tencent = providerTemplates('tencent').find((t) => t.id === 'survey');
    const aliyunVar = (name: string) => ['$', '{', name, '}'].join('');
    expect(aliyun?.text).toBe(
      `您好，${aliyunVar('engineerName')}师傅已为您完成${aliyunVar('job')}，请评价：回复1满意，2基本满意，3不满意。回T退订`,
    );
    expect(tencent?.text).toBe('您好，{1}师傅已为您完成{2}，请评价：回复1满意，2基本满意，3不满意。回T退订');
    expect(tencent?.variables).toEqual(['engineerName', 'job']);
  });

  it('registers no link template: survey_link is not sent by template', () => {
    expect(providerTemplateIds).not.toContain('survey_link');
    for (const provider of ['aliyun', 'tencent'] as const) {
      for (const t of providerTemplates(provider)) expect(t.variables).not.toContain('link');
    }
  });
});

describe('template wording for the providers', () => {
  it('no template says 问卷调查 or 好评 (a service notice, 服务回访)', () => {
    for (const id of ids) {
      for (const hint of [DEFAULT_OPT_OUT_HINT, '拒收请回复R']) {
        const { body } = renderSms(id, varsOf(id, exampleValues), '客户服务', hint);
        expect(body, id).not.toMatch(/问卷|调查|好评/);
      }
    }
  });

  it.each(['survey', 'reminder', 'reprompt', 'survey_link'] as const)(
    '%s ends with the configured opt-out hint',
    (id) => {
      expect(renderSms(id, varsOf(id, exampleValues), '客户服务', '拒收请回复R').body).toMatch(
        /。?拒收请回复R$/,
      );
      expect(renderSms(id, varsOf(id, exampleValues), '客户服务').body.endsWith(DEFAULT_OPT_OUT_HINT)).toBe(
        true,
      );
    },
  );

  it('the longest opt-out hint RULES accepts is OPT_OUT_HINT_MAX characters', () => {
    expect(
      parseRules(JSON.stringify({ sms: { optOutHint: `回T${'订'.repeat(OPT_OUT_HINT_MAX - 2)}` } })).sms
        .optOutHint,
    ).toHaveLength(OPT_OUT_HINT_MAX);
    expect(() =>
      parseRules(JSON.stringify({ sms: { optOutHint: `回T${'订'.repeat(OPT_OUT_HINT_MAX - 1)}` } })),
    ).toThrow(/optOutHint/);
  });

  it.each(providerTemplateIds)(
    '%s fits ONE segment with the longest signature, name, job and the longest hint',
    (id) => {
      const longest = { engineerName: '欧阳一二三四五六七八', job: '宽带装机' };
      const { body } = renderSms(id, varsOf(id, longest), '中国移动江西分公', '拒'.repeat(OPT_OUT_HINT_MAX));
      expect(body.length).toBeLessThanOrEqual(UCS2_SINGLE_SEGMENT);
      expect(smsSegments(body)).toBe(1);
    },
  );
});

describe('renderSms params', () => {
  it('are the variables as rendered: the name without 师傅, an unsafe name left out', () => {
    expect(renderSms('survey', { engineerName: '王师傅', job: '故障维修' }, '客户服务').params).toEqual({
      engineerName: '王',
      job: '故障维修',
    });
    expect(renderSms('survey', { engineerName: 't.cn/abc', job: '移机' }, '客户服务').params).toEqual({
      engineerName: '',
      job: '移机',
    });
    expect(renderSms('thanks', {}, '客户服务').params).toEqual({});
  });
});

describe('recoverSmsParams (messages written before params were kept)', () => {
  it.each(ids)('%s: reads back the params of its rendered body, whatever the signature', (id) => {
    for (const values of [exampleValues, { engineerName: '', job: '移机', link: 'https://x.cn/s/A' }]) {
      const r = renderSms(id, varsOf(id, values), '江西移动');
      expect(recoverSmsParams(id, r.body)).toEqual(r.params);
    }
  });

  it('accepts any of the given hints (the hint may have changed since)', () => {
    const old = renderSms('survey', { engineerName: '张伟', job: '移机' }, '客户服务');
    expect(recoverSmsParams('survey', old.body, ['拒收请回复R'])).toBeUndefined();
    expect(recoverSmsParams('survey', old.body, ['拒收请回复R', DEFAULT_OPT_OUT_HINT])).toEqual(old.params);
  });

  it('is undefined when the body does not match its template', () => {
    expect(recoverSmsParams('thanks', '【客户服务】一条旧的文字')).toBeUndefined();
    expect(
      recoverSmsParams('survey', renderSms('reminder', { engineerName: '张', job: '移机' }, '客户服务').body),
    ).toBeUndefined();
    expect(recoverSmsParams('thanks', renderSms('thanks', {}, '客户服务').body.slice(1))).toBeUndefined();
  });
});

describe('provider error classification', () => {
  it.each([
    ['isv.MOBILE_NUMBER_ILLEGAL', 'permanent'],
    ['isv.SMS_TEMPLATE_ILLEGAL', 'permanent'],
    ['isv.SMS_SIGNATURE_ILLEGAL', 'permanent'],
    ['isv.TEMPLATE_MISSING_PARAMETERS', 'permanent'],
    ['isv.INVALID_PARAMETERS', 'permanent'],
    ['isv.PARAM_NOT_SUPPORT_URL', 'permanent'],
    ['isv.BLACK_KEY_CONTROL_LIMIT', 'permanent'],
    ['isv.BUSINESS_LIMIT_CONTROL', 'transient'],
    ['isv.DAY_LIMIT_CONTROL', 'transient'],
    ['Throttling.User', 'transient'],
    ['isp.SYSTEM_ERROR', 'transient'],
    ['ServiceUnavailable', 'transient'],
    ['isv.AMOUNT_NOT_ENOUGH', 'transient'],
    ['SignatureDoesNotMatch', 'transient'],
    ['isv.SOMETHING_NEW', 'transient'],
    ['constructor', 'transient'],
  ] as const)('Aliyun %s is %s', (code, expected) => {
    expect(classifyAliyunError(code)).toBe(expected);
  });

  it.each([
    ['FailedOperation.PhoneNumberInBlacklist', 'permanent'],
    ['FailedOperation.TemplateIncorrectOrUnapproved', 'permanent'],
    ['FailedOperation.SignatureIncorrectOrUnapproved', 'permanent'],
    ['FailedOperation.ContainSensitiveWord', 'permanent'],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'permanent'],
    ['InvalidParameterValue.ProhibitedUseUrlInTemplateParameter', 'permanent'],
    ['InvalidParameterValue.SomethingNew', 'permanent'],
    ['LimitExceeded.PhoneNumberCountLimit', 'permanent'],
    ['LimitExceeded.PhoneNumberDailyLimit', 'transient'],
    ['LimitExceeded.DeliveryFrequencyLimit', 'transient'],
    ['RequestLimitExceeded', 'transient'],
    ['InternalError.Timeout', 'transient'],
    ['AuthFailure.SignatureFailure', 'transient'],
    ['InvalidParameterValue.SdkAppIdNotExist', 'transient'],
    ['FailedOperation.InsufficientBalanceInSmsPackage', 'transient'],
    ['UnauthorizedOperation.SerivceSuspendDueToArrears', 'transient'],
    ['FailedOperation.SomethingNew', 'transient'],
    ['toString', 'transient'],
  ] as const)('Tencent %s is %s', (code, expected) => {
    expect(classifyTencentError(code)).toBe(expected);
  });
});
