import { replyUrlProblem } from '#shared/domain/rules';
import * as z from '#shared/runtime/zod';

/**
 * Settings of the scheduled SMS reconcile (shared/app/sms/reconcile.ts), part of the process
 * configuration (shared/config/config.ts spreads this shape into its envSchema). Aliyun: the MNS
 * queues its SMS service fills (on when ALIYUN_MNS_ENDPOINT, ALIYUN_ACCOUNT_ID and a queue are set).
 * Tencent: the pull APIs of the SMS application TENCENT_SMS_SDK_APP_ID (on when it is set).
 * The provider credentials are the ones the senders use.
 */

/**
 * A provider endpoint: a URL or a bare `host[:port]` (https), with http:// only to a loopback host
 * (tests point the official SDKs at local stand-ins); no credentials, query or fragment.
 */
export function providerEndpointProblem(value: string): string | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  const problem = replyUrlProblem(url);
  if (problem) return problem.replace(' (replies are signed)', '');
  const parsed = new URL(url);
  if (parsed.search || parsed.hash) return 'no query or fragment';
  if (parsed.pathname !== '/') return 'no path (the host, and a port if needed)';
  return undefined;
}

/** The settings' shape, built when the configuration is first checked (not at import). */
export function smsPullEnv() {
  const providerEndpoint = z.string().check(
    z.superRefine((value, ctx) => {
      const problem = providerEndpointProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );

  /** MNS queue names: a letter, then letters, digits and hyphens, at most 120 characters. */
  const mnsQueueName = z
    .string()
    .check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,119}$/, 'expected an MNS queue name (letters, digits, -)'));

  return {
    /** MNS endpoint of the queues, e.g. https://<account>.mns.cn-hangzhou.aliyuncs.com. */
    ALIYUN_MNS_ENDPOINT: z.optional(providerEndpoint),
    /** The Aliyun account that owns the queues (the digits in the endpoint's host). */
    ALIYUN_ACCOUNT_ID: z.optional(
      z.string().check(z.regex(/^\d{1,32}$/, 'expected an Aliyun account id (digits)')),
    ),
    /** Queue of the customers' replies (SmsUp), e.g. Alicom-Queue-1234567890-SmsUp. */
    ALIYUN_MNS_QUEUE_SMS_UP: z.optional(mnsQueueName),
    /** Queue of the delivery receipts (SmsReport). */
    ALIYUN_MNS_QUEUE_SMS_REPORT: z.optional(mnsQueueName),
    /**
     * Whether the queues are read with temporary credentials from Dybaseapi QueryTokenForMnsQueue
     * (the queues Aliyun SMS hosts in its own account) or with the sender's keys (a queue in the
     * operator's own account). Unset: by the account (mnsUsesToken).
     */
    ALIYUN_MNS_TOKEN: z.optional(
      z.pipe(
        z.enum(['true', 'false'], 'expected true or false'),
        z.transform((v) => v === 'true'),
      ),
    ),
    /** Dybaseapi (QueryTokenForMnsQueue): host[:port] or URL (http:// only to loopback). */
    ALIYUN_DYBASEAPI_ENDPOINT: z.optional(providerEndpoint),
  };
}

/** The account in which Aliyun SMS hosts every customer's SmsUp/SmsReport queues. */
export const ALIYUN_SMS_MNS_ACCOUNT = '1943695596114318';
/** Dybaseapi's public endpoint (the default of ALIYUN_DYBASEAPI_ENDPOINT). */
export const ALIYUN_DYBASEAPI_DEFAULT_ENDPOINT = 'dybaseapi.aliyuncs.com';

/**
 * true when the MNS queues are read with temporary credentials (QueryTokenForMnsQueue): as
 * ALIYUN_MNS_TOKEN says, else when the account is the one Aliyun SMS hosts the queues in.
 */
export function mnsUsesToken(env: {
  ALIYUN_MNS_TOKEN?: boolean | undefined;
  ALIYUN_ACCOUNT_ID?: string | undefined;
}): boolean {
  return env.ALIYUN_MNS_TOKEN ?? env.ALIYUN_ACCOUNT_ID === ALIYUN_SMS_MNS_ACCOUNT;
}

type SmsPullEnv = z.infer<z.ZodMiniObject<ReturnType<typeof smsPullEnv>>>;

/** Settings that only make sense together: each problem names the variable that is missing. */
export function smsPullProblems(env: SmsPullEnv): string[] {
  const problems: string[] = [];
  const mns = [
    env.ALIYUN_MNS_ENDPOINT,
    env.ALIYUN_ACCOUNT_ID,
    env.ALIYUN_MNS_QUEUE_SMS_UP,
    env.ALIYUN_MNS_QUEUE_SMS_REPORT,
  ];
  if (mns.some((v) => v !== undefined)) {
    if (!env.ALIYUN_MNS_ENDPOINT) problems.push('ALIYUN_MNS_ENDPOINT: needed to read the MNS queues');
    if (!env.ALIYUN_ACCOUNT_ID) problems.push('ALIYUN_ACCOUNT_ID: needed to read the MNS queues');
    if (!env.ALIYUN_MNS_QUEUE_SMS_UP && !env.ALIYUN_MNS_QUEUE_SMS_REPORT) {
      problems.push('ALIYUN_MNS_QUEUE_SMS_UP: set it or ALIYUN_MNS_QUEUE_SMS_REPORT (the queues to read)');
    }
    // Aliyun's own account lends no keys: its queues are read only with a token.
    if (env.ALIYUN_MNS_TOKEN === false && env.ALIYUN_ACCOUNT_ID === ALIYUN_SMS_MNS_ACCOUNT) {
      problems.push(
        `ALIYUN_MNS_TOKEN: the queues of Aliyun's account ${ALIYUN_SMS_MNS_ACCOUNT} are read only with temporary credentials (true, or unset)`,
      );
    }
    if (env.ALIYUN_DYBASEAPI_ENDPOINT !== undefined && !mnsUsesToken(env)) {
      problems.push(
        "ALIYUN_DYBASEAPI_ENDPOINT: only used with temporary credentials (ALIYUN_MNS_TOKEN=true or Aliyun's account)",
      );
    }
  } else {
    for (const name of ['ALIYUN_MNS_TOKEN', 'ALIYUN_DYBASEAPI_ENDPOINT'] as const) {
      if (env[name] !== undefined)
        problems.push(`${name}: only used to read the MNS queues (ALIYUN_MNS_ENDPOINT)`);
    }
  }
  return problems;
}
