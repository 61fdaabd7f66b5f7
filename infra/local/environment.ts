import type { LocalSecrets } from './secrets.ts';

/**
 * The environment the functions read at import time, set for the local system, and the
 * configuration loaded from it (so that a bad value stops the start before listening).
 * (The functions still read their configuration from process.env: this is where the local
 * system writes it.)
 */
export async function configureFunctions(input: {
  tableName: string;
  dynamoEndpoint: string;
  region: string;
  secrets: LocalSecrets;
  /** The URL the server will answer on, when known before listening (not with port 0). */
  publicUrl: string | undefined;
}): Promise<{ replySecretsFromEnv: boolean }> {
  process.env.TABLE_NAME = input.tableName;
  process.env.DYNAMODB_ENDPOINT = input.dynamoEndpoint;
  process.env.SMS_GATEWAY = 'outbox';
  process.env.WEBHOOK_SECRET = input.secrets.webhookSecret;
  // Replies to the work order are signed with one local secret unless REPLY_SECRETS gives them.
  const replySecretsFromEnv = Boolean(process.env.REPLY_SECRETS?.trim());
  if (!replySecretsFromEnv) process.env.REPLY_SECRETS = JSON.stringify({ '*': input.secrets.replySecret });
  process.env.AWS_REGION = input.region;
  // Links in SMS (web survey) lead to this server unless PUBLIC_BASE_URL says otherwise.
  // With port 0 the address is not known yet: such a link needs PUBLIC_BASE_URL (or a port).
  if (!process.env.PUBLIC_BASE_URL?.trim() && input.publicUrl) process.env.PUBLIC_BASE_URL = input.publicUrl;
  process.env.POWERTOOLS_SERVICE_NAME ??= 'telecom-feedback';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'telecom-feedback-local';

  // Only now the modules that read it; a bad value stops the start here, before listening.
  const { config } = await import('#shared/config/config');
  await import('#shared/gateways/webhook-secrets');
  await import('#shared/gateways/work-order-reply-secrets');
  if (config.TABLE_NAME !== input.tableName || config.DYNAMODB_ENDPOINT !== input.dynamoEndpoint) {
    throw new Error(
      `the configuration was loaded before startLocalSystem set the environment ` +
        `(table ${config.TABLE_NAME}, wanted ${input.tableName}): start the local system before importing ` +
        'function modules, or pass the tableName and dynamoEndpoint already in the environment',
    );
  }
  return { replySecretsFromEnv };
}
