import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config';
import { routes } from '#shared/http/routes';
import { signedInPageCsp, signinAttributes, signinPanel } from '#shared/web/signin-html';

/**
 * The pure parts of the pages' sign-in (shared/web/signin.js), run in Node: the browser script is
 * evaluated in a fresh context that has only what it would find in a browser and needs for these
 * parts (Web Crypto, TextEncoder/Decoder, btoa/atob, URL): no DOM, no storage.
 */
interface Pure {
  base64url(bytes: Uint8Array): string;
  randomString(n?: number): string;
  pkceChallenge(verifier: string): Promise<string>;
  checkState(pending: unknown, state: string | null, nowMs: number): unknown;
  decodeJwt(token: string): Record<string, unknown> | undefined;
  localExpiry(claims: Record<string, unknown>, receivedMs: number): { iat?: number; exp?: number };
  checkIdToken(
    token: string,
    opts: { clientId: string; nonce?: string; nowMs: number },
  ): Record<string, unknown> | undefined;
  expiryStep(input: { exp?: number; iat?: number; nowMs: number; canRefresh: boolean }): {
    action: string;
    ms?: number;
  };
  authorizeUrl(
    config: Record<string, string>,
    req: { state: string; nonce: string; challenge: string; redirectUri: string },
  ): string;
  configFrom(dataset: Record<string, string>, base: string): Record<string, unknown>;
  PENDING_TTL_MS: number;
}

function loadPure(): Pure {
  const source = readFileSync(new URL('../../shared/web/signin.js', import.meta.url), 'utf8');
  const sandbox: Record<string, unknown> = {
    crypto: globalThis.crypto,
    TextEncoder,
    TextDecoder,
    btoa,
    atob,
    URL,
    URLSearchParams,
  };
  runInNewContext(source, sandbox);
  return (sandbox.Auth as { pure: Pure }).pure;
}

const pure = loadPure();

/** An unsigned JWT with these claims (the page never checks signatures: the API does). */
const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

const NOW = Date.parse('2026-11-25T04:00:00Z');
const nowS = NOW / 1000;

