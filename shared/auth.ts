import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { UnauthorizedError } from '#shared/errors';

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
 * `custom:` attributes.
 */
const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(roles),
  teams: list,
  regions: list,
  engineerId: z.string().min(1).optional(),
});

export function principalFromEvent(event: APIGatewayProxyEventV2): Principal {
  const ctx = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
  const raw = ctx.authorizer?.jwt?.claims;
  if (!raw) throw new UnauthorizedError('missing token');
  const pick = (name: string) => {
    const v = raw[name] ?? raw[`custom:${name}`];
    return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
  };
  const parsed = claimsSchema.safeParse({
    sub: pick('sub'),
    role: pick('role'),
    teams: pick('teams'),
    regions: pick('regions'),
    engineerId: pick('engineerId'),
  });
  if (!parsed.success) throw new UnauthorizedError('token carries no valid role');
  const { sub, ...rest } = parsed.data;
  return { subject: sub, ...rest };
}
