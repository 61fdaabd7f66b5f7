import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import * as z from 'zod';
import { UnauthorizedError } from '#shared/app/errors';
import { blankAsUnset, ConfigError, issueLines, parseSigningSecrets } from '#shared/config/check';
import { header, jsonBody, rawBody } from '#shared/http/http';

/**
 * The signing secrets of the completion webhook: `WEBHOOK_SECRET` (comma-separated, locally) or
 * the Secrets Manager secret `WEBHOOK_SECRET_ARN` (on AWS: read once per container, cached).
 * Several secrets may be valid at once so that they can be rotated. Each must be a Standard
 * Webhooks secret (`whsec_` + base64 of 24-64 bytes): a bad WEBHOOK_SECRET stops the import (the
 * function's init), naming it; a bad value in Secrets Manager fails the requests, naming its ARN.
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

function toVerifiers(raw: string, name: string): Webhook[] {
  return parseSigningSecrets(raw, name).map((s) => new Webhook(s));
}

const MAX_AGE_MS = 5 * 60_000;
let cached: { verifiers: Webhook[]; at: number } | undefined = env.WEBHOOK_SECRET
  ? { verifiers: toVerifiers(env.WEBHOOK_SECRET, 'WEBHOOK_SECRET'), at: Date.now() }
  : undefined;

async function verifiers(): Promise<Webhook[]> {
  if (env.WEBHOOK_SECRET && cached) return cached.verifiers;
  if (!cached || Date.now() - cached.at > MAX_AGE_MS) {
    const value = await getSecret(env.WEBHOOK_SECRET_ARN as string, { maxAge: MAX_AGE_MS / 1000 });
    if (typeof value !== 'string') throw new Error('webhook secret is not a string');
    cached = { verifiers: toVerifiers(value, 'WEBHOOK_SECRET_ARN (its value)'), at: Date.now() };
  }
  return cached.verifiers;
}

/** Verifies a Standard Webhooks signature (id, timestamp within 5 minutes of the real clock, HMAC). */
export async function verifyWebhook(
  rawBody: string,
  headers: Record<string, string | undefined>,
): Promise<void> {
  const h = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  for (const v of await verifiers()) {
    try {
      v.verify(rawBody, h, { jsonParse: false });
      return;
    } catch {
      // try the next secret
    }
  }
  throw new UnauthorizedError('missing, invalid or stale webhook signature');
}

/**
 * The body of a signed webhook request, in the order a caller learns about its mistakes:
 * too large (413), not signed by us (401), not JSON (415/400). Nothing about it is trusted before.
 */
export async function signedJsonBody(event: APIGatewayProxyEventV2): Promise<unknown> {
  const text = rawBody(event);
  await verifyWebhook(text, {
    'webhook-id': header(event, 'webhook-id'),
    'webhook-timestamp': header(event, 'webhook-timestamp'),
    'webhook-signature': header(event, 'webhook-signature'),
  });
  return jsonBody(event, text);
}
