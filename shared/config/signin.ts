import { replyUrlProblem } from '#shared/domain/rules';
import * as z from '#shared/runtime/zod';

/**
 * How the browser pages (dashboard, and the pages that reuse shared/web/signin.js) sign a user in:
 * part of the process configuration (shared/config/config.ts spreads `signinEnv` into its envSchema).
 *
 * - `oidc`: the authorization-code flow with PKCE against the user pool's hosted UI (Cognito) or the
 *   configured OIDC issuer. The browser cannot fetch the issuer's discovery document under the
 *   pages' CSP (connect-src 'self' plus the token endpoint), so the endpoints are given here (on AWS:
 *   set by CDK, infra/api-stack.ts) and the page gets them as data attributes.
 * - `local`: the local system's development sign-in (GET /local/sign-in, POST /local/token; served
 *   by infra/local only). SIGNIN_LOCAL is set by the local system alone, never by CDK.
 * - `none`: only the pasted token (advanced option).
 */

/** The settings' shape, built when the configuration is first checked (not at import). */
export function signinEnv() {
  /** https://, http:// only to loopback (tests run a stand-in issuer on 127.0.0.1); no credentials or fragment. */
  const endpoint = z.string().check(
    z.superRefine((value, ctx) => {
      const problem = replyUrlProblem(value)?.replace(' (replies are signed)', '');
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
      else if (new URL(value).hash) ctx.addIssue({ code: 'custom', message: 'no fragment' });
    }),
  );

  return {
    /** The issuer's authorization endpoint (Cognito: https://<domain>/oauth2/authorize). */
    SIGNIN_AUTHORIZE_URL: z.optional(endpoint),
    /** Its token endpoint (Cognito: https://<domain>/oauth2/token); the pages' CSP allows connecting to it. */
    SIGNIN_TOKEN_URL: z.optional(endpoint),
    /** The public app client (no secret) registered with the dashboard URL as its callback URL. */
    SIGNIN_CLIENT_ID: z.optional(
      z
        .string()
        .check(z.regex(/^[\x21-\x7e]{1,256}$/, 'expected a client id (1-256 visible ASCII characters)')),
    ),
    /** Where sign-out ends the issuer's session too (Cognito: https://<domain>/logout); optional. */
    SIGNIN_LOGOUT_URL: z.optional(endpoint),
    /** The scopes asked for (space-separated, must include openid). */
    SIGNIN_SCOPE: z._default(
      z.string().check(
        z.regex(
          /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/,
          'expected space-separated scopes',
        ),
        z.refine((s) => s.split(' ').includes('openid'), 'must include openid (the page sends the ID token)'),
      ),
      'openid',
    ),
    /** Set by the local system only: the development sign-in page (/local/sign-in). */
    SIGNIN_LOCAL: z.optional(z.enum(['true', 'false'])),
  };
}

type SigninEnv = z.infer<z.ZodMiniObject<ReturnType<typeof signinEnv>>>;

export type SigninSettings =
  | { kind: 'none' }
  | {
      kind: 'oidc';
      authorizeUrl: string;
      tokenUrl: string;
      clientId: string;
      logoutUrl?: string;
      scope: string;
    }
  | { kind: 'local' };

const required = ['SIGNIN_AUTHORIZE_URL', 'SIGNIN_TOKEN_URL', 'SIGNIN_CLIENT_ID'] as const;

/** The problems of a parsed environment: the issuer's endpoints and client id go together. */
export function signinProblems(env: SigninEnv): string[] {
  const given = required.filter((k) => env[k] !== undefined);
  if (given.length === 0) {
    return env.SIGNIN_LOGOUT_URL ? ['SIGNIN_LOGOUT_URL: only with SIGNIN_AUTHORIZE_URL'] : [];
  }
  return required
    .filter((k) => env[k] === undefined)
    .map((k) => `${k}: required with ${given.join(', ')} (the issuer's endpoints and client go together)`);
}

/** What the pages are told (the issuer's endpoints win over the local sign-in). */
export function signinSettings(env: SigninEnv): SigninSettings {
  if (env.SIGNIN_AUTHORIZE_URL && env.SIGNIN_TOKEN_URL && env.SIGNIN_CLIENT_ID) {
    return {
      kind: 'oidc',
      authorizeUrl: env.SIGNIN_AUTHORIZE_URL,
      tokenUrl: env.SIGNIN_TOKEN_URL,
      clientId: env.SIGNIN_CLIENT_ID,
      ...(env.SIGNIN_LOGOUT_URL ? { logoutUrl: env.SIGNIN_LOGOUT_URL } : {}),
      scope: env.SIGNIN_SCOPE,
    };
  }
  return env.SIGNIN_LOCAL === 'true' ? { kind: 'local' } : { kind: 'none' };
}
