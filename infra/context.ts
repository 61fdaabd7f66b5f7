import { parseRules, replyUrlProblem } from '#shared/domain/rules';
import * as z from '#shared/runtime/zod';

/**
 * The CDK context of the app (cdk.json or `-c key=value`), read here and nowhere else in infra/ and
 * validated strictly: a bad value stops `cdk synth` with `Invalid CDK context: <key>: <problem>`,
 * every problem listed at once, before any construct is made.
 *
 * | key                        | default                         |                                                    |
 * | -------------------------- | ------------------------------- | -------------------------------------------------- |
 * | `region`                   | CDK_DEFAULT_REGION (the CLI's)  | where to deploy; `cn-*` = the aws-cn partition     |
 * | `smsGateway`               | `sns`                           | `sns`, `aliyun` or `tencent` (`outbox` is local)   |
 * | `aliyunSmsEndpoint`        | the provider's public endpoint  | ALIYUN_SMS_ENDPOINT                                |
 * | `tencentSmsSdkAppId`       | required with `tencent`         | TENCENT_SMS_SDK_APP_ID                             |
 * | `tencentSmsRegion`         | the functions' (`ap-guangzhou`) | TENCENT_SMS_REGION                                 |
 * | `tencentSmsEndpoint`       | the provider's public endpoint  | TENCENT_SMS_ENDPOINT                               |
 * | `aliyunMnsEndpoint`,       | unset: no reconcile             | ALIYUN_MNS_ENDPOINT, ALIYUN_ACCOUNT_ID,            |
 * |   `aliyunAccountId`,       |                                 | ALIYUN_MNS_QUEUE_SMS_UP / _SMS_REPORT,             |
 * |   `aliyunMnsQueueSmsUp`,   |                                 | ALIYUN_MNS_TOKEN (aliyun only; the scheduler's     |
 * |   `aliyunMnsQueueSmsReport`, `aliyunMnsToken` |              | reconcile, shared/config/sms-pull.ts)              |
 * | `smsProviderSecretArn`     | a secret the stack creates      | the provider's credentials (complete secret ARN)   |
 * | `oidcIssuer`               | unset: a Cognito user pool      | managers' tokens from this OIDC issuer (https)     |
 * | `oidcAudience`             | required with `oidcIssuer`      | comma list of accepted `aud` (client ids)          |
 * | `oidcRoleClaim` ...        | `custom:role`, `custom:teams`,  | claim names (only with `oidcIssuer`)               |
 * |   Teams/Regions/Engineer   | `custom:regions`, `custom:engineerId` |                                              |
 * | `oidcAuthorizeUrl`,        | unset: pasted tokens only       | the issuer's endpoints for the pages' sign-in      |
 * |   `oidcTokenUrl`           |                                 | (PKCE; both or neither, only with `oidcIssuer`)    |
 * | `oidcLogoutUrl`            | unset                           | the issuer's end-session endpoint (sign-out)       |
 * | `oidcClientId`             | the first `oidcAudience`        | the public client the pages sign in with           |
 * | `oidcScope`                | `openid`                        | scopes the pages ask for                           |
 * | `cognitoDomainPrefix`      | `telecom-feedback-<account>`    | the user pool's hosted UI domain (Cognito only)    |
 * | `rules`, `publicBaseUrl`   | unset                           | RULES and PUBLIC_BASE_URL of the functions         |
 * | `dueWorkers`               | unset: DUE_WORKERS' default (4) | due workers per tick (1-64; README "On AWS")       |
 */

export const smsGateways = ['sns', 'aliyun', 'tencent'] as const;
export type SmsGatewayName = (typeof smsGateways)[number];

/** Where managers' tokens come from, and what the functions that check them are told. */
export type ManagersAuthContext =
  | { kind: 'cognito' }
  | {
      kind: 'oidc';
      issuer: string;
      audience: string[];
      /** The claim names, as the functions' environment (shared/config/config.ts). */
      env: Record<string, string>;
      /** The pages' sign-in (authorization code + PKCE) at the issuer, when its endpoints are given. */
      signin?: OidcSignin;
    };

