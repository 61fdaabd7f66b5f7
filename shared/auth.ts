import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { UnauthorizedError } from '#shared/errors';

/** Most privileged first (roleFromGroups relies on the order). */
export const roles = ['admin', 'manager', 'agent', 'engineer'] as const;
export type Role = (typeof roles)[number];

export interface Principal {
  subject: string;
  role: Role;
  teams: string[];
  regions: string[];
  engineerId?: string;
}

const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .replace(/^\[|\]$/g, '')
      .split(/[,\s]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  );

/**
 * Claims as API Gateway's JWT authorizer hands them to the function (all values are strings).
 * Local tokens carry `role`, `teams`, `regions`, `engineerId`; Cognito tokens carry the same as
 * `custom:` attributes, or the role as membership of a user-pool group (`cognito:groups`).
 */
const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(roles),
  teams: list,
  regions: list,
  engineerId: z.string().min(1).optional(),
});

/**
 * The role a token's Cognito groups give (the user pool has one group per role, infra/data-stack.ts):
 * the most privileged of the groups that are roles (`roles` is ordered most privileged first).
 * Groups that are not roles are ignored; none left = no role (the caller answers 401).
 * Only used when the token has no `custom:role` (or local `role`) claim, which wins.
 */
export function roleFromGroups(groups: readonly string[]): Role | undefined {
  return roles.find((r) => groups.includes(r));
}

export function principalFromEvent(event: APIGatewayProxyEventV2): Principal {
  const ctx = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
  const raw = ctx.authorizer?.jwt?.claims;
  if (!raw) throw new UnauthorizedError('missing token');
  const pick = (name: string, custom = true) => {
    const v = raw[name] ?? (custom ? raw[`custom:${name}`] : undefined);
    return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
  };
  const parsed = claimsSchema.safeParse({
    sub: pick('sub'),
    role: pick('role') ?? roleFromGroups(list.parse(pick('cognito:groups', false))),
    teams: pick('teams'),
    regions: pick('regions'),
    engineerId: pick('engineerId'),
  });
  if (!parsed.success) throw new UnauthorizedError('token carries no valid role');
  const { sub, ...rest } = parsed.data;
  return { subject: sub, ...rest };
}
