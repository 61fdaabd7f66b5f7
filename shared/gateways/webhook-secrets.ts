import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError, parseSigningSecrets } from '#shared/config/check';
import type { WebhookSecretSettings } from '#shared/config/secrets';

/**
 * The signing secrets of the completion webhook: given in the configuration (`WEBHOOK_SECRET`,
 * comma-separated, locally; checked when the configuration is loaded) or the Secrets Manager
 * secret `WEBHOOK_SECRET_ARN` (on AWS: read on first use, cached five minutes so that a rotated
 * value is picked up). Several secrets may be valid at once so that they can be rotated. A bad
 * value in Secrets Manager fails the requests, naming its ARN. The verification itself is
 * shared/http/signed-webhook.ts.
 */
export type WebhookSecrets = () => Promise<readonly string[]>;

const MAX_AGE_MS = 5 * 60_000;

/**
 * The secrets valid now, checked. The same array is returned for as long as the value is cached,
 * so that a caller may key what it derives from them on it.
 */
export function webhookSecrets(settings: WebhookSecretSettings): WebhookSecrets {
  let cached: { secrets: readonly string[]; at: number } | undefined;
  return async () => {
    if (settings.kind === 'given') return settings.secrets;
    if (settings.kind === 'unset') {
      throw new ConfigError(['WEBHOOK_SECRET: WEBHOOK_SECRET or WEBHOOK_SECRET_ARN must be set']);
    }
    if (!cached || Date.now() - cached.at > MAX_AGE_MS) {
      const value = await getSecret(settings.arn, { maxAge: MAX_AGE_MS / 1000 });
      if (typeof value !== 'string') throw new Error('webhook secret is not a string');
      cached = { secrets: parseSigningSecrets(value, 'WEBHOOK_SECRET_ARN (its value)'), at: Date.now() };
    }
    return cached.secrets;
  };
}
