import {
  awsRegion,
  blankAsUnset,
  ConfigError,
  httpsUrl,
  httpUrl,
  issueLines,
  tableName,
} from '#shared/config/check';
import {
  type ReplySecretSettings,
  replySecretSettings,
  type WebhookSecretSettings,
  webhookSecretSettings,
} from '#shared/config/secrets';
import { type SigninSettings, signinEnv, signinProblems, signinSettings } from '#shared/config/signin';
import {
  parseProviderEndpoint,
  type SmsProviderSettings,
  smsProviderSettings,
} from '#shared/config/sms-provider';
import { smsPullEnv, smsPullProblems } from '#shared/config/sms-pull';
import { checkRules, type Rules, replyUrlProblem } from '#shared/domain/rules';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/** The SMS callbacks' path token: 32 to 128 URL-safe characters (letters, digits, `-`, `_`). */
export const SMS_CALLBACK_TOKEN = /^[A-Za-z0-9_-]{32,128}$/;
export const SMS_CALLBACK_TOKEN_MESSAGE = 'expected 32 to 128 URL-safe characters (A-Z a-z 0-9 - _)';

/**
 * Which claims of a manager's token carry the role and scopes (shared/http/auth.ts). A name unset =
 * today's: the claim without `custom:` (local tokens), else the Cognito attribute `custom:<name>`.
 * `idTokenOnly`: Cognito (no OIDC_ISSUER) requires `token_use` = `id`; an OIDC issuer's tokens carry
 * no such claim (its audience tells its tokens apart).
 */
export interface AuthClaims {
  role?: string;
  teams?: string;
  regions?: string;
  engineerId?: string;
  idTokenOnly: boolean;
}

/**
 * Process configuration, read from an environment (each handler's composition root passes
 * process.env once per container; the local server and tests pass their own) and validated.
 * A missing or malformed variable stops the process with a message naming it (and the exact path
 * inside RULES); every problem is listed at once. A variable set to an empty string counts as unset.
 * The schema is built on the first check, not when the module is imported (cold start).
 */
const envSchema = lazy(buildEnvSchema);

