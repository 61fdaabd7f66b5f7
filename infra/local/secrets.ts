import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSigningSecrets } from '#shared/config/check';

/**
 * Secrets of the local system, shared by the server and the token script. They live in
 * `${DATA_DIR:-.data}/local-secrets.json` (mode 0600) and are created on first use.
 * `WEBHOOK_SECRET` in the environment overrides the stored webhook secret; it may hold several
 * comma-separated secrets (rotation: the webhook accepts a signature made with any of them); each
 * must be a Standard Webhooks secret (`whsec_` + base64 of 24-64 bytes), or loading stops naming it.
 */
export interface LocalSecrets {
  /** The webhook secret(s) as the WEBHOOK_SECRET variable carries them (comma-separated). */
  webhookSecret: string;
  /** The same, one entry per secret. */
  webhookSecrets: string[];
  /** HS256 key of local bearer tokens (the local stand-in for the identity provider). */
  jwtSecret: string;
  /**
   * Our signing secret of the replies to the work order (回复工单), for every source: derived from
   * the stored secrets, so it is stable across restarts. REPLY_SECRETS (`{"<source>": "whsec_..."}`)
   * in the environment overrides it.
   */
  replySecret: string;
  /**
   * The path token of the SMS providers' callback URLs (43 URL-safe characters), derived from the
   * stored secrets like `replySecret`; SMS_CALLBACK_TOKEN in the environment overrides it.
   */
  smsCallbackToken: string;
  /** The file the secrets are kept in. */
  file: string;
}

interface StoredSecrets {
  webhookSecret: string;
  jwtSecret: string;
}

export const JWT_ISSUER = 'telecom-feedback-local';
export const JWT_AUDIENCE = 'telecom-feedback';

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DATA_DIR?.trim() || '.data');
}

/**
 * Creates `path` (and its missing parents) private to the user, 0700, and tightens it to 0700 if it
 * exists: for the directories that are ours alone (the data directory's `dynamodb/`).
 */
export function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  try {
    chmodSync(path, 0o700);
  } catch (err) {
    throw new Error(`cannot make the data directory ${path} private (0700): ${(err as Error).message}`);
  }
}

/** What an earlier run of ours leaves in a data directory. */
const OUR_FILES = ['local-secrets.json', 'dynamodb'];

/**
 * The data directory holds phone numbers, comments and secrets: created 0700, and tightened to
 * 0700 when an earlier run of ours made it (it holds our files). An existing directory that is not
 * ours (`DATA_DIR=/tmp`, or `$HOME`) is left as it is: what we put in it is private by itself
 * (the secrets file 0600, `dynamodb/` 0700).
 */
export function dataDirPrivate(path: string): void {
  if (!existsSync(path) || OUR_FILES.some((f) => existsSync(join(path, f)))) privateDir(path);
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function isStored(x: unknown): x is StoredSecrets {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.webhookSecret === 'string' && typeof o.jwtSecret === 'string';
}

function readOrCreate(file: string): StoredSecrets {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (isStored(parsed) && parsed.webhookSecret && parsed.jwtSecret) return parsed;
    throw new Error(`${file} is not a valid local secrets file: delete it to create new secrets`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const fresh: StoredSecrets = {
    webhookSecret: newWebhookSecret(),
    jwtSecret: randomBytes(48).toString('base64url'),
  };
  try {
    // `wx`: if another process created the file in the meantime, use theirs.
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readOrCreate(file);
  }
}

export function loadLocalSecrets(
  env: NodeJS.ProcessEnv = process.env,
  dir: string = dataDir(env),
): LocalSecrets {
  const file = join(dir, 'local-secrets.json');
  dataDirPrivate(dir);
  const stored = readOrCreate(file);
  const fromEnv = env.WEBHOOK_SECRET?.trim() ? parseSigningSecrets(env.WEBHOOK_SECRET, 'WEBHOOK_SECRET') : [];
  const webhookSecrets = fromEnv.length ? fromEnv : [stored.webhookSecret];
  const replySecret = `whsec_${createHmac('sha256', stored.jwtSecret).update('work-order-reply').digest('base64')}`;
  const smsCallbackToken =
    env.SMS_CALLBACK_TOKEN?.trim() ||
    createHmac('sha256', stored.jwtSecret).update('sms-callback-token').digest('base64url');
  return {
    webhookSecret: webhookSecrets.join(','),
    webhookSecrets,
    jwtSecret: stored.jwtSecret,
    replySecret,
    smsCallbackToken,
    file,
  };
}