describe('PKCE (RFC 7636)', () => {
  it('S256 of the appendix B verifier is the appendix B challenge', async () => {
    expect(await pure.pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('the verifier of 32 random octets is the appendix B encoding: 43 base64url characters', () => {
    // Appendix B's octets and their verifier.
    const octets = Uint8Array.from([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
      191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ]);
    expect(pure.base64url(octets)).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    const a = pure.randomString(32);
    const b = pure.randomString(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('refuses a verifier outside the RFC’s alphabet or length', async () => {
    await expect(pure.pkceChallenge('too-short')).rejects.toThrow(/verifier/);
    await expect(pure.pkceChallenge(`${'a'.repeat(42)}+`)).rejects.toThrow(/verifier/);
  });
});

describe('state of a pending sign-in', () => {
  const pending = { state: 'S'.repeat(43), createdAt: NOW - 60_000, verifier: 'v', nonce: 'n' };

  it('matches the state it sent, while fresh', () => {
    expect(pure.checkState(pending, 'S'.repeat(43), NOW)).toEqual(pending);
  });

  it('refuses another state, a missing one, none pending, and one too old', () => {
    expect(pure.checkState(pending, `${'S'.repeat(42)}T`, NOW)).toBeUndefined();
    expect(pure.checkState(pending, null, NOW)).toBeUndefined();
    expect(pure.checkState(null, 'S'.repeat(43), NOW)).toBeUndefined();
    expect(pure.checkState({ ...pending, state: 'short' }, 'short', NOW)).toBeUndefined();
    expect(
      pure.checkState(pending, 'S'.repeat(43), pending.createdAt + pure.PENDING_TTL_MS + 1),
    ).toBeUndefined();
    // A pending sign-in "from the future" (clock changed) is not trusted either.
    expect(pure.checkState(pending, 'S'.repeat(43), pending.createdAt - 1)).toBeUndefined();
  });
});

describe('ID token from the token endpoint', () => {
  const good = { aud: 'client-1', exp: nowS + 3600, nonce: 'N1', sub: 'u' };

  it('accepted for this client, unexpired, with this sign-in’s nonce', () => {
    expect(pure.checkIdToken(jwt(good), { clientId: 'client-1', nonce: 'N1', nowMs: NOW })).toMatchObject(
      good,
    );
    expect(
      pure.checkIdToken(jwt({ ...good, aud: ['x', 'client-1'] }), {
        clientId: 'client-1',
        nonce: 'N1',
        nowMs: NOW,
      }),
    ).toBeDefined();
  });

  it('refused with another nonce, audience, expired, or not a JWT', () => {
    const opts = { clientId: 'client-1', nonce: 'N1', nowMs: NOW };
    expect(pure.checkIdToken(jwt({ ...good, nonce: 'N2' }), opts)).toBeUndefined();
    expect(pure.checkIdToken(jwt({ ...good, nonce: undefined }), opts)).toBeUndefined();
    expect(pure.checkIdToken(jwt({ ...good, aud: 'client-2' }), opts)).toBeUndefined();
    expect(pure.checkIdToken(jwt({ ...good, exp: nowS }), opts)).toBeUndefined();
    expect(pure.checkIdToken('not-a-token', opts)).toBeUndefined();
    expect(pure.checkIdToken('a.!!!.c', opts)).toBeUndefined();
  });

  it('with iat, its own lifetime is checked, not the browser’s clock (which may be off)', () => {
    const fresh = { aud: 'client-1', iat: nowS - 86400, exp: nowS - 86400 + 3600, nonce: 'N1' };
    expect(pure.checkIdToken(jwt(fresh), { clientId: 'client-1', nonce: 'N1', nowMs: NOW })).toBeDefined();
    expect(
      pure.checkIdToken(jwt({ ...fresh, exp: fresh.iat }), { clientId: 'client-1', nonce: 'N1', nowMs: NOW }),
    ).toBeUndefined();
    // Received now, it lasts its lifetime from now.
    expect(pure.localExpiry(fresh, NOW)).toEqual({ iat: nowS, exp: nowS + 3600 });
    expect(pure.localExpiry({ exp: nowS + 60 }, NOW)).toEqual({ exp: nowS + 60 });
  });

  it('a refreshed token (no nonce asked) needs no nonce', () => {
    const { nonce: _n, ...refreshed } = good;
    expect(pure.checkIdToken(jwt(refreshed), { clientId: 'client-1', nowMs: NOW })).toBeDefined();
  });

  it('decodes UTF-8 claims (names in Chinese)', () => {
    expect(pure.decodeJwt(jwt({ teams: '["华东，一组"]' }))?.teams).toBe('["华东，一组"]');
  });
});

describe('expiry decision', () => {
  it('with a refresh token: waits, then refreshes two minutes before exp (also once expired)', () => {
    expect(pure.expiryStep({ exp: nowS + 3600, nowMs: NOW, canRefresh: true })).toEqual({
      action: 'wait',
      ms: (3600 - 120) * 1000,
    });
    expect(pure.expiryStep({ exp: nowS + 119, nowMs: NOW, canRefresh: true })).toEqual({ action: 'refresh' });
    expect(pure.expiryStep({ exp: nowS - 10, nowMs: NOW, canRefresh: true })).toEqual({ action: 'refresh' });
  });

  it('without one: waits, then sends the user back through sign-in 30 s before exp', () => {
    expect(pure.expiryStep({ exp: nowS + 600, nowMs: NOW, canRefresh: false })).toEqual({
      action: 'wait',
      ms: 570_000,
    });
    expect(pure.expiryStep({ exp: nowS + 30, nowMs: NOW, canRefresh: false })).toEqual({ action: 'signin' });
  });

  it('a short-lived token is refreshed in its last quarter, not at once (no refresh loop)', () => {
    // Issued for 4 minutes: refresh after 3, not immediately.
    expect(pure.expiryStep({ iat: nowS, exp: nowS + 240, nowMs: NOW, canRefresh: true })).toEqual({
      action: 'wait',
      ms: 180_000,
    });
  });

  it('waits at most a day at a time (setTimeout overflows at 2^31 ms); no exp: nothing to do', () => {
    expect(pure.expiryStep({ exp: nowS + 90 * 86400, nowMs: NOW, canRefresh: false }).ms).toBe(86_400_000);
    expect(pure.expiryStep({ nowMs: NOW, canRefresh: false })).toEqual({ action: 'none' });
  });
});

describe('the authorization request and the page’s configuration', () => {
  it('code flow with S256, state and nonce, to the configured endpoint (relative ones on our origin)', () => {
    const config = pure.configFrom(
      {
        signin: 'local',
        signinAuthorize: '/local/sign-in',
        signinToken: '/local/token',
        signinClient: 'telecom-feedback',
      },
      'http://127.0.0.1:3000/dashboard',
    ) as Record<string, string>;
    const url = new URL(
      pure.authorizeUrl(config, {
        state: 's'.repeat(43),
        nonce: 'n'.repeat(43),
        challenge: 'c'.repeat(43),
        redirectUri: 'http://127.0.0.1:3000/dashboard',
      }),
    );
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:3000/local/sign-in');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'telecom-feedback',
      redirect_uri: 'http://127.0.0.1:3000/dashboard',
      scope: 'openid',
      state: 's'.repeat(43),
      nonce: 'n'.repeat(43),
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
    expect(pure.configFrom({}, 'http://x/').mode).toBe('none');
    expect(pure.configFrom({ signin: 'other' }, 'http://x/').mode).toBe('none');
  });
});

describe('configuration of the pages’ sign-in (SIGNIN_*)', () => {
  const base = { TABLE_NAME: 'feedback-test', AWS_REGION: 'cn-north-1' };
  const issuer = {
    SIGNIN_AUTHORIZE_URL: 'https://login.example.cn/oauth2/authorize',
    SIGNIN_TOKEN_URL: 'https://login.example.cn/oauth2/token',
    SIGNIN_CLIENT_ID: 'abc123',
  };

  it('none by default; local when the local system says so; the issuer when its endpoints are given', () => {
    expect(loadConfig(base).signin).toEqual({ kind: 'none' });
    expect(loadConfig({ ...base, SIGNIN_LOCAL: 'true' }).signin).toEqual({ kind: 'local' });
    expect(loadConfig({ ...base, ...issuer, SIGNIN_LOCAL: 'true' }).signin).toEqual({
      kind: 'oidc',
      authorizeUrl: issuer.SIGNIN_AUTHORIZE_URL,
      tokenUrl: issuer.SIGNIN_TOKEN_URL,
      clientId: 'abc123',
      scope: 'openid',
    });
  });

  it('a bad or incomplete setting stops start-up naming it', () => {
    expect(() => loadConfig({ ...base, SIGNIN_AUTHORIZE_URL: issuer.SIGNIN_AUTHORIZE_URL })).toThrow(
      /SIGNIN_TOKEN_URL: required with SIGNIN_AUTHORIZE_URL.*SIGNIN_CLIENT_ID: required/,
    );
    expect(() =>
      loadConfig({ ...base, ...issuer, SIGNIN_TOKEN_URL: 'http://login.example.cn/token' }),
    ).toThrow(/SIGNIN_TOKEN_URL: http:\/\/ only to loopback/);
    expect(() => loadConfig({ ...base, ...issuer, SIGNIN_SCOPE: 'email profile' })).toThrow(
      /SIGNIN_SCOPE: must include openid/,
    );
    expect(() => loadConfig({ ...base, SIGNIN_LOGOUT_URL: 'https://login.example.cn/logout' })).toThrow(
      /SIGNIN_LOGOUT_URL: only with SIGNIN_AUTHORIZE_URL/,
    );
  });

  it('the development sign-in is no route of the API (no Lambda, no CDK route serves it)', () => {
    expect(routes.filter((r) => r.path.startsWith('/local'))).toEqual([]);
  });

  it('the page: data attributes escaped, CSP connects to the token endpoint’s origin only', () => {
    const settings = loadConfig({
      ...base,
      ...issuer,
      SIGNIN_LOGOUT_URL: 'https://login.example.cn/logout?a=1&b=2',
    }).signin;
    expect(signinAttributes(settings)).toContain(
      'data-signin-logout="https://login.example.cn/logout?a=1&amp;b=2"',
    );
    expect(signedInPageCsp(settings)).toContain("connect-src 'self' https://login.example.cn;");
    expect(signedInPageCsp({ kind: 'local' })).toContain("connect-src 'self';");
    expect(signinPanel(settings, '管理人员')).toContain('id="signin-start"');
    expect(signinPanel({ kind: 'local' }, '管理人员')).toContain('本地开发登录');
    expect(signinPanel({ kind: 'none' }, '管理人员')).not.toContain('<details');
  });
});
