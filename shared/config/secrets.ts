import { ConfigError, issueLines, parseSigningSecrets, signingSecretProblem } from '#shared/config/check';
import { SOURCE_ID, SOURCE_ID_MESSAGE } from '#shared/domain/rules';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/**
 * The secrets' settings, checked with the rest of the configuration: a value given in the
 * environment (locally) is parsed here, so that a bad one stops the function's init naming it;
 * on AWS the settings name the Secrets Manager secret the gateways read (and check) at run time.
 */
export type WebhookSecretSettings =
  | { kind: 'given'; secrets: readonly string[] }
  | { kind: 'secretsManager'; arn: string }
  /** Neither WEBHOOK_SECRET nor WEBHOOK_SECRET_ARN: a function that verifies signatures fails. */
  | { kind: 'unset' };

export type ReplySecretSettings =
  | { kind: 'given'; secrets: Readonly<Record<string, string>> }
  | { kind: 'secretsManager'; arn: string }
  /** No secret configured: replies go out unsigned-for-lack-of-secret (retried). */
  | { kind: 'unset' };

export function webhookSecretSettings(
  given: string | undefined,
  arn: string | undefined,
): WebhookSecretSettings {
  if (given) return { kind: 'given', secrets: parseSigningSecrets(given, 'WEBHOOK_SECRET') };
  if (arn) return { kind: 'secretsManager', arn };
  return { kind: 'unset' };
}

export function replySecretSettings(given: string | undefined, arn: string | undefined): ReplySecretSettings {
  if (given !== undefined) return { kind: 'given', secrets: parseReplySecrets(given, 'REPLY_SECRETS') };
  if (arn) return { kind: 'secretsManager', arn };
  return { kind: 'unset' };
}

/** Built on first use (not at import). */
const replySecretsSchema = lazy(() =>
  z
    .record(
      z.string(),
      z.string().check(
        z.superRefine((secret, ctx) => {
          const problem = signingSecretProblem(secret);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ),
    )
    .check(
      z.superRefine((rec, ctx) => {
        for (const id of Object.keys(rec)) {
          if (id !== '*' && !SOURCE_ID.test(id)) {
            ctx.addIssue({
              code: 'custom',
              path: [id],
              message: `not a source id (${SOURCE_ID_MESSAGE}) nor * (any)`,
            });
          }
        }
      }),
    ),
);

/** A JSON map `{ "<source>": "whsec_..." }` (`*`: any source without its own), checked. */
export function parseReplySecrets(raw: string, origin: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError([`${origin}: not JSON (expected {"<source>": "whsec_..."})`]);
  }
  const parsed = replySecretsSchema().safeParse(json);
  if (!parsed.success) throw new ConfigError(issueLines(parsed.error.issues, origin));
  return parsed.data;
}
