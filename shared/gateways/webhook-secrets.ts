import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { blankAsUnset, ConfigError, issueLines, parseSigningSecrets } from '#shared/config/check';

/**
 * The signing secrets of the completion webhook: `WEBHOOK_SECRET` (comma-separated, locally) or
 * the Secrets Manager secret `WEBHOOK_SECRET_ARN` (on AWS: read once per container, cached five
 * minutes so that a rotated value is picked up). Several secrets may be valid at once so that
 * they can be rotated. Each must be a Standard Webhooks secret (`whsec_` + base64 of 24-64
 * bytes): a bad WEBHOOK_SECRET stops the import (the function's init), naming it; a bad value in
 * Secrets Manager fails the requests, naming its ARN. The verification itself is
 * shared/http/signed-webhook.ts.
 */
const parsedEnv = z
  .object({
    WEBHOOK_SECRET: z.string().optional(),
    WEBHOOK_SECRET_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN')
      .optional(),
  })
  .refine((e) => e.WEBHOOK_SECRET || e.WEBHOOK_SECRET_ARN, {
    message: 'WEBHOOK_SECRET or WEBHOOK_SECRET_ARN must be set',
    path: ['WEBHOOK_SECRET'],
  })
  .safeParse(blankAsUnset(process.env));
if (!parsedEnv.success) throw new ConfigError(issueLines(parsedEnv.error.issues));
const env = parsedEnv.data;

const MAX_AGE_MS = 5 * 60_000;
let cached: { secrets: readonly string[]; at: number } | undefined = env.WEBHOOK_SECRET
  ? { secrets: parseSigningSecrets(env.WEBHOOK_SECRET, 'WEBHOOK_SECRET'), at: Date.now() }
  : undefined;

/**
 * The secrets valid now, checked. The same array is returned for as long as the value is cached,
 * so that a caller may key what it derives from them on it.
 */
export async function webhookSecrets(): Promise<readonly string[]> {
  if (env.WEBHOOK_SECRET && cached) return cached.secrets;
  if (!cached || Date.now() - cached.at > MAX_AGE_MS) {
    const value = await getSecret(env.WEBHOOK_SECRET_ARN as string, { maxAge: MAX_AGE_MS / 1000 });
    if (typeof value !== 'string') throw new Error('webhook secret is not a string');
    cached = { secrets: parseSigningSecrets(value, 'WEBHOOK_SECRET_ARN (its value)'), at: Date.now() };
  }
  return cached.secrets;
}
