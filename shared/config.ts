import * as z from 'zod';
import { parseRules, type Rules } from '#shared/rules';

/**
 * Process configuration, read from the environment once per container and validated at start-up.
 * A missing or malformed variable stops the process with a message naming it.
 */
const envSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Set locally (DynamoDB Local); absent on AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('cn-north-1'),
  /** `sns` publishes to the phone number on AWS; `outbox` stores messages locally. */
  SMS_GATEWAY: z.enum(['sns', 'outbox']).default('sns'),
  /** Number of partitions the due-work index is spread over. */
  DUE_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
  RULES: z.string().optional(),
  /** SNS topic of the supervisors' alerts (on AWS). */
  ALERTS_TOPIC_ARN: z.string().optional(),
  /** Public base URL of the API, for links in SMS (web survey). */
  PUBLIC_BASE_URL: z.url().optional(),
  /**
   * SQS queue of the replies to the work order (on AWS): set = the scheduler hands due replies to
   * it and functions/work-order-reply delivers them; absent (locally) = the scheduler delivers them.
   */
  WORK_ORDER_QUEUE_URL: z.url().optional(),
});

export type Config = z.infer<typeof envSchema> & { rules: Rules };

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
  }
  return { ...parsed.data, rules: parseRules(parsed.data.RULES) };
}

export const config: Config = loadConfig(process.env);
