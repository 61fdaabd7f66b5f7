import { Webhook } from 'standardwebhooks';
import * as z from '#shared/runtime/zod';

/**
 * Helpers of the start-up checks (shared/config/config.ts, shared/domain/rules.ts, the secrets modules and the
 * local server's options): one error format that names the exact path of every bad value, e.g.
 * `Invalid configuration: RULES.survey.staffPhones.2: not a mainland China mobile number`.
 * Nothing here reads the environment.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** One `path: message` line per zod issue, unknown keys one per key. */
export function issueLines(issues: readonly z.core.$ZodIssue[], root?: string): string[] {
  return issues.flatMap((issue) => {
    const at = [...(root ? [root] : []), ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...at, key].join('.')}: unknown key`);
    }
    return [`${at.join('.') || '(root)'}: ${issue.message}`];
  });
}

/** Environment variables set to an empty (or blank) string count as unset. */
export function blankAsUnset(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

/** `http:` or `https:` URL (endpoints, base URLs). */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
/** `https:` URL. */
export const httpsUrl = () => z.url({ protocol: /^https$/, error: 'expected an https:// URL' });
/** A DynamoDB table name. */
export const tableName = () =>
  z
    .string()
    .check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'));
/** An AWS region code like `cn-north-1`. */
export const awsRegion = () =>
  z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected an AWS region like cn-north-1'));

/**
 * A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes (the spec's range),
 * which the `standardwebhooks` library accepts. Returns the problem, or undefined when it is fine.
 * Never echoes the value.
 */
export function signingSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith('whsec_')) return 'expected a Standard Webhooks secret: whsec_ and base64';
  const b64 = secret.slice('whsec_'.length);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) {
    return 'the part after whsec_ is not base64';
  }
  const bytes = Buffer.from(b64, 'base64').length;
  if (bytes < 24 || bytes > 64) return `the secret is ${bytes} bytes, expected 24 to 64`;
  try {
    new Webhook(secret);
  } catch {
    return 'not accepted as a Standard Webhooks secret';
  }
  return undefined;
}

/**
 * A comma-separated list of signing secrets (rotation: any of them verifies), as `WEBHOOK_SECRET`
 * carries it. Throws a ConfigError naming `<name>.<index>` of each bad entry.
 */
export function parseSigningSecrets(raw: string, name: string): string[] {
  const secrets = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length === 0) throw new ConfigError([`${name}: no secret given`]);
  const problems = secrets.flatMap((s, i) => {
    const p = signingSecretProblem(s);
    return p ? [`${name}${secrets.length > 1 ? `.${i}` : ''}: ${p}`] : [];
  });
  if (problems.length) throw new ConfigError(problems);
  return secrets;
}
