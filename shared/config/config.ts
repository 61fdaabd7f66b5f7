import * as z from 'zod';
import {
  awsRegion,
  blankAsUnset,
  ConfigError,
  httpsUrl,
  httpUrl,
  issueLines,
  tableName,
} from '#shared/config/check';
import { checkRules, type Rules, replyUrlProblem } from '#shared/domain/rules';

/**
 * Process configuration, read from the environment once per container and validated at start-up.
 * A missing or malformed variable stops the process with a message naming it (and the exact path
 * inside RULES); every problem is listed at once. A variable set to an empty string counts as unset.
 */
const envSchema = z.object({
  TABLE_NAME: tableName,
  /** Set locally (DynamoDB Local); absent on AWS. */
  DYNAMODB_ENDPOINT: httpUrl.optional(),
  AWS_REGION: awsRegion.default('cn-north-1'),
  /** `sns` publishes to the phone number on AWS; `outbox` stores messages locally. */
  SMS_GATEWAY: z.enum(['sns', 'outbox']).default('sns'),
  /** Number of partitions the due-work index is spread over. */
  DUE_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
  RULES: z.string().optional(),
  /** SNS topic of the supervisors' alerts (on AWS). */
  ALERTS_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/, 'expected an SNS topic ARN')
    .optional(),
  /**
   * Public base URL of the API, for links in SMS (web survey): https:// (http:// only to loopback),
   * no credentials, query or fragment (the link's path is appended to it).
   */
  PUBLIC_BASE_URL: z
    .string()
    .superRefine((value, ctx) => {
      const problem = replyUrlProblem(value) ?? (/[?#]/.test(value) ? 'no query or fragment' : undefined);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /**
   * SQS queue of the replies to the work order (on AWS): set = the scheduler hands due replies to
   * it and functions/work-order-reply delivers them; absent (locally) = the scheduler delivers them.
   */
  WORK_ORDER_QUEUE_URL: httpsUrl.optional(),
});

export type Config = z.infer<typeof envSchema> & { rules: Rules };

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(blankAsUnset(env));
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
  if (problems.length > 0 || !parsed.success || 'problems' in rules) throw new ConfigError(problems);
  return { ...parsed.data, rules: rules.rules };
}

export const config: Config = loadConfig(process.env);
