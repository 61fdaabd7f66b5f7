import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Role, roles } from '#shared/http/auth';
import { scopeNameField } from '#shared/http/schemas/scope-name';
import { JWT_AUDIENCE, JWT_ISSUER, loadLocalSecrets } from './secrets.ts';

/**
 * Local bearer tokens: HS256 JWTs signed with the local jwtSecret, carrying the claims of an ID
 * token (`token_use: "id"`) that the JWT authorizer hands to the functions (`role`, `teams`,
 * `regions`, `engineerId`). Teams and regions are JSON arrays in a string claim, as in Cognito's
 * `custom:teams` / `custom:regions` (shared/http/auth.ts).
 *
 *   npm run --silent token -- --role manager --teams T1,T2 --regions 南昌 --ttl 2h
 *   npm run --silent token -- --role manager --team 'North Team' --team '华东，一组'
 *   npm run --silent token -- --role manager --teams '["North Team","A, B"]'
 */
export interface MintOptions {
  role: Role;
  teams?: string[];
  regions?: string[];
  engineerId?: string;
  /** Defaults to `local-<role>`. */
  sub?: string;
  /** `30s`, `15m`, `12h`, `7d` or seconds; defaults to 12h. */
  ttl?: string | number;
  /** Defaults to the jwtSecret of the local secrets file. */
  secret?: string;
  /** The sign-in request's nonce (the development sign-in page, infra/local/local-signin.ts). */
  nonce?: string;
}

export class TokenOptionsError extends Error {}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseTtl(ttl: string | number): number {
  if (typeof ttl === 'number') {
    if (!Number.isInteger(ttl) || ttl <= 0) throw new TokenOptionsError(`--ttl must be positive: ${ttl}`);
    return ttl;
  }
  const m = /^(\d+)\s*([smhd]?)$/.exec(ttl.trim());
  const n = m ? Number(m[1]) : Number.NaN;
  if (!m || !(n > 0)) throw new TokenOptionsError(`--ttl must look like 30s, 15m, 12h or 7d, not "${ttl}"`);
  return n * (TTL_UNITS[m[2] || 's'] ?? 1);
}

function validate(opts: MintOptions): void {
  if (!roles.includes(opts.role)) {
    throw new TokenOptionsError(`--role must be one of ${roles.join(', ')}, not "${String(opts.role)}"`);
  }
  if (opts.role === 'engineer' && !opts.engineerId) {
    throw new TokenOptionsError('--engineer <id> is required for role engineer');
  }
  for (const [name, list] of [
    ['teams', opts.teams],
    ['regions', opts.regions],
  ] as const) {
    for (const x of list ?? []) {
      if (!scopeNameField().safeParse(x).success) {
        throw new TokenOptionsError(
          `--${name}: ${JSON.stringify(x)} is not a name (1-64 characters, no control characters)`,
        );
      }
    }
  }
}

/** The names as the claim carries them: a JSON array (trimmed, each once). */
const listClaim = (list: readonly string[] | undefined) =>
  JSON.stringify([...new Set((list ?? []).map((x) => scopeNameField().parse(x)))]);

export async function mintToken(opts: MintOptions): Promise<string> {
  validate(opts);
  const ttlSeconds = parseTtl(opts.ttl ?? '12h');
  const secret = opts.secret ?? loadLocalSecrets().jwtSecret;
  const iat = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    token_use: 'id',
    role: opts.role,
    teams: listClaim(opts.teams),
    regions: listClaim(opts.regions),
    ...(opts.engineerId ? { engineerId: opts.engineerId } : {}),
    ...(opts.nonce ? { nonce: opts.nonce } : {}),
  };
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(opts.sub ?? `local-${opts.role}`)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** Verifies a local token the way the JWT authorizer does (signature, iss, aud, exp); throws otherwise. */
export async function verifyToken(
  token: string,
  secret: string = loadLocalSecrets().jwtSecret,
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
    algorithms: ['HS256'],
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    requiredClaims: ['sub', 'exp'],
  });
  return payload;
}

/**
 * `--teams`/`--regions`: a JSON array of names (`["North Team","A, B"]`), or names separated by
 * ASCII commas (`T1,T2`; spaces and full-width commas stay inside a name); `--team`/`--region`
 * (repeatable): one name each, whatever it holds. Both forms add up.
 */
function namesOption(
  flag: string,
  list: string | undefined,
  single: string[] | undefined,
): string[] | undefined {
  if (list === undefined && single === undefined) return undefined;
  let names: string[] = [];
  if (list !== undefined) {
    if (list.trim().startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(list);
      } catch {
        throw new TokenOptionsError(`--${flag} starting with "[" must be a JSON array of names`);
      }
      if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) {
        throw new TokenOptionsError(`--${flag} starting with "[" must be a JSON array of names`);
      }
      names = parsed as string[];
    } else {
      // The plain form is for simple names only: a comma followed by a space (or any name with
      // space around it) is more likely one name with a comma in it than two, so it is refused.
      names = list.split(',');
      if (names.some((x) => x !== x.trim() || x === '')) {
        throw new TokenOptionsError(
          `--${flag} "${list}" is ambiguous: for a name with a comma or space around it use --${flag.replace(/s$/, '')} NAME (repeatable) or a JSON array`,
        );
      }
    }
  }
  return [...names, ...(single ?? [])].map((x) => x.trim());
}

export function parseTokenArgs(argv: string[]): MintOptions {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: 'string' },
        teams: { type: 'string' },
        team: { type: 'string', multiple: true },
        regions: { type: 'string' },
        region: { type: 'string', multiple: true },
        engineer: { type: 'string' },
        sub: { type: 'string' },
        ttl: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new TokenOptionsError((err as Error).message);
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const role = str('role');
  if (!role) throw new TokenOptionsError(`--role is required (${roles.join(', ')})`);
  const opts: MintOptions = { role: role as Role };
  const many = (k: string) => (Array.isArray(values[k]) ? (values[k] as string[]) : undefined);
  const teams = namesOption('teams', str('teams'), many('team'));
  const regions = namesOption('regions', str('regions'), many('region'));
  if (teams) opts.teams = teams;
  if (regions) opts.regions = regions;
  const engineer = str('engineer');
  if (engineer !== undefined) {
    if (!engineer.trim()) throw new TokenOptionsError('--engineer must not be empty');
    opts.engineerId = engineer.trim();
  }
  const sub = str('sub');
  if (sub !== undefined) {
    if (!sub.trim()) throw new TokenOptionsError('--sub must not be empty');
    opts.sub = sub.trim();
  }
  const ttl = str('ttl');
  if (ttl !== undefined) opts.ttl = ttl;
  validate(opts);
  parseTtl(opts.ttl ?? '12h');
  return opts;
}

const USAGE =
  'usage: npm run --silent token -- --role admin|manager|agent|engineer ' +
  '[--teams T1,T2 | --teams \'["North Team"]\' | --team NAME...] [--regions R1,R2 | --region NAME...] ' +
  '[--engineer ID] [--sub NAME] [--ttl 12h]';

async function main(argv: string[]): Promise<number> {
  let opts: MintOptions;
  try {
    opts = parseTokenArgs(argv);
  } catch (err) {
    if (!(err instanceof TokenOptionsError)) throw err;
    process.stderr.write(`token: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  process.stdout.write(`${await mintToken(opts)}\n`);
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`token: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
