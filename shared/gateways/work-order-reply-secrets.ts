import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { blankAsUnset, ConfigError, issueLines, signingSecretProblem } from '#shared/config/check';
import { SOURCE_ID, SOURCE_ID_MESSAGE } from '#shared/domain/rules';

/**
 * Our signing secrets of the reply to the work order, one per source (the work-order system
 * verifies with it): `REPLY_SECRETS` locally, or the Secrets Manager secret `REPLY_SECRETS_ARN` on
 * AWS (read once per container, cached five minutes so that a rotated value is picked up).
 * Both hold a JSON map `{ "<source>": "whsec_..." }`; the key `*` is the secret of any source
 * without its own. Each secret must be a Standard Webhooks secret (`whsec_` + base64 of 24-64
 * bytes): a bad REPLY_SECRETS stops the import (the function's init), naming the source.
 */
const parsedEnv = z
  .object({
    REPLY_SECRETS: z.string().optional(),
    REPLY_SECRETS_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN')
      .optional(),
  })
  .safeParse(blankAsUnset(process.env));
if (!parsedEnv.success) throw new ConfigError(issueLines(parsedEnv.error.issues));
const env = parsedEnv.data;

const secretsSchema = z
  .record(
    z.string(),
    z.string().superRefine((secret, ctx) => {
      const problem = signingSecretProblem(secret);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  )
  .superRefine((rec, ctx) => {
    for (const id of Object.keys(rec)) {
      if (id !== '*' && !SOURCE_ID.test(id)) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: `not a source id (${SOURCE_ID_MESSAGE}) nor * (any)`,
        });
      }
    }
  });

function parseSecrets(raw: string, origin: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError([`${origin}: not JSON (expected {"<source>": "whsec_..."})`]);
  }
  const parsed = secretsSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(issueLines(parsed.error.issues, origin));
  return parsed.data;
}

const MAX_AGE_MS = 5 * 60_000;
let cached: { secrets: Record<string, string>; at: number } | undefined =
  env.REPLY_SECRETS !== undefined
    ? { secrets: parseSecrets(env.REPLY_SECRETS, 'REPLY_SECRETS'), at: Date.now() }
    : undefined;

async function secrets(): Promise<Record<string, string>> {
  if (env.REPLY_SECRETS !== undefined && cached) return cached.secrets;
  if (!env.REPLY_SECRETS_ARN) return {};
  if (!cached || Date.now() - cached.at > MAX_AGE_MS) {
    const value = await getSecret(env.REPLY_SECRETS_ARN, { maxAge: MAX_AGE_MS / 1000 });
    if (typeof value !== 'string') throw new Error('reply secrets are not a string');
    cached = { secrets: parseSecrets(value, 'REPLY_SECRETS_ARN (its value)'), at: Date.now() };
  }
  return cached.secrets;
}

/** The secret replies to this source are signed with, or undefined when none is configured. */
export async function replySecret(source: string): Promise<string | undefined> {
  const all = await secrets();
  return Object.hasOwn(all, source) ? all[source] : all['*'];
}