/** The issuer's endpoints the pages sign in with (shared/config/signin.ts SIGNIN_*). */
export interface OidcSignin {
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl?: string;
  clientId: string;
  scope: string;
}

export interface SmsContext {
  gateway: SmsGatewayName;
  /** Non-secret provider settings for every function (empty for sns). */
  env: Record<string, string>;
  /** The provider's credentials: an existing secret (complete ARN), or undefined = the stack creates one. */
  importedSecretArn?: string;
}

export interface DeployContext {
  /** The region to deploy to (context `region`, else the CLI's), when known. */
  region?: string;
  /** The partition of that region: `aws-cn` for cn-*, `aws` otherwise (undefined: region unknown). */
  partition?: 'aws' | 'aws-cn';
  sms: SmsContext;
  auth: ManagersAuthContext;
  /** Cognito: the hosted UI's domain prefix (undefined = `telecom-feedback-<account>`). */
  cognitoDomainPrefix?: string;
  /** RULES for the functions (JSON), validated; undefined = the defaults. */
  rules?: string;
  publicBaseUrl?: string;
  /** DUE_WORKERS of the scheduler (context `dueWorkers`); undefined = the configuration's default. */
  dueWorkers?: number;
}

/** Default claim names: today's Cognito custom attributes (shared/http/auth.ts reads the same). */
export const defaultClaimNames = {
  oidcRoleClaim: 'custom:role',
  oidcTeamsClaim: 'custom:teams',
  oidcRegionsClaim: 'custom:regions',
  oidcEngineerClaim: 'custom:engineerId',
} as const;
/** The functions' variable of each claim-name key (shared/config/config.ts). */
const claimEnv: Record<keyof typeof defaultClaimNames, string> = {
  oidcRoleClaim: 'AUTH_ROLE_CLAIM',
  oidcTeamsClaim: 'AUTH_TEAMS_CLAIM',
  oidcRegionsClaim: 'AUTH_REGIONS_CLAIM',
  oidcEngineerClaim: 'AUTH_ENGINEER_CLAIM',
};

/** A context value as a trimmed string; unset, null and blank = undefined; other types kept (then refused). */
function text(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  return value;
}

const region = z
  .string()
  .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected an AWS region like cn-northwest-1'));
/** A provider endpoint on AWS: a host name (with an optional port) or an https:// URL; never http://. */
const endpoint = z
  .string()
  .check(
    z.regex(
      /^(https:\/\/)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?\/?$/i,
      'expected a host name (e.g. dysmsapi.aliyuncs.com) or an https:// URL of one',
    ),
  );
/**
 * An https:// URL with no credentials or fragment, and no query unless `query`; `expected` is the
 * message for another protocol.
 */
const httpsUrlOf = (opts: { query: boolean; expected: string }) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        // reported below
      }
      const problem = !url
        ? 'not a URL'
        : url.protocol !== 'https:'
          ? opts.expected
          : url.username || url.password || url.hash
            ? opts.query
              ? 'no credentials or fragment'
              : 'no credentials, query or fragment'
            : !opts.query && url.search
              ? 'no credentials, query or fragment'
              : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
/** An https:// endpoint of the issuer (no credentials or fragment; a query is kept). */
const httpsEndpoint = httpsUrlOf({ query: true, expected: 'expected an https:// URL' });
const claimName = z
  .string()
  .check(
    z.regex(/^[\x21-\x7e]{1,256}$/, 'expected a claim name (1-256 visible ASCII characters, no spaces)'),
  );
const secretArn = z
  .string()
  .check(
    z.regex(
      /^arn:aws(-cn)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/,
      'expected the complete ARN of a Secrets Manager secret (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)',
    ),
  );
const mnsQueueName = z
  .string()
  .check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,119}$/, 'expected an MNS queue name (letters, digits, -)'));
const dueWorkersMessage = 'expected a whole number of due workers, 1-64';

