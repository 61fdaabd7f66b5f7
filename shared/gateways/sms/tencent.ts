import type { ProviderCredentials, ProviderEndpoint, TencentKeys } from '#shared/config/sms-provider';
import { normalizeCnMobile } from '#shared/domain/phone';
import type { Rules } from '#shared/domain/rules';
import { templates } from '#shared/domain/sms/templates';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import type { SmsGateway, SmsSendResult } from '#shared/gateways/sms/gateway';
import { providerKeys, tencentKeysSchema } from '#shared/gateways/sms/provider-keys';
import { classifyTencentError } from '#shared/gateways/sms/tencent-errors';

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
  const keys = providerKeys(settings.credentials, tencentKeysSchema);
  let client: Promise<SendSms> | undefined;
  const sendSms: SendSms = async (request) => {
    client ??= (async () => {
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
    })().catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return (await client)(request);
  };

  return {
    async send({ to, templateId, params, smsId }): Promise<SmsSendResult> {
      const phone = normalizeCnMobile(to);
      if (!phone) return { ok: false, failure: 'permanent', reason: 'tencent:not_a_mainland_mobile' };
      const templateCode = rules.sms.templateCodes[templateId];
      // Checked at start for every template the system sends; a message of another one cannot go.
      if (!templateCode) {
        return { ok: false, failure: 'permanent', reason: `tencent:no_template_code:${templateId}` };
      }
      try {
        const res = await sendSms({
          PhoneNumberSet: [phone],
          SmsSdkAppId: settings.sdkAppId,
          SignName: rules.sms.signature,
          TemplateId: templateCode,
          TemplateParamSet: templates[templateId].vars.map((v) => params[v] ?? ''),
          SessionContext: smsId,
        });
        const status = res.SendStatusSet?.[0];
        if (status?.Code === 'Ok' && status.SerialNo) return { ok: true, messageId: status.SerialNo };
        const code = status?.Code ?? 'no_status';
        return { ok: false, failure: classifyTencentError(code), reason: `tencent:${code}` };
      } catch (err) {
        // The error's code only: the provider's messages may quote the request (the number).
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && code !== '') {
          return { ok: false, failure: classifyTencentError(code), reason: `tencent:${code}` };
        }
        return {
          ok: false,
          failure: 'transient',
          reason: `tencent:${err instanceof Error ? err.name : 'Error'}`,
        };
      }
    },
  };
}