function buildEnvSchema() {
  const secretArn = z
    .string()
    .check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN'));

  /** The name of a token claim (`custom:role`, `https://example.cn/roles`, ...). */
  const claimName = z
    .string()
    .check(
      z.regex(/^[\x21-\x7e]{1,256}$/, 'expected a claim name (1-256 visible ASCII characters, no spaces)'),
    );

  return z.object({
    /** The scheduled SMS reconcile's MNS queues and provider settings (first: later keys win). */
    ...smsPullEnv(),
    /** How the browser pages sign users in (shared/config/signin.ts). */
    ...signinEnv(),
    TABLE_NAME: tableName(),
    /** Set locally (DynamoDB Local); absent on AWS. */
    DYNAMODB_ENDPOINT: z.optional(httpUrl()),
    AWS_REGION: z._default(awsRegion(), 'cn-north-1'),
    /**
     * `sns` publishes to the phone number on AWS; `outbox` stores messages locally; `aliyun` and
     * `tencent` send by registered template (Aliyun SMS, Tencent Cloud SMS; shared/config/sms-provider.ts).
     */
    SMS_GATEWAY: z._default(z.enum(['sns', 'outbox', 'aliyun', 'tencent']), 'sns'),
    /** Aliyun SMS API: host[:port] or URL (http:// only to loopback). */
    ALIYUN_SMS_ENDPOINT: z._default(z.string(), 'dysmsapi.aliyuncs.com'),
    /** Aliyun AccessKey (locally; on AWS: SMS_PROVIDER_SECRET_ARN). */
    ALIYUN_ACCESS_KEY_ID: z.optional(z.string()),
    ALIYUN_ACCESS_KEY_SECRET: z.optional(z.string()),
    /** Tencent Cloud SMS API: host[:port] or URL (http:// only to loopback). */
    TENCENT_SMS_ENDPOINT: z._default(z.string(), 'sms.tencentcloudapi.com'),
    TENCENT_SMS_REGION: z._default(
      z.string().check(z.regex(/^[a-z]{2,}(-[a-z]+)+$/, 'expected a Tencent Cloud region like ap-guangzhou')),
      'ap-guangzhou',
    ),
    /** The SmsSdkAppId of the Tencent Cloud SMS application. */
    TENCENT_SMS_SDK_APP_ID: z.optional(
      z.string().check(z.regex(/^\d{5,20}$/, 'expected the SmsSdkAppId, digits like 1400006666')),
    ),
    /** Tencent Cloud API key (locally; on AWS: SMS_PROVIDER_SECRET_ARN). */
    TENCENT_SECRET_ID: z.optional(z.string()),
    TENCENT_SECRET_KEY: z.optional(z.string()),
    /**
     * The Secrets Manager secret of the provider's keys (on AWS): JSON
     * {"accessKeyId","accessKeySecret"} for aliyun, {"secretId","secretKey"} for tencent.
     */
    SMS_PROVIDER_SECRET_ARN: z.optional(secretArn),
    /** Number of partitions the due-work index is spread over. */
    DUE_SHARDS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(64)), 4),
    /** Due workers the scheduler starts each tick, each on its own group of the 64 slots (1-64). */
    DUE_WORKERS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(64)), 4),
    /**
     * SQS FIFO queue of the due workers (on AWS, where the stack sets it): the scheduler sends one
     * message per slot group and functions/due-worker runs each. The deployed scheduler stops without
     * it (it carries none of the due work); the local system gives it in-process workers instead.
     */
    DUE_QUEUE_URL: z.optional(httpsUrl()),
    /**
     * A due worker on AWS reads its slots again this many seconds after it has worked through them,
     * until its deadline (what falls due between ticks is worked within this time); 0 = once a tick.
     */
    DUE_FOLLOW_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(30)), 0),
    RULES: z.optional(z.string()),
    /**
     * The SNS API the `sns` SMS gateway and the alerts publish to: unset = the region's (on AWS);
     * host[:port] or URL, http:// only to loopback (a local stand-in of the SNS Query API).
     */
    SNS_ENDPOINT: z.optional(
      z.pipe(
        z.string(),
        z.transform((value: string, ctx) => {
          const endpoint = parseProviderEndpoint(value);
          if (!('problem' in endpoint)) return `${endpoint.protocol}://${endpoint.host}`;
          // Zod Mini's transform has no ctx.addIssue: the issue classic zod's would have raised.
          ctx.issues.push({ code: 'custom', message: endpoint.problem, input: value });
          return z.NEVER;
        }),
      ),
    ),
    /** SNS topic of the supervisors' alerts (on AWS). */
    ALERTS_TOPIC_ARN: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/,
            'expected an SNS topic ARN',
          ),
        ),
    ),
    /**
     * Public base URL of the API, for links in SMS (web survey): https:// (http:// only to loopback),
     * no credentials, query or fragment (the link's path is appended to it).
     */
    PUBLIC_BASE_URL: z.optional(
      z.string().check(
        z.superRefine((value, ctx) => {
          const problem = replyUrlProblem(value) ?? (/[?#]/.test(value) ? 'no query or fragment' : undefined);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ),
    ),
    /**
     * SQS queue of the replies to the work order (on AWS): set = the scheduler hands due replies to
     * it and functions/work-order-reply delivers them; absent (locally) = the scheduler delivers them.
     */
    WORK_ORDER_QUEUE_URL: z.optional(httpsUrl()),
    /** The completion webhook's signing secrets, comma-separated (locally). */
    WEBHOOK_SECRET: z.optional(z.string()),
    /** The Secrets Manager secret holding them (on AWS). */
    WEBHOOK_SECRET_ARN: z.optional(secretArn),
    /** Our signing secrets of the replies to the work order, a JSON map (locally). */
    REPLY_SECRETS: z.optional(z.string()),
    /** The Secrets Manager secret holding them (on AWS). */
    REPLY_SECRETS_ARN: z.optional(secretArn),
    /** Managers' tokens come from this OIDC issuer instead of Cognito (on AWS: CDK context oidcIssuer). */
    OIDC_ISSUER: z.optional(httpsUrl()),
    /** The claims of a manager's role, teams, regions and engineer id (CDK context oidc*Claim). */
    AUTH_ROLE_CLAIM: z.optional(claimName),
    AUTH_TEAMS_CLAIM: z.optional(claimName),
    AUTH_REGIONS_CLAIM: z.optional(claimName),
    AUTH_ENGINEER_CLAIM: z.optional(claimName),
    /**
     * The secret path segment of the SMS providers' callback URLs (/v1/sms/{provider}/{token}/...),
     * locally: they sign nothing, so the URL is the credential.
     */
    SMS_CALLBACK_TOKEN: z.optional(z.string().check(z.regex(SMS_CALLBACK_TOKEN, SMS_CALLBACK_TOKEN_MESSAGE))),
    /** The Secrets Manager secret holding it (on AWS; read once per container). */
    SMS_CALLBACK_TOKEN_SECRET_ARN: z.optional(secretArn),
  });
}

/** Variables that hold secrets: read into their settings, never kept in Config as they are. */
type SecretVariables =
  | 'WEBHOOK_SECRET'
  | 'REPLY_SECRETS'
  | 'ALIYUN_ACCESS_KEY_ID'
  | 'ALIYUN_ACCESS_KEY_SECRET'
  | 'TENCENT_SECRET_ID'
  | 'TENCENT_SECRET_KEY';

export type Config = Omit<z.infer<ReturnType<typeof buildEnvSchema>>, SecretVariables> & {
  rules: Rules;
  /** The template provider's settings (SMS_GATEWAY aliyun or tencent), checked; else undefined. */
  smsProvider?: SmsProviderSettings;
  /** The completion webhook's secrets: given (checked), or where to read them. */
  webhookSecrets: WebhookSecretSettings;
  /** Our secrets of the replies to the work order: given (checked), or where to read them. */
  replySecrets: ReplySecretSettings;
  /** Where managers' tokens carry their role and scopes. */
  authClaims: AuthClaims;
  /** How the browser pages sign users in. */
  signin: SigninSettings;
};

/**
 * Pure: checks an environment and returns the configuration, or throws a ConfigError naming every
 * bad value (its exact path). Nothing is read at import.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema().safeParse(blankAsUnset(env));
  const rules = checkRules(env.RULES);
  const problems = [
    ...(parsed.success ? [] : issueLines(parsed.error.issues)),
    ...('problems' in rules ? rules.problems : []),
  ];
  // A web-survey link needs somewhere to lead: refused at start rather than every SMS falling back.
  if (parsed.success && 'rules' in rules && !parsed.data.PUBLIC_BASE_URL) {
    for (const [source, s] of Object.entries(rules.rules.sources)) {
      if (s.webSurvey)
        problems.push(`RULES.sources.${source}.webSurvey: needs PUBLIC_BASE_URL (the link's base)`);
    }
  }
  if (parsed.success) {
    problems.push(...smsPullProblems(parsed.data), ...signinProblems(parsed.data));
    if (parsed.data.ALIYUN_MNS_ENDPOINT && parsed.data.SMS_GATEWAY !== 'aliyun') {
      problems.push('ALIYUN_MNS_ENDPOINT: the MNS queues are only read with SMS_GATEWAY=aliyun');
    }
  }
  let smsProvider: SmsProviderSettings | undefined;
  if (parsed.success && 'rules' in rules) {
    const checked = smsProviderSettings(parsed.data, {
      templateCodes: rules.rules.sms.templateCodes,
      ...(rules.rules.sms.hotline !== undefined ? { hotline: rules.rules.sms.hotline } : {}),
      webSurveySources: Object.entries(rules.rules.sources)
        .filter(([, s]) => s.webSurvey)
        .map(([source]) => source),
    });
    if ('problems' in checked) problems.push(...checked.problems);
    else smsProvider = checked.settings;
  }
  const secrets = parsed.success
    ? {
        webhookSecrets: collect(() =>
          webhookSecretSettings(parsed.data.WEBHOOK_SECRET, parsed.data.WEBHOOK_SECRET_ARN),
        ),
        replySecrets: collect(() =>
          replySecretSettings(parsed.data.REPLY_SECRETS, parsed.data.REPLY_SECRETS_ARN),
        ),
      }
    : undefined;
  if (problems.length > 0 || !parsed.success || 'problems' in rules || !secrets) {
    throw new ConfigError(problems);
  }
  const {
    WEBHOOK_SECRET: _w,
    REPLY_SECRETS: _r,
    ALIYUN_ACCESS_KEY_ID: _ai,
    ALIYUN_ACCESS_KEY_SECRET: _as,
    TENCENT_SECRET_ID: _ti,
    TENCENT_SECRET_KEY: _tk,
    ...rest
  } = parsed.data;
  return {
    ...rest,
    rules: rules.rules,
    ...(smsProvider ? { smsProvider } : {}),
    webhookSecrets: secrets.webhookSecrets ?? { kind: 'unset' },
    replySecrets: secrets.replySecrets ?? { kind: 'unset' },
    authClaims: {
      ...(rest.AUTH_ROLE_CLAIM ? { role: rest.AUTH_ROLE_CLAIM } : {}),
      ...(rest.AUTH_TEAMS_CLAIM ? { teams: rest.AUTH_TEAMS_CLAIM } : {}),
      ...(rest.AUTH_REGIONS_CLAIM ? { regions: rest.AUTH_REGIONS_CLAIM } : {}),
      ...(rest.AUTH_ENGINEER_CLAIM ? { engineerId: rest.AUTH_ENGINEER_CLAIM } : {}),
      idTokenOnly: rest.OIDC_ISSUER === undefined,
    },
    signin: signinSettings(rest),
  };

  /** A secret's settings, or its problems added to the list. */
  function collect<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  }
}