const schema = z.strictObject({
  region: z.optional(region),
  smsGateway: z._default(
    z.enum(smsGateways, {
      error: 'expected sns, aliyun or tencent ("outbox" is the local stand-in, not for AWS)',
    }),
    'sns',
  ),
  aliyunSmsEndpoint: z.optional(endpoint),
  tencentSmsSdkAppId: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^\d{6,12}$/,
          'expected the SDK AppID of the Tencent Cloud SMS application (digits, e.g. 1400006666)',
        ),
      ),
  ),
  tencentSmsRegion: z.optional(
    z.string().check(z.regex(/^[a-z]{2}-[a-z]+$/, 'expected a Tencent Cloud region like ap-guangzhou')),
  ),
  tencentSmsEndpoint: z.optional(endpoint),
  aliyunMnsEndpoint: z.optional(endpoint),
  aliyunAccountId: z.optional(
    z.string().check(z.regex(/^\d{1,32}$/, 'expected an Aliyun account id (digits)')),
  ),
  aliyunMnsQueueSmsUp: z.optional(mnsQueueName),
  aliyunMnsQueueSmsReport: z.optional(mnsQueueName),
  aliyunMnsToken: z.optional(z.enum(['true', 'false'], { error: 'expected true or false' })),
  smsProviderSecretArn: z.optional(secretArn),
  oidcIssuer: z.optional(
    httpsUrlOf({
      query: false,
      expected: 'expected an https:// URL (the issuer API Gateway fetches the keys from)',
    }),
  ),
  oidcAudience: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((v: string) => v.split(',').map((a) => a.trim())),
      ),
      z
        .array(
          z
            .string()
            .check(z.regex(/^[\x21-\x2b\x2d-\x7e]{1,256}$/, 'each audience is 1-256 visible characters')),
        )
        .check(z.minLength(1)),
    ),
  ),
  oidcRoleClaim: z.optional(claimName),
  oidcTeamsClaim: z.optional(claimName),
  oidcRegionsClaim: z.optional(claimName),
  oidcEngineerClaim: z.optional(claimName),
  oidcAuthorizeUrl: z.optional(httpsEndpoint),
  oidcTokenUrl: z.optional(httpsEndpoint),
  oidcLogoutUrl: z.optional(httpsEndpoint),
  oidcClientId: z.optional(
    z
      .string()
      .check(z.regex(/^[\x21-\x7e]{1,256}$/, 'expected a client id (1-256 visible ASCII characters)')),
  ),
  oidcScope: z.optional(
    z.string().check(
      z.regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'expected space-separated scopes'),
      z.refine((v) => v.split(' ').includes('openid'), 'must include openid (the pages send the ID token)'),
    ),
  ),
  cognitoDomainPrefix: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
          'expected a domain prefix: 1-63 of a-z 0-9 -, not starting or ending with -, without aws, amazon or cognito',
        ),
      ),
  ),
  dueWorkers: z.optional(
    z.coerce
      .number({ error: dueWorkersMessage })
      .check(z.int(dueWorkersMessage), z.gte(1, dueWorkersMessage), z.lte(64, dueWorkersMessage)),
  ),
});

type Keys = keyof z.input<typeof schema>;
const keys = Object.keys(schema.shape) as Keys[];

/** Reads a context key (the app's node, or a plain map in tests). */
export type ContextReader = (key: string) => unknown;

/**
 * The app's context, checked. `envRegion` is the region the CLI resolved (CDK_DEFAULT_REGION),
 * used when the context names none. Throws `Invalid CDK context: ...` naming every bad key.
 */
