import { describe, expect, it } from 'vitest';
import { type AuthClaims, loadConfig } from '#shared/config/config';
import { UnauthorizedError } from '#shared/domain/errors';
import { principalFromEvent } from '#shared/http/auth';
import { httpFunction, json } from '#shared/http/http';
import { httpEvent } from '../helpers/apigw.ts';

/**
 * Managers' tokens from any OIDC issuer (issue 11; CDK context oidcIssuer and oidc*Claim, handed to
 * the functions as OIDC_ISSUER and AUTH_*_CLAIM): the claim names come from the configuration, the
 * checks are the same as for Cognito. Claims are given as API Gateway's JWT authorizer hands them
 * over (every value a string).
 */
const T = 'feedback-test';
const ISSUER = 'https://idp.example.cn/realms/field-service';

/** An ID token of a generic OIDC issuer (Keycloak-like): no token_use, namespaced custom claims. */
function oidcClaims(extra: Record<string, string>): Record<string, string> {
  return {
    iss: ISSUER,
    aud: 'feedback-dashboard',
    sub: 'f3a2c1d0-1111-4222-8333-944455556666',
    exp: '1795338000',
    iat: '1795334400',
    azp: 'feedback-dashboard',
    preferred_username: 'li.na',
    ...extra,
  };
}

const oidcEnv = {
  TABLE_NAME: T,
  OIDC_ISSUER: ISSUER,
  AUTH_ROLE_CLAIM: 'https://feedback.example.cn/role',
  AUTH_TEAMS_CLAIM: 'https://feedback.example.cn/teams',
  AUTH_REGIONS_CLAIM: 'https://feedback.example.cn/regions',
  AUTH_ENGINEER_CLAIM: 'employee_number',
};

/** The event of a request with an OIDC token: exactly these claims (no `token_use` the helper adds). */
function oidcEvent(path: string, claims: Record<string, string>) {
  const event = httpEvent({ method: 'GET', path, claims });
  const handed = (
    event.requestContext as unknown as { authorizer: { jwt: { claims: Record<string, unknown> } } }
  ).authorizer.jwt.claims;
  delete handed.token_use;
  expect(handed).toEqual(claims);
  return event;
}

const principal = (claims: Record<string, string>, authClaims: AuthClaims) =>
  principalFromEvent(oidcEvent('/v1/reports/engineers', claims), authClaims);

describe('configuration of the claims', () => {
  it('defaults: Cognito and local tokens, ID tokens only', () => {
    expect(loadConfig({ TABLE_NAME: T }).authClaims).toEqual({ idTokenOnly: true });
  });

  it('an OIDC issuer: its claim names, no token_use required', () => {
    expect(loadConfig(oidcEnv).authClaims).toEqual({
      role: 'https://feedback.example.cn/role',
      teams: 'https://feedback.example.cn/teams',
      regions: 'https://feedback.example.cn/regions',
      engineerId: 'employee_number',
      idTokenOnly: false,
    });
  });

  it('refuses a bad issuer or claim name, naming the variable', () => {
    expect(() => loadConfig({ ...oidcEnv, OIDC_ISSUER: 'http://idp.example.cn' })).toThrow(/OIDC_ISSUER: /);
    expect(() => loadConfig({ ...oidcEnv, AUTH_TEAMS_CLAIM: 'my teams' })).toThrow(/AUTH_TEAMS_CLAIM: /);
    expect(() => loadConfig({ ...oidcEnv, AUTH_ROLE_CLAIM: 'x'.repeat(257) })).toThrow(/AUTH_ROLE_CLAIM: /);
  });
});

describe('principalFromEvent: an OIDC issuer with configured claim names', () => {
  const claims = loadConfig(oidcEnv).authClaims;

  it('reads the role, scopes and engineer id from the configured claims', () => {
    expect(
      principal(
        oidcClaims({
          'https://feedback.example.cn/role': 'manager',
          'https://feedback.example.cn/teams': '["North Team","华东，一组"]',
          'https://feedback.example.cn/regions': '["R1"]',
          employee_number: 'E-7',
        }),
        claims,
      ),
    ).toEqual({
      subject: 'f3a2c1d0-1111-4222-8333-944455556666',
      role: 'manager',
      teams: ['North Team', '华东，一组'],
      regions: ['R1'],
      engineerId: 'E-7',
    });
  });

  it('reads exactly the configured claims: custom:role or role elsewhere give no role', () => {
    for (const other of [{ 'custom:role': 'admin' }, { role: 'admin' }] as Record<string, string>[]) {
      expect(() => principal(oidcClaims(other), claims)).toThrow(/no valid role/);
    }
    // Scopes under the Cognito names are not read either: a manager with them sees no team.
    expect(
      principal(
        oidcClaims({
          'https://feedback.example.cn/role': 'manager',
          'custom:teams': '["T1"]',
          teams: '["T2"]',
        }),
        claims,
      ).teams,
    ).toEqual([]);
  });

  it('the same checks: an unknown role, or a list that is not a JSON array, is refused naming the claim', () => {
    expect(() => principal(oidcClaims({ 'https://feedback.example.cn/role': 'root' }), claims)).toThrow(
      UnauthorizedError,
    );
    expect(() =>
      principal(
        oidcClaims({
          'https://feedback.example.cn/role': 'agent',
          'https://feedback.example.cn/regions': 'R1,R2',
        }),
        claims,
      ),
    ).toThrow(/https:\/\/feedback\.example\.cn\/regions must be a JSON array/);
  });

  it('needs no token_use, but Cognito (the default) still does', () => {
    const token = oidcClaims({ 'custom:role': 'admin' });
    const defaultNames = loadConfig({ ...oidcEnv, AUTH_ROLE_CLAIM: 'custom:role' }).authClaims;
    expect(principal(token, defaultNames).role).toBe('admin');
    expect(() => principal(token, loadConfig({ TABLE_NAME: T }).authClaims)).toThrow(/ID tokens/);
    expect(() => principalFromEvent(oidcEvent('/v1/callbacks', token))).toThrow(/ID tokens/);
  });

  it('a handler answers 401 naming the configured claim, 200 with a good token', async () => {
    const fn = httpFunction(async (event) => json(200, principalFromEvent(event, claims)));
    const call = (c: Record<string, string>) => fn(oidcEvent('/v1/callbacks', c));
    const bad = await call(
      oidcClaims({
        'https://feedback.example.cn/role': 'manager',
        'https://feedback.example.cn/teams': 'T1',
      }),
    );
    expect(bad.statusCode).toBe(401);
    expect(JSON.parse(String(bad.body)).detail).toMatch(/feedback\.example\.cn\/teams/);
    expect((await call(oidcClaims({ 'https://feedback.example.cn/role': 'admin' }))).statusCode).toBe(200);
  });
});
