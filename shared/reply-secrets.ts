import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { Webhook } from 'standardwebhooks';
import * as z from 'zod';

/**
 * Our signing secrets of the reply to the work order, one per source (the work-order system
 * verifies with it): `REPLY_SECRETS` locally, or the Secrets Manager secret `REPLY_SECRETS_ARN` on
 * AWS (read once per container, cached five minutes so that a rotated value is picked up).
 * Both hold a JSON map `{ "<source>": "whsec_..." }`; the key `*` is the secret of any source
 * without its own.
 */
const env = z
  .object({
    REPLY_SECRETS: z.string().optional(),
    REPLY_SECRETS_ARN: z.string().optional(),
  })
  .parse(process.env);

const secretsSchema = z.record(z.string().min(1), z.string().min(1));

function parseSecrets(raw: string, origin: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${origin} is not JSON (expected {"<source>": "whsec_..."})`);
  }
  const parsed = secretsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${origin}: ${z.prettifyError(parsed.error)}`);
  for (const [source, secret] of Object.entries(parsed.data)) {
    try {
      new Webhook(secret);
    } catch {
      throw new Error(`${origin}: the secret of ${source} is not a Standard Webhooks secret`);
    }
  }
  return parsed.data;
}

const MAX_AGE_MS = 5 * 60_000;
let cached: { secrets: Record<string, string>; at: number } | undefined;

async function secrets(): Promise<Record<string, string>> {
  if (env.REPLY_SECRETS !== undefined) {
    cached ??= { secrets: parseSecrets(env.REPLY_SECRETS, 'REPLY_SECRETS'), at: Date.now() };
    return cached.secrets;
  }
  if (!env.REPLY_SECRETS_ARN) return {};
  if (!cached || Date.now() - cached.at > MAX_AGE_MS) {
    const value = await getSecret(env.REPLY_SECRETS_ARN, { maxAge: MAX_AGE_MS / 1000 });
    if (typeof value !== 'string') throw new Error('reply secrets are not a string');
    cached = { secrets: parseSecrets(value, 'REPLY_SECRETS_ARN'), at: Date.now() };
  }
  return cached.secrets;
}

/** The secret replies to this source are signed with, or undefined when none is configured. */
export async function replySecret(source: string): Promise<string | undefined> {
  const all = await secrets();
  return Object.hasOwn(all, source) ? all[source] : all['*'];
}
