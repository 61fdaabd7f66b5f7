import type { AliyunKeys, ProviderCredentials, ProviderEndpoint } from '#shared/config/sms-provider';
import { normalizeCnMobile } from '#shared/domain/phone';
import type { Rules } from '#shared/domain/rules';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import { classifyAliyunError } from '#shared/gateways/sms/aliyun-errors';
import type { SmsGateway, SmsSendResult } from '#shared/gateways/sms/gateway';
import { aliyunKeysSchema, providerKeys } from '#shared/gateways/sms/provider-keys';

type SendSms = (request: {
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  templateParam?: string;
  outId: string;
}) => Promise<{ code?: string; bizId?: string }>;

/**
 * Aliyun SMS (SMS_GATEWAY=aliyun): the official `@alicloud/dysmsapi20170525` client's SendSms,
 * by registered template: PhoneNumbers = the 11-digit domestic number, SignName = RULES
 * `sms.signature`, TemplateCode = RULES `sms.templateCodes[templateId]`, TemplateParam = the
 * template's variables as JSON, OutId = our message id (the delivery receipt quotes it).
 * Success is Code `OK`, the message id BizId. Refusals are classified by aliyun-errors.ts; the
 * reason is `aliyun:<Code>`. The SDK is loaded, and the keys read, on the first send.
 */
export function aliyunSmsGateway(
  settings: { endpoint: ProviderEndpoint; credentials: ProviderCredentials<AliyunKeys> },
  rules: Rules,
): SmsGateway {
  const keys = providerKeys(settings.credentials, aliyunKeysSchema);
  let client: Promise<SendSms> | undefined;
  const sendSms: SendSms = async (request) => {
    client ??= (async () => {
      const [{ dysms, openapiCore }, k] = await Promise.all([providerSdks(), keys()]);
      const { $OpenApiUtil } = openapiCore;
      // A CommonJS module: its class is `default`, or `default.default` where the loader wraps it.
      const Dysms =
        typeof dysms.default === 'function'
          ? dysms.default
          : (dysms.default as unknown as { default: typeof dysms.default }).default;
      const { SendSmsRequest } = dysms;
      const sdk = new Dysms(
        new $OpenApiUtil.Config({
          accessKeyId: k.accessKeyId,
          accessKeySecret: k.accessKeySecret,
          endpoint: settings.endpoint.host,
          protocol: settings.endpoint.protocol,
        }),
      );
      const send: SendSms = async (r) => (await sdk.sendSms(new SendSmsRequest(r))).body ?? {};
      return send;
    })().catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return (await client)(request);
  };

  return {
    async send({ to, templateId, params, smsId }): Promise<SmsSendResult> {
      const phone = normalizeCnMobile(to);
      if (!phone) return { ok: false, failure: 'permanent', reason: 'aliyun:not_a_mainland_mobile' };
      const templateCode = rules.sms.templateCodes[templateId];
      // Checked at start for every template the system sends; a message of another one cannot go.
      if (!templateCode)
        return { ok: false, failure: 'permanent', reason: `aliyun:no_template_code:${templateId}` };
      try {
        const res = await sendSms({
          phoneNumbers: phone.slice(-11),
          signName: rules.sms.signature,
          templateCode,
          // Optional: a template without variables is sent without it.
          ...(Object.keys(params).length > 0 ? { templateParam: JSON.stringify(params) } : {}),
          outId: smsId,
        });
        if (res.code === 'OK' && res.bizId) return { ok: true, messageId: res.bizId };
        const code = res.code ?? 'no_code';
        return { ok: false, failure: classifyAliyunError(code), reason: `aliyun:${code}` };
      } catch (err) {
        // The error's code only: the provider's messages may quote the request (the number).
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && code !== '') {
          return { ok: false, failure: classifyAliyunError(code), reason: `aliyun:${code}` };
        }
        return {
          ok: false,
          failure: 'transient',
          reason: `aliyun:${err instanceof Error ? err.name : 'Error'}`,
        };
      }
    },
  };
}
