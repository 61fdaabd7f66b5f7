import { loadLocalSecrets } from '../../infra/local/secrets.ts';
import { mintToken } from '../../infra/local/token.ts';
import { type RunningSystem, startNpm } from './local-server.ts';
import { type OidcStandIn, startOidcStandIn } from './standins/oidc-provider.ts';

/**
 * `npm start` signing its pages in against a stand-in OIDC issuer (client `telecom-feedback`) whose
 * ID tokens are local tokens of `claims`, signed with the started system's key (so its API accepts
 * them). `logout`: the issuer's end-session endpoint is configured too.
 */
export async function startWithIssuer(
  claims: { role: 'manager' | 'agent'; teams: string[] },
  opts: { logout?: boolean } = {},
): Promise<{ sys: RunningSystem; provider: OidcStandIn }> {
  let sys: RunningSystem | undefined;
  const provider = await startOidcStandIn({
    clientId: 'telecom-feedback',
    idToken: async (nonce) => {
      if (!sys) throw new Error('the system is not started yet');
      return mintToken({
        ...claims,
        nonce,
        ttl: '1h',
        secret: loadLocalSecrets(sys.env, sys.env.DATA_DIR).jwtSecret,
      });
    },
  });
  sys = await startNpm({
    SIGNIN_AUTHORIZE_URL: `${provider.url}/authorize`,
    SIGNIN_TOKEN_URL: `${provider.url}/token`,
    ...(opts.logout ? { SIGNIN_LOGOUT_URL: `${provider.url}/logout` } : {}),
    SIGNIN_CLIENT_ID: 'telecom-feedback',
  });
  return { sys, provider };
}