export function deployContext(read: ContextReader, envRegion?: string): DeployContext {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const key of keys) {
    const value = text(read(key));
    if (value !== undefined) raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.').replace(/\.\d+$/, '') || '(root)'}: ${issue.message}`);
    }
  }

  let rules: string | undefined;
  try {
    rules = rulesFromContext(read('rules'));
  } catch (err) {
    problems.push(`rules: ${(err as Error).message}`);
  }
  let publicBaseUrl: string | undefined;
  try {
    publicBaseUrl = publicBaseUrlFromContext(read('publicBaseUrl'), rules);
  } catch (err) {
    problems.push((err as Error).message.replace(/^context /, ''));
  }

  if (!parsed.success || problems.length > 0) throw contextError(problems);
  const c = parsed.data;
  const where = c.region ?? envRegion;
  const china = where?.startsWith('cn-') ?? false;
  const partition = where === undefined ? undefined : china ? 'aws-cn' : 'aws';

  // --- Managers' tokens.
  const claimKeys = Object.keys(defaultClaimNames) as (keyof typeof defaultClaimNames)[];
  const signinKeys = [
    'oidcAuthorizeUrl',
    'oidcTokenUrl',
    'oidcLogoutUrl',
    'oidcClientId',
    'oidcScope',
  ] as const;
  if (!c.oidcIssuer) {
    if (china) {
      problems.push(
        `oidcIssuer: required in ${where} (Cognito has no user pools in the China regions): the https URL of the managers' OIDC issuer`,
      );
    }
    if (c.oidcAudience)
      problems.push('oidcAudience: only with oidcIssuer (the Cognito app client is the audience)');
    for (const k of claimKeys) {
      if (c[k]) problems.push(`${k}: only with oidcIssuer (Cognito's claims are custom:<attribute>)`);
    }
    for (const k of signinKeys) {
      if (c[k]) problems.push(`${k}: only with oidcIssuer (Cognito: the user pool's hosted UI is used)`);
    }
  } else if (!c.oidcAudience) {
    problems.push(
      "oidcAudience: required with oidcIssuer: the client id(s) the issuer puts in the tokens' aud, comma-separated (API Gateway accepts a token only when its aud is one of them)",
    );
  }

  if (c.oidcIssuer) {
    if (c.cognitoDomainPrefix) problems.push('cognitoDomainPrefix: only without oidcIssuer (Cognito)');
    if (Boolean(c.oidcAuthorizeUrl) !== Boolean(c.oidcTokenUrl)) {
      problems.push(
        `${c.oidcAuthorizeUrl ? 'oidcTokenUrl' : 'oidcAuthorizeUrl'}: required with ${c.oidcAuthorizeUrl ? 'oidcAuthorizeUrl' : 'oidcTokenUrl'} (the pages' sign-in needs both endpoints)`,
      );
    }
    for (const k of ['oidcLogoutUrl', 'oidcClientId', 'oidcScope'] as const) {
      if (c[k] && !c.oidcAuthorizeUrl) problems.push(`${k}: only with oidcAuthorizeUrl and oidcTokenUrl`);
    }
  }

  // --- SMS.
  if (china && c.smsGateway === 'sns') {
    problems.push(
      `smsGateway: sns cannot send SMS in ${where} (SNS has no SMS in the China regions): use aliyun or tencent`,
    );
  }
  const settings: [Keys, SmsGatewayName, string][] = [
    ['aliyunSmsEndpoint', 'aliyun', 'ALIYUN_SMS_ENDPOINT'],
    ['tencentSmsSdkAppId', 'tencent', 'TENCENT_SMS_SDK_APP_ID'],
    ['tencentSmsRegion', 'tencent', 'TENCENT_SMS_REGION'],
    ['tencentSmsEndpoint', 'tencent', 'TENCENT_SMS_ENDPOINT'],
    // The reconcile of Aliyun's MNS queues (the scheduler reads them; shared/config/sms-pull.ts).
    ['aliyunMnsEndpoint', 'aliyun', 'ALIYUN_MNS_ENDPOINT'],
    ['aliyunAccountId', 'aliyun', 'ALIYUN_ACCOUNT_ID'],
    ['aliyunMnsQueueSmsUp', 'aliyun', 'ALIYUN_MNS_QUEUE_SMS_UP'],
    ['aliyunMnsQueueSmsReport', 'aliyun', 'ALIYUN_MNS_QUEUE_SMS_REPORT'],
    ['aliyunMnsToken', 'aliyun', 'ALIYUN_MNS_TOKEN'],
  ];
  const smsEnv: Record<string, string> = {};
  for (const [key, gateway, variable] of settings) {
    const value = c[key as keyof typeof c];
    if (value === undefined) continue;
    if (c.smsGateway !== gateway) problems.push(`${key}: only with smsGateway=${gateway}`);
    else smsEnv[variable] = String(value);
  }
  if (c.smsGateway === 'tencent' && !c.tencentSmsSdkAppId) {
    problems.push(
      'tencentSmsSdkAppId: required with smsGateway=tencent (the SDK AppID of the SMS application)',
    );
  }
  if (c.smsProviderSecretArn) {
    if (c.smsGateway === 'sns') problems.push('smsProviderSecretArn: only with smsGateway=aliyun or tencent');
    const arnPartition = c.smsProviderSecretArn.split(':')[1];
    if (partition && arnPartition !== partition) {
      problems.push(
        `smsProviderSecretArn: a secret of partition ${arnPartition}, but ${where} is in ${partition}`,
      );
    }
    const arnRegion = c.smsProviderSecretArn.split(':')[3];
    if (where && arnRegion !== where) {
      problems.push(`smsProviderSecretArn: a secret in ${arnRegion}, but the stacks deploy to ${where}`);
    }
  }
  if (problems.length > 0) throw contextError(problems);

  return {
    ...(c.region || envRegion ? { region: where } : {}),
    ...(partition ? { partition } : {}),
    sms: {
      gateway: c.smsGateway,
      env: smsEnv,
      ...(c.smsProviderSecretArn ? { importedSecretArn: c.smsProviderSecretArn } : {}),
    },
    auth:
      c.oidcIssuer && c.oidcAudience
        ? {
            kind: 'oidc',
            issuer: c.oidcIssuer,
            audience: c.oidcAudience,
            env: {
              OIDC_ISSUER: c.oidcIssuer,
              ...Object.fromEntries(claimKeys.map((k) => [claimEnv[k], c[k] ?? defaultClaimNames[k]])),
            },
            ...(c.oidcAuthorizeUrl && c.oidcTokenUrl
              ? {
                  signin: {
                    authorizeUrl: c.oidcAuthorizeUrl,
                    tokenUrl: c.oidcTokenUrl,
                    ...(c.oidcLogoutUrl ? { logoutUrl: c.oidcLogoutUrl } : {}),
                    clientId: c.oidcClientId ?? (c.oidcAudience[0] as string),
                    scope: c.oidcScope ?? 'openid',
                  },
                }
              : {}),
          }
        : { kind: 'cognito' },
    ...(c.cognitoDomainPrefix ? { cognitoDomainPrefix: c.cognitoDomainPrefix } : {}),
    ...(rules !== undefined ? { rules } : {}),
    ...(publicBaseUrl !== undefined ? { publicBaseUrl } : {}),
    ...(c.dueWorkers !== undefined ? { dueWorkers: c.dueWorkers } : {}),
  };
}

