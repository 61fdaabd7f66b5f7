import { describe, expect, it } from 'vitest';
import { canSeeFigures as canSee } from '#shared/domain/access';
import { UnauthorizedError } from '#shared/domain/errors';
import { parseScopeList, principalFromEvent } from '#shared/http/auth';
import { httpFunction, json } from '#shared/http/http';
import { httpEvent } from '../helpers/apigw.ts';

/**
 * Claims exactly as API Gateway's HTTP API JWT authorizer hands a Cognito ID token's claims to the
 * function: every value a string (numbers and booleans too), arrays such as `cognito:groups` as
 * one bracketed, space-separated string (`[admin manager]`), custom attributes under `custom:`.
 * Lists of teams and regions are JSON arrays carried as a string claim, which survives that intact.
 */
function cognitoIdClaims(extra: Record<string, string | string[]>): Record<string, string | string[]> {
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

/** The claims of a Cognito access token: groups, but no custom attributes. */
function cognitoAccessClaims(extra: Record<string, string>): Record<string, string> {
  const {
    aud: _aud,
    email: _e,
    email_verified: _ev,
    ...rest
  } = cognitoIdClaims({}) as Record<string, string>;
  return {
    ...rest,
    client_id: '5r7a0kq3c2vbn8d1example',
    scope: 'aws.cognito.signin.user.admin',
    token_use: 'access',
    ...extra,
  };
}

const principal = (claims: Record<string, string | string[]>) =>
  principalFromEvent(httpEvent({ method: 'GET', path: '/v1/reports/engineers', claims }));

/** Names that are one identifier each: spaces, commas, '#', Chinese and full-width punctuation. */
const awkward = [
  'North Team',
  'North',
  'Team',
  '华东，一组',
  'A#B',
  'x, y',
  '（南区）二组',
  '客服·一线：夜班',
];

describe('principalFromEvent: Cognito ID tokens through the JWT authorizer', () => {
  it('custom:role and the custom: scopes (JSON arrays in a string claim)', () => {
    expect(
      principal(
        cognitoIdClaims({
          'custom:role': 'manager',
          'custom:teams': '["T1","T2"]',
          'custom:regions': '["R1"]',
        }),
      ),
    ).toEqual({
      subject: '7a3c9e10-2b4d-4f6a-8c1e-3d5f7a9b1c2e',
      role: 'manager',
      teams: ['T1', 'T2'],
      regions: ['R1'],
    });
  });

  it('team and region names with spaces, commas, #, Chinese and full-width punctuation stay whole', () => {
    const p = principal(
      cognitoIdClaims({
        'custom:role': 'manager',
        'custom:teams': JSON.stringify(awkward),
        'custom:regions': JSON.stringify(['江西 南昌', '华东，上海']),
      }),
    );
    expect(p.teams).toEqual(awkward);
    expect(p.regions).toEqual(['江西 南昌', '华东，上海']);
  });

  it('a real JSON array value is accepted too; names are trimmed', () => {
    const p = principal(
      cognitoIdClaims({ 'custom:role': 'agent', 'custom:teams': ['North Team', ' 华东，一组 '] }),
    );
    expect(p.teams).toEqual(['North Team', '华东，一组']);
    expect(principal(cognitoIdClaims({ 'custom:role': 'agent', 'custom:teams': '[]' })).teams).toEqual([]);
  });

  it('a manager of "North Team" is not a manager of "North" or "Team"', () => {
    const m = principal(cognitoIdClaims({ 'custom:role': 'manager', 'custom:teams': '["North Team"]' }));
    expect(m.teams).toEqual(['North Team']);
    const row = (team: string) => ({ engineerId: 'E-1', team, region: 'R9' });
    expect(canSee(m, row('North Team'))).toBe(true);
    expect(canSee(m, row('North'))).toBe(false);
    expect(canSee(m, row('Team'))).toBe(false);
    expect(canSee(m, row('North#Team'))).toBe(false);
  });

  it.each([
    ['a bare comma list', 'T1,T2'],
    ['a bare name with a space', 'North Team'],
    ['a bare single name', 'T1'],
    ['an array flattened by the authorizer', '[North Team]'],
    ['an empty string', ''],
    ['a JSON object', '{"teams":["T1"]}'],
    ['a JSON string', '"T1"'],
    ['a non-string entry', '["T1",2]'],
    ['an empty name', '["T1",""]'],
    ['a blank name', '["   "]'],
    ['a name too long', JSON.stringify(['x'.repeat(65)])],
    ['a control character', '["North\\u0000Team"]'],
    ['a bidi override', '["North\\u202eTeam"]'],
  ])('custom:teams as %s -> 401 naming the claim', (_, value) => {
    const call = () => principal(cognitoIdClaims({ 'custom:role': 'manager', 'custom:teams': value }));
    expect(call).toThrow(UnauthorizedError);
    expect(call).toThrow(/custom:teams.*JSON array/);
  });

  it('custom:regions is held to the same encoding', () => {
    expect(() => principal(cognitoIdClaims({ 'custom:role': 'agent', 'custom:regions': 'R1 R2' }))).toThrow(
      /custom:regions.*JSON array/,
    );
  });

  it('local tokens name the claim without the custom: prefix', () => {
    expect(() => principal(cognitoIdClaims({ role: 'agent', teams: 'T1,T2' }))).toThrow(/teams.*JSON array/);
    expect(principal(cognitoIdClaims({ role: 'agent', teams: '["T1","T2"]' })).teams).toEqual(['T1', 'T2']);
  });

  it('an engineer with custom:engineerId', () => {
    expect(principal(cognitoIdClaims({ 'custom:role': 'engineer', 'custom:engineerId': 'E-1001' }))).toEqual({
      subject: '7a3c9e10-2b4d-4f6a-8c1e-3d5f7a9b1c2e',
      role: 'engineer',
      teams: [],
      regions: [],
      engineerId: 'E-1001',
    });
  });

  it('custom:role is the only source of the role: groups never give or raise one', () => {
    // demoted to engineer, still in the admin group: an engineer
    expect(
      principal(
        cognitoIdClaims({
          'custom:role': 'engineer',
          'custom:engineerId': 'E-1',
          'cognito:groups': '[admin]',
        }),
      ).role,
    ).toBe('engineer');
    expect(
      principal(cognitoIdClaims({ 'custom:role': 'agent', 'cognito:groups': '[admin manager]' })).role,
    ).toBe('agent');
  });

  it.each([
    ['no role at all', cognitoIdClaims({})],
    ['an ID token with groups only', cognitoIdClaims({ 'cognito:groups': '[admin]' })],
    ['an ID token with one group only', cognitoIdClaims({ 'cognito:groups': 'manager' })],
    ['an access token in the admin group', cognitoAccessClaims({ 'cognito:groups': '[admin]' })],
    [
      'an access token with a role claim',
      cognitoAccessClaims({ 'custom:role': 'admin', 'cognito:groups': '[admin]' }),
    ],
    ['a token_use that is not id', cognitoIdClaims({ 'custom:role': 'admin', token_use: 'refresh' })],
    [
      'an unknown custom:role, even beside an admin group',
      cognitoIdClaims({ 'custom:role': 'root', 'cognito:groups': '[admin]' }),
    ],
    ['a role-like email but no role', cognitoIdClaims({ email: 'admin@example.cn' })],
  ])('%s -> UnauthorizedError', (_, claims) => {
    expect(() => principal(claims)).toThrow(UnauthorizedError);
  });

  it('a token with no token_use -> UnauthorizedError', () => {
    const event = httpEvent({
      method: 'GET',
      path: '/v1/callbacks',
      claims: cognitoIdClaims({ 'custom:role': 'admin' }),
    });
    const claims = (
      event.requestContext as unknown as { authorizer: { jwt: { claims: Record<string, unknown> } } }
    ).authorizer.jwt.claims;
    delete claims.token_use;
    expect(() => principalFromEvent(event)).toThrow(/ID tokens/);
  });

  it('no claims at all (no authorizer) -> UnauthorizedError', () => {
    expect(() => principalFromEvent(httpEvent({ method: 'GET', path: '/v1/callbacks' }))).toThrow(
      UnauthorizedError,
    );
  });

  it('a handler answers 401 (problem+json saying why) for access tokens, groups only and bad lists', async () => {
    const fn = httpFunction(async (event) => json(200, principalFromEvent(event)));
    const call = (claims: Record<string, string>) =>
      fn(httpEvent({ method: 'GET', path: '/v1/callbacks', claims }));
    const access = await call(cognitoAccessClaims({ 'cognito:groups': '[admin]' }));
    expect(access.statusCode).toBe(401);
    expect(JSON.parse(String(access.body)).detail).toMatch(/ID token/);
    expect(
      (await call(cognitoIdClaims({ 'cognito:groups': '[manager]' }) as Record<string, string>)).statusCode,
    ).toBe(401);
    const badList = await call(
      cognitoIdClaims({ 'custom:role': 'manager', 'custom:teams': 'T1,T2' }) as Record<string, string>,
    );
    expect(badList.statusCode).toBe(401);
    expect(JSON.parse(String(badList.body)).detail).toMatch(/custom:teams/);
    expect(
      (await call(cognitoIdClaims({ 'custom:role': 'manager' }) as Record<string, string>)).statusCode,
    ).toBe(200);
  });

  it('the same scope checks apply after the mapping', () => {
    const row = { engineerId: 'E-1', team: 'T1', region: 'R9' };
    const manager = principal(cognitoIdClaims({ 'custom:role': 'manager', 'custom:teams': '["T1"]' }));
    const otherManager = principal(cognitoIdClaims({ 'custom:role': 'manager', 'custom:teams': '["T2"]' }));
    const regional = principal(cognitoIdClaims({ 'custom:role': 'agent', 'custom:regions': '["R9"]' }));
    const engineer = principal(cognitoIdClaims({ 'custom:role': 'engineer', 'custom:engineerId': 'E-1' }));
    const otherEngineer = principal(
      cognitoIdClaims({ 'custom:role': 'engineer', 'custom:engineerId': 'E-2' }),
    );
    const admin = principal(cognitoIdClaims({ 'custom:role': 'admin' }));
    expect(canSee(manager, row)).toBe(true);
    expect(canSee(otherManager, row)).toBe(false);
    expect(canSee(regional, row)).toBe(true);
    expect(canSee(engineer, row)).toBe(true);
    expect(canSee(otherEngineer, row)).toBe(false);
    expect(canSee(admin, row)).toBe(true);
  });
});

describe('parseScopeList', () => {
  it('round-trips every awkward name through the encoding', () => {
    expect(parseScopeList(JSON.stringify(awkward))).toEqual({ ok: true, names: awkward });
    expect(parseScopeList(undefined)).toEqual({ ok: true, names: [] });
    expect(parseScopeList('["a","a"]')).toEqual({ ok: true, names: ['a'] });
    expect(parseScopeList('a,b').ok).toBe(false);
  });
});
