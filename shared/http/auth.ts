import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AuthClaims } from '#shared/config/config';
import { UnauthorizedError } from '#shared/domain/errors';
import { scopeNameField } from '#shared/http/schemas/scope-name';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/** Most privileged first. */
export const roles = ['admin', 'manager', 'agent', 'engineer'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  subject: string;
  role: Role;
  teams: string[];
  regions: string[];
  engineerId?: string;
}

const nameList = lazy(() => z.array(scopeNameField()));

/**
 * A list of team or region names as tokens carry it: a JSON array of strings, as a string claim
 * (`["North Team","华东，一组"]`; API Gateway's JWT authorizer hands a real array claim on as
 * `[North Team 华东，一组]`, which could not be split back, but a string claim intact), or a real
 * array if one arrives. No claim = no names. Anything else is refused, never split by guesswork.
 */
export function parseScopeList(value: unknown): { ok: true; names: string[] } | { ok: false } {
  if (value === undefined) return { ok: true, names: [] };
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return { ok: false };
    }
  }
  const parsed = nameList().safeParse(list);
  return parsed.success ? { ok: true, names: [...new Set(parsed.data)] } : { ok: false };
}

/**
 * Claims as API Gateway's JWT authorizer hands them to the function (all values strings).
 * Cognito (the default): only ID tokens are accepted (`token_use` = `id`; local tokens carry it
 * too): an access token carries the user's groups but not their attributes. The role is
 * `custom:role` (local tokens: `role`) and nothing else: `cognito:groups` gives no role. Scopes are
 * `custom:teams`, `custom:regions` (JSON arrays, see parseScopeList) and `custom:engineerId` (local
 * tokens: the same names without `custom:`).
 * An OIDC issuer (`claims` from the configuration, AUTH_*_CLAIM and OIDC_ISSUER): each value is read
 * from exactly the claim named, with the same checks; no `token_use` is required.
 */
const claimsSchema = lazy(() =>
  z.object({
    sub: z.string().check(z.minLength(1)),
    role: z.enum(roles),
    engineerId: z.optional(z.string().check(z.minLength(1))),
  }),
);

type RawClaims = Record<string, string | number | boolean | string[]>;

/** Today's claims: Cognito ID tokens (`custom:<name>`) and local tokens (`<name>`). */
export const cognitoClaims: AuthClaims = { idTokenOnly: true };

export function principalFromEvent(
  event: APIGatewayProxyEventV2,
  claims: AuthClaims = cognitoClaims,
): Principal {
  const ctx = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: RawClaims } };
  };
  const raw = ctx.authorizer?.jwt?.claims;
  if (!raw) throw new UnauthorizedError('missing token');
  if (claims.idTokenOnly && raw.token_use !== 'id')
    throw new UnauthorizedError('only ID tokens are accepted (token_use must be "id")');
  /** The configured claim, else the local claim name or the Cognito custom attribute's, with its value. */
  const claim = (
    name: 'role' | 'teams' | 'regions' | 'engineerId',
  ): [string, RawClaims[string] | undefined] => {
    const configured = claims[name];
    if (configured !== undefined) return [configured, raw[configured]];
    return raw[name] !== undefined ? [name, raw[name]] : [`custom:${name}`, raw[`custom:${name}`]];
  };
  const scope = (name: 'teams' | 'regions'): string[] => {
    const [claimName, value] = claim(name);
    const list = parseScopeList(value);
    if (!list.ok) {
      throw new UnauthorizedError(
        `${claimName} must be a JSON array of names, e.g. ["North Team","华东，一组"] ` +
          '(each 1-64 characters, no control characters)',
      );
    }
    return list.names;
  };
  const str = (v: RawClaims[string] | undefined) => (v === undefined ? undefined : String(v));
  const parsed = claimsSchema().safeParse({
    sub: str(raw.sub),
    role: str(claim('role')[1]),
    engineerId: str(claim('engineerId')[1]),
  });
  if (!parsed.success) throw new UnauthorizedError('token carries no valid role');
  const { sub, role, engineerId } = parsed.data;
  return {
    subject: sub,
    role,
    teams: scope('teams'),
    regions: scope('regions'),
    ...(engineerId ? { engineerId } : {}),
  };
}