/**
 * The SMS providers' callback token is required only where it is read (functions/sms-callbacks;
 * on AWS the stack gives SMS_CALLBACK_TOKEN_SECRET_ARN to that function alone): with SMS_GATEWAY
 * aliyun or tencent, SMS_CALLBACK_TOKEN or SMS_CALLBACK_TOKEN_SECRET_ARN must be set. Its
 * composition root calls this when it is built, so a missing token stops it at its first
 * invocation naming the variable, rather than every push answering 500.
 */
export function smsCallbackTokenProblems(
  config: Pick<Config, 'SMS_GATEWAY' | 'SMS_CALLBACK_TOKEN' | 'SMS_CALLBACK_TOKEN_SECRET_ARN'>,
): string[] {
  if (config.SMS_GATEWAY !== 'aliyun' && config.SMS_GATEWAY !== 'tencent') return [];
  if (config.SMS_CALLBACK_TOKEN || config.SMS_CALLBACK_TOKEN_SECRET_ARN) return [];
  return [
    `SMS_CALLBACK_TOKEN: required with SMS_GATEWAY=${config.SMS_GATEWAY} (the providers' callback URLs carry it); set SMS_CALLBACK_TOKEN or SMS_CALLBACK_TOKEN_SECRET_ARN`,
  ];
}

/** Throws a ConfigError naming SMS_CALLBACK_TOKEN when `smsCallbackTokenProblems` finds one. */
export function requireSmsCallbackToken(
  config: Pick<Config, 'SMS_GATEWAY' | 'SMS_CALLBACK_TOKEN' | 'SMS_CALLBACK_TOKEN_SECRET_ARN'>,
): void {
  const problems = smsCallbackTokenProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The configuration of this process's environment (a handler's composition root). */
export function configFromProcessEnv(): Config {
  return loadConfig(process.env);
}
