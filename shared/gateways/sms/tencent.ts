import type { ProviderCredentials, ProviderEndpoint, TencentKeys } from '#shared/config/sms-provider';
import type { Rules } from '#shared/domain/rules';
import { templates } from '#shared/domain/sms/templates';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import { templateSmsGateway } from '#shared/gateways/sms/by-template';
import type { SmsGateway } from '#shared/gateways/sms/gateway';
import { providerKeys, tencentKeysSchema } from '#shared/gateways/sms/provider-keys';
import { classifyTencentError } from '#shared/gateways/sms/tencent-errors';
import { onceUntilFailure } from '#shared/runtime/once';

type SendSms = (request: {
  PhoneNumberSet: string[];
  SmsSdkAppId: string;
  SignName: string;
  TemplateId: string;
  TemplateParamSet: string[];
  SessionContext: string;
}) => Promise<{ SendStatusSet?: Array<{ Code?: string; SerialNo?: string }> }>;

/**
 * Tencent Cloud SMS (SMS_GATEWAY=tencent): the official `tencentcloud-sdk-nodejs-sms` v20210111
 * client's SendSms, by registered template: PhoneNumberSet = [+86...], SmsSdkAppId, SignName =
 * RULES `sms.signature`, TemplateId = RULES `sms.templateCodes[templateId]`, TemplateParamSet =
 * the variables in the template's `vars` order (the registered text's {1}, {2}...), SessionContext
 * = our message id. Success is SendStatusSet[0].Code `Ok`, the message id its SerialNo. Refusals
 * are classified by tencent-errors.ts; the reason is `tencent:<Code>`. The SDK is loaded, and the
 * keys read, on the first send.
 */
export function tencentSmsGateway(
  settings: {
    endpoint: ProviderEndpoint;
    region: string;
    sdkAppId: string;
    credentials: ProviderCredentials<TencentKeys>;
  },
  rules: Rules,
): SmsGateway {
  const keys = providerKeys(settings.credentials, tencentKeysSchema());
  const client = onceUntilFailure(async (): Promise<SendSms> => {
    const [{ tencentSms }, k] = await Promise.all([providerSdks(), keys()]);
    const { sms } = tencentSms;
    const sdk = new sms.v20210111.Client({
      credential: { secretId: k.secretId, secretKey: k.secretKey },
      region: settings.region,
      profile: {
        httpProfile: {
          endpoint: settings.endpoint.host,
          protocol: settings.endpoint.protocol === 'http' ? 'http://' : 'https://',
          reqTimeout: 10,
        },
      },
    });
    const send: SendSms = (r) => sdk.SendSms(r);
    return send;
  });
  const sendSms: SendSms = async (request) => (await client())(request);

  return templateSmsGateway(
    'tencent',
    rules,
    classifyTencentError,
    async ({ phone, templateCode, templateId, params, smsId }) => {
      const res = await sendSms({
        PhoneNumberSet: [phone],
        SmsSdkAppId: settings.sdkAppId,
        SignName: rules.sms.signature,
        TemplateId: templateCode,
        TemplateParamSet: templates[templateId].vars.map((v) => params[v] ?? ''),
        SessionContext: smsId,
      });
      const status = res.SendStatusSet?.[0];
      return status?.Code === 'Ok' && status.SerialNo
        ? { accepted: true, messageId: status.SerialNo }
        : { accepted: false, code: status?.Code ?? 'no_status' };
    },
  );
}
