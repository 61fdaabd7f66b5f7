import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError, issueLines } from '#shared/config/check';
import type { ProviderCredentials } from '#shared/config/sms-provider';
import { lazy } from '#shared/runtime/lazy';
import { onceUntilFailure } from '#shared/runtime/once';
import * as z from '#shared/runtime/zod';

/**
 * A template provider's keys: given in the configuration (locally), or read from the Secrets
 * Manager secret SMS_PROVIDER_SECRET_ARN once per container, on the first send (JSON, checked
 * with `schema`; a bad value fails the send, naming the ARN's variable, never the value).
 */
export function providerKeys<T>(
  credentials: ProviderCredentials<T>,
  schema: z.core.$ZodType<T>,
): () => Promise<T> {
  if (credentials.kind === 'given') return () => Promise.resolve(credentials.value);
  // not kept when the read fails: the next send reads it again
  return onceUntilFailure(() => read(credentials.arn, schema));
}

async function read<T>(arn: string, schema: z.core.$ZodType<T>): Promise<T> {
  // forceFetch: cached here for the container; a value fixed after a failed read is read at once.
  const value = await getSecret(arn, { forceFetch: true });
  let json: unknown;
  try {
    json = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success)
    throw new ConfigError(issueLines(parsed.error.issues, 'SMS_PROVIDER_SECRET_ARN (its value)'));
  return parsed.data;
}

export const aliyunKeysSchema = lazy(() =>
  z.strictObject({
    accessKeyId: z.string().check(z.minLength(1)),
    accessKeySecret: z.string().check(z.minLength(1)),
  }),
);
export const tencentKeysSchema = lazy(() =>
  z.strictObject({
    secretId: z.string().check(z.minLength(1)),
    secretKey: z.string().check(z.minLength(1)),
  }),
);