function contextError(problems: string[]): Error {
  return new Error(`Invalid CDK context: ${problems.join('; ')}`);
}

/**
 * RULES for the functions from the CDK context `rules` (cdk.json, or `-c rules='{"survey":...}'`),
 * as a JSON object or a JSON string. Validated here with the functions' own schema, so a bad
 * value fails `cdk synth` instead of every cold start. Absent = no RULES variable (defaults).
 */
export function rulesFromContext(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  parseRules(json);
  return json;
}

/**
 * PUBLIC_BASE_URL for the functions from the CDK context `publicBaseUrl` (the API's custom domain,
 * e.g. https://feedback.example.cn): the base of the web-survey links in SMS. Required when a source
 * has `webSurvey` (the functions would refuse to start without it), so synth fails first.
 */
export function publicBaseUrlFromContext(value: unknown, rules: string | undefined): string | undefined {
  const url = typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  const problem =
    url === undefined
      ? undefined
      : (replyUrlProblem(url) ?? (/[?#]/.test(url) ? 'no query or fragment' : undefined));
  if (problem) throw new Error(`context publicBaseUrl: ${problem}`);
  const webSurvey = Object.entries(rules === undefined ? {} : parseRules(rules).sources).filter(
    ([, s]) => s.webSurvey,
  );
  if (webSurvey.length > 0 && url === undefined) {
    throw new Error(
      `context publicBaseUrl is required: sources ${webSurvey.map(([id]) => id).join(', ')} send web-survey links`,
    );
  }
  return url;
}
