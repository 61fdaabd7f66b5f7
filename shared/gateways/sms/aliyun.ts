import type { AliyunKeys, ProviderCredentials, ProviderEndpoint } from '#shared/config/sms-provider';
import type { Rules } from '#shared/domain/rules';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import { classifyAliyunError } from '#shared/gateways/sms/aliyun-errors';
import { templateSmsGateway } from '#shared/gateways/sms/by-template';
import type { SmsGateway } from '#shared/gateways/sms/gateway';
import { aliyunKeysSchema, providerKeys } from '#shared/gateways/sms/provider-keys';
import { onceUntilFailure } from '#shared/runtime/once';

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
  const keys = providerKeys(settings.credentials, aliyunKeysSchema());
  const client = onceUntilFailure(async (): Promise<SendSms> => {
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
  });
  const sendSms: SendSms = async (request) => (await client())(request);

  return templateSmsGateway(
    'aliyun',
    rules,
    classifyAliyunError,
    async ({ phone, templateCode, params, smsId }) => {
      const res = await sendSms({
        phoneNumbers: phone.slice(-11),
        signName: rules.sms.signature,
        templateCode,
        // Optional: a template without variables is sent without it.
        ...(Object.keys(params).length > 0 ? { templateParam: JSON.stringify(params) } : {}),
        outId: smsId,
      });
      return res.code === 'OK' && res.bizId
        ? { accepted: true, messageId: res.bizId }
        : { accepted: false, code: res.code ?? 'no_code' };
    },
  );
}
