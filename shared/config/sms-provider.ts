import { isIP } from 'node:net';
import { providerTemplateIds, sendableTemplateIds } from '#shared/domain/sms/templates';

/**
 * The settings of the SMS providers that send by registered template (Aliyun SMS, Tencent Cloud
 * SMS), checked with the rest of the configuration (shared/config/config.ts). Pure: nothing here
 * reads the environment or calls anything.
 */

/** Where a provider's API is: `host[:port]` and the scheme the SDK uses. */
export interface ProviderEndpoint {
  /** `host` or `host:port`, as the SDKs take it. */
  host: string;
  protocol: 'https' | 'http';
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * A provider endpoint from `ALIYUN_SMS_ENDPOINT` / `TENCENT_SMS_ENDPOINT`: `host`, `host:port`,
 * `https://host[:port][/]`, or `http://host:port` for a loopback host only (127.0.0.0/8,
 * localhost, [::1]: tests point the real SDK at a local stand-in). No path, query, credentials.
 * Returns the endpoint or the problem.
 */
export function parseProviderEndpoint(value: string): ProviderEndpoint | { problem: string } {
  const raw = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { problem: 'expected host[:port] or an https:// URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: 'expected host[:port] or an https:// URL (http:// only to loopback)' };
  }
  if (url.username || url.password) return { problem: 'credentials in the endpoint are not allowed' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { problem: 'expected host[:port] only (no path, query or fragment)' };
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (!(HOST.test(hostname) || isIP(hostname) !== 0)) return { problem: 'not a host name' };
  if (url.protocol === 'http:' && !isLoopback(hostname)) {
    return { problem: 'http:// only to loopback (127.0.0.1, localhost, [::1]); use https://' };
  }
  return { host: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}

/** Credentials given in the environment (locally), or the Secrets Manager secret holding them (on AWS). */
export type ProviderCredentials<T> = { kind: 'given'; value: T } | { kind: 'secretsManager'; arn: string };

export interface AliyunKeys {
  accessKeyId: string;
  accessKeySecret: string;
}
export interface TencentKeys {
  secretId: string;
  secretKey: string;
}

export type SmsProviderSettings =
  | { provider: 'aliyun'; endpoint: ProviderEndpoint; credentials: ProviderCredentials<AliyunKeys> }
  | {
      provider: 'tencent';
      endpoint: ProviderEndpoint;
      region: string;
      sdkAppId: string;
      credentials: ProviderCredentials<TencentKeys>;
    };

/** The environment variables these settings come from (already checked one by one). */
export interface SmsProviderEnv {
  SMS_GATEWAY: string;
  ALIYUN_SMS_ENDPOINT: string;
  ALIYUN_ACCESS_KEY_ID?: string | undefined;
  ALIYUN_ACCESS_KEY_SECRET?: string | undefined;
  TENCENT_SMS_ENDPOINT: string;
  TENCENT_SMS_REGION: string;
  TENCENT_SMS_SDK_APP_ID?: string | undefined;
  TENCENT_SECRET_ID?: string | undefined;
  TENCENT_SECRET_KEY?: string | undefined;
  SMS_PROVIDER_SECRET_ARN?: string | undefined;
}

/** What the provider needs of RULES: a template code for each template, and no web survey. */
export interface SmsProviderRules {
  templateCodes: Readonly<Record<string, string>>;
  webSurveySources: readonly string[];
  /** `sms.hotline`: set = the hotline variants of the notices are sent instead of the plain ones. */
  hotline?: string;
}

/** A pair of credential variables: both given, or neither and the secret's ARN. */
function credentials<K extends string>(
  provider: string,
  id: [K, string | undefined],
  secret: [K, string | undefined],
  arn: string | undefined,
  problems: string[],
): { kind: 'given'; id: string; secret: string } | { kind: 'secretsManager'; arn: string } | undefined {
  const [idName, idValue] = id;
  const [secretName, secretValue] = secret;
  if (idValue && secretValue) return { kind: 'given', id: idValue, secret: secretValue };
  if (idValue || secretValue) {
    problems.push(
      `${idValue ? secretName : idName}: SMS_GATEWAY=${provider} needs it with ${idValue ? idName : secretName}`,
    );
    return undefined;
  }
  if (arn) return { kind: 'secretsManager', arn };
  problems.push(
    `${idName}: SMS_GATEWAY=${provider} needs ${idName} and ${secretName}, or SMS_PROVIDER_SECRET_ARN`,
  );
  return undefined;
}

/**
 * The active template provider's settings, undefined for sns and outbox, or the problems (each
 * naming its variable or RULES path): the provider's credentials (given, or the secret's ARN),
 * Tencent's app id, a template code for every template the system can send, and no source with
 * `webSurvey` (a link cannot be a template variable).
 */
export function smsProviderSettings(
  env: SmsProviderEnv,
  rules: SmsProviderRules,
): { settings: SmsProviderSettings | undefined } | { problems: string[] } {
  const provider = env.SMS_GATEWAY;
  if (provider !== 'aliyun' && provider !== 'tencent') return { settings: undefined };
  const problems: string[] = [];
  const endpointName = provider === 'aliyun' ? 'ALIYUN_SMS_ENDPOINT' : 'TENCENT_SMS_ENDPOINT';
  const endpoint = parseProviderEndpoint(env[endpointName]);
  if ('problem' in endpoint) problems.push(`${endpointName}: ${endpoint.problem}`);
  for (const id of sendableTemplateIds(rules.hotline !== undefined)) {
    if (!rules.templateCodes[id]) {
      problems.push(
        `RULES.sms.templateCodes.${id}: SMS_GATEWAY=${provider} needs the ${provider} code of template ${id}`,
      );
    }
  }
  for (const id of Object.keys(rules.templateCodes)) {
    if (!providerTemplateIds.includes(id as never)) {
      problems.push(`RULES.sms.templateCodes.${id}: not a template sent by template code`);
    }
  }
  for (const source of rules.webSurveySources) {
    problems.push(
      `RULES.sources.${source}.webSurvey: not available with SMS_GATEWAY=${provider} (a link cannot be a template variable)`,
    );
  }
  if (provider === 'aliyun') {
    const keys = credentials(
      provider,
      ['ALIYUN_ACCESS_KEY_ID', env.ALIYUN_ACCESS_KEY_ID],
      ['ALIYUN_ACCESS_KEY_SECRET', env.ALIYUN_ACCESS_KEY_SECRET],
      env.SMS_PROVIDER_SECRET_ARN,
      problems,
    );
    if (problems.length > 0 || !keys || 'problem' in endpoint) return { problems };
    return {
      settings: {
        provider,
        endpoint,
        credentials:
          keys.kind === 'given'
            ? { kind: 'given', value: { accessKeyId: keys.id, accessKeySecret: keys.secret } }
            : keys,
      },
    };
  }
  if (!env.TENCENT_SMS_SDK_APP_ID) {
    problems.push('TENCENT_SMS_SDK_APP_ID: SMS_GATEWAY=tencent needs the SmsSdkAppId (e.g. 1400006666)');
  }
  const keys = credentials(
    provider,
    ['TENCENT_SECRET_ID', env.TENCENT_SECRET_ID],
    ['TENCENT_SECRET_KEY', env.TENCENT_SECRET_KEY],
    env.SMS_PROVIDER_SECRET_ARN,
    problems,
  );
  if (problems.length > 0 || !keys || 'problem' in endpoint || !env.TENCENT_SMS_SDK_APP_ID) {
    return { problems };
  }
  return {
    settings: {
      provider,
      endpoint,
      region: env.TENCENT_SMS_REGION,
      sdkAppId: env.TENCENT_SMS_SDK_APP_ID,
      credentials:
        keys.kind === 'given'
          ? { kind: 'given', value: { secretId: keys.id, secretKey: keys.secret } }
          : keys,
    },
  };
}
