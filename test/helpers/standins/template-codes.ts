import { providerTemplateIds } from '#shared/domain/sms/templates';

/**
 * Template codes as an operator puts them in RULES `sms.templateCodes` once the provider has
 * approved the templates (Aliyun `SMS_...`, Tencent digits), one for every template sent by code.
 */
export function standInTemplateCodes(style: 'aliyun' | 'tencent'): Record<string, string> {
  return Object.fromEntries(
    providerTemplateIds.map((id, i) => [
      id,
      style === 'aliyun' ? `SMS_4700${100 + i}` : String(2_100_000 + i),
    ]),
  );
}
