import { type Config, loadConfig } from '#shared/config/config';
import type { LocalSecrets } from './secrets.ts';

/**
 * The configuration the local system runs the functions with: the values it decides (its table,
 * its DynamoDB, its secrets, its URL) over what the environment it was started in says about the
 * rest (RULES, REPLY_SECRETS, PUBLIC_BASE_URL, SMS_GATEWAY and the provider's variables...).
 * SMS go to the local outbox unless SMS_GATEWAY names a provider (aliyun, tencent, sns: its
 * variables then checked as on AWS). Checked here, so that a bad value stops the start before
 * listening. The environment is read, never written.
 */
export function localConfig(input: {
  env: NodeJS.ProcessEnv;
  tableName: string;
  dynamoEndpoint: string;
  region: string;
  secrets: LocalSecrets;
  /** The URL the server will answer on, when known before listening (not with port 0). */
  publicUrl: string | undefined;
}): { config: Config; replySecretsFromEnv: boolean } {
  const { env } = input;
  // Replies to the work order are signed with one local secret unless REPLY_SECRETS gives them.
  const replySecretsFromEnv = Boolean(env.REPLY_SECRETS?.trim());
  const config = loadConfig({
    ...env,
    TABLE_NAME: input.tableName,
    DYNAMODB_ENDPOINT: input.dynamoEndpoint,
    SMS_GATEWAY: env.SMS_GATEWAY?.trim() ? env.SMS_GATEWAY : 'outbox',
    WEBHOOK_SECRET: input.secrets.webhookSecret,
    REPLY_SECRETS: replySecretsFromEnv
      ? env.REPLY_SECRETS
      : JSON.stringify({ '*': input.secrets.replySecret }),
    AWS_REGION: input.region,
    // Checked here with the rest: a bad SMS_CALLBACK_TOKEN in the environment stops the start.
    SMS_CALLBACK_TOKEN: input.secrets.smsCallbackToken,
    // Links in SMS (web survey) lead to this server unless PUBLIC_BASE_URL says otherwise.
    // With port 0 the address is not known yet: such a link needs PUBLIC_BASE_URL (or a port).
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL?.trim() ? env.PUBLIC_BASE_URL : input.publicUrl,
    // The pages offer the development sign-in (/local/sign-in), unless SIGNIN_AUTHORIZE_URL & co.
    // name an issuer (then they sign in there, as on AWS).
    SIGNIN_LOCAL: 'true',
  });
  return { config, replySecretsFromEnv };
}
