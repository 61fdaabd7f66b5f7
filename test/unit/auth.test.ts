import { describe, expect, it } from 'vitest';
import { principalFromEvent, roleFromGroups } from '#shared/auth';
import { UnauthorizedError } from '#shared/errors';
import { httpFunction, json } from '#shared/http';
import { canSee } from '#shared/usecases/engineer-report';
import { httpEvent } from '../helpers/apigw.ts';

/**
 * Claims exactly as API Gateway's HTTP API JWT authorizer hands a Cognito ID token's claims to the
 * function: every value a string (numbers and booleans too), arrays such as `cognito:groups` as
 * one bracketed, space-separated string (`[admin manager]`), custom attributes under `custom:`.
 */
function cognitoIdClaims(extra: Record<string, string>): Record<string, string> {
  return {
    aud: '5r7a0kq3c2vbn8d1example',
    auth_time: '1795334400',
    'cognito:username': 'li.na',
    email: 'li.na@example.cn',
    email_verified: 'true',
    event_id: '8c1f2a3e-7d51-4c36-9a7e-1b2c3d4e5f60',
    exp: '1795338000',
    iat: '1795334400',
    iss: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbCdEfGhI',
    jti: 'c0d1e2f3-a4b5-4c6d-8e7f-901234567890',
    origin_jti: 'f0e1d2c3-b4a5-4968-8776-655443322110',
    sub: '7a3c9e10-2b4d-4f6a-8c1e-3d5f7a9b1c2e',
    token_use: 'id',
    ...extra,
  };
}

const principal = (claims: Record<string, string>) =>
  principalFromEvent(httpEvent({ method: 'GET', path: '/v1/reports/engineers', claims }));

describe('principalFromEvent: Cognito ID tokens through the JWT authorizer', () => {
  it('custom:role and the custom: scopes', () => {
    expect(
      principal(
        cognitoIdClaims({
          'custom:role': 'manager',
          'custom:teams': 'T1,T2',
          'custom:regions': 'R1',
        }),
      ),
    ).toEqual({
      subject: '7a3c9e10-2b4d-4f6a-8c1e-3d5f7a9b1c2e',
      role: 'manager',
      teams: ['T1', 'T2'],
      regions: ['R1'],
    });
  });

  it('the role from one group (a plain string) when there is no custom:role', () => {
    const p = principal(cognitoIdClaims({ 'cognito:groups': 'agent', 'custom:teams': 'T3 T4' }));
    expect(p.role).toBe('agent');
    expect(p.teams).toEqual(['T3', 'T4']);
    expect(p.regions).toEqual([]);
  });

  it('several groups give the most privileged of them, whatever their order', () => {
    expect(principal(cognitoIdClaims({ 'cognito:groups': '[admin manager]' })).role).toBe('admin');
    expect(principal(cognitoIdClaims({ 'cognito:groups': '[engineer agent manager]' })).role).toBe('manager');
    expect(principal(cognitoIdClaims({ 'cognito:groups': '[engineer agent]' })).role).toBe('agent');
  });

  it('an engineer group with custom:engineerId', () => {
    expect(
      principal(cognitoIdClaims({ 'cognito:groups': '[engineer]', 'custom:engineerId': 'E-1001' })),
    ).toEqual({
      subject: '7a3c9e10-2b4d-4f6a-8c1e-3d5f7a9b1c2e',
      role: 'engineer',
      teams: [],
      regions: [],
      engineerId: 'E-1001',
    });
  });

  it('groups that are not roles are ignored beside one that is', () => {
    expect(principal(cognitoIdClaims({ 'cognito:groups': '[ops-oncall engineer]' })).role).toBe('engineer');
  });

  it('custom:role, when present, wins over the groups', () => {
    expect(principal(cognitoIdClaims({ 'custom:role': 'agent', 'cognito:groups': '[admin]' })).role).toBe(
      'agent',
    );
  });

  it.each([
    ['no role at all', {}],
    ['an unknown group', { 'cognito:groups': 'superuser' }],
    ['unknown groups only', { 'cognito:groups': '[administrators managers]' }],
    ['an empty group list', { 'cognito:groups': '[]' }],
    [
      'an unknown custom:role, even beside an admin group',
      { 'custom:role': 'root', 'cognito:groups': '[admin]' },
    ],
    ['a role-like email but no role', { email: 'admin@example.cn' }],
  ])('%s -> UnauthorizedError', (_, extra) => {
    expect(() => principal(cognitoIdClaims(extra))).toThrow(UnauthorizedError);
  });

  it('no claims at all (no authorizer) -> UnauthorizedError', () => {
    expect(() => principalFromEvent(httpEvent({ method: 'GET', path: '/v1/callbacks' }))).toThrow(
      UnauthorizedError,
    );
  });

  it('a handler answers 401 for a token with no role and for an unknown group', async () => {
    const fn = httpFunction(async (event) => json(200, principalFromEvent(event)));
    const call = (claims: Record<string, string>) =>
      fn(httpEvent({ method: 'GET', path: '/v1/callbacks', claims }));
    expect((await call(cognitoIdClaims({}))).statusCode).toBe(401);
    expect((await call(cognitoIdClaims({ 'cognito:groups': '[guest]' }))).statusCode).toBe(401);
    expect((await call(cognitoIdClaims({ 'cognito:groups': '[manager]' }))).statusCode).toBe(200);
  });

  it('the same scope checks apply after the mapping', () => {
    const row = { engineerId: 'E-1', team: 'T1', region: 'R9' };
    const manager = principal(cognitoIdClaims({ 'cognito:groups': '[manager]', 'custom:teams': 'T1' }));
    const otherManager = principal(cognitoIdClaims({ 'cognito:groups': '[manager]', 'custom:teams': 'T2' }));
    const regional = principal(cognitoIdClaims({ 'cognito:groups': '[agent]', 'custom:regions': 'R9' }));
    const engineer = principal(
      cognitoIdClaims({ 'cognito:groups': '[engineer]', 'custom:engineerId': 'E-1' }),
    );
    const otherEngineer = principal(
      cognitoIdClaims({ 'cognito:groups': '[engineer]', 'custom:engineerId': 'E-2' }),
    );
    const admin = principal(cognitoIdClaims({ 'cognito:groups': '[admin]' }));
    expect(canSee(manager, row)).toBe(true);
    expect(canSee(otherManager, row)).toBe(false);
    expect(canSee(regional, row)).toBe(true);
    expect(canSee(engineer, row)).toBe(true);
    expect(canSee(otherEngineer, row)).toBe(false);
    expect(canSee(admin, row)).toBe(true);
  });
});

describe('roleFromGroups', () => {
  it('picks the most privileged role among the groups, exact names only', () => {
    expect(roleFromGroups(['engineer', 'admin'])).toBe('admin');
    expect(roleFromGroups(['agent'])).toBe('agent');
    expect(roleFromGroups(['Admin', 'admins', 'admin '])).toBeUndefined();
    expect(roleFromGroups([])).toBeUndefined();
  });
});
