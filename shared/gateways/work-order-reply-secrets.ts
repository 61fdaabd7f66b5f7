import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { parseReplySecrets, type ReplySecretSettings } from '#shared/config/secrets';

/**
 * Our signing secrets of the reply to the work order, one per source (the work-order system
 * verifies with it): given in the configuration (`REPLY_SECRETS`, locally; checked when the
 * configuration is loaded), or the Secrets Manager secret `REPLY_SECRETS_ARN` on AWS (read on
 * first use, cached five minutes so that a rotated value is picked up). Both hold a JSON map
 * `{ "<source>": "whsec_..." }`; the key `*` is the secret of any source without its own.
 */
export type ReplySecrets = (source: string) => Promise<string | undefined>;

const MAX_AGE_MS = 5 * 60_000;

/** The secret replies to a source are signed with, or undefined when none is configured. */
export function replySecrets(settings: ReplySecretSettings): ReplySecrets {
  let cached: { secrets: Record<string, string>; at: number } | undefined;
  async function all(): Promise<Readonly<Record<string, string>>> {
    if (settings.kind === 'given') return settings.secrets;
    if (settings.kind === 'unset') return {};
    if (!cached || Date.now() - cached.at > MAX_AGE_MS) {
      const value = await getSecret(settings.arn, { maxAge: MAX_AGE_MS / 1000 });
      if (typeof value !== 'string') throw new Error('reply secrets are not a string');
      cached = { secrets: parseReplySecrets(value, 'REPLY_SECRETS_ARN (its value)'), at: Date.now() };
    }
    return cached.secrets;
  }
  return async (source) => {
    const secrets = await all();
    return Object.hasOwn(secrets, source) ? secrets[source] : secrets['*'];
  };
}
