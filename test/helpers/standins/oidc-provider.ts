import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of an OpenID Connect provider's authorization-code flow (what Cognito's hosted
 * UI, Keycloak or Authing do), on 127.0.0.1, for the pages' sign-in test: `/authorize` approves at
 * once (no login form) and redirects back with a code; `/token` exchanges it only with the PKCE
 * verifier of its S256 challenge and the same redirect URI (RFC 6749 4.1.3, RFC 7636 4.6), and
 * answers with CORS like a real provider's token endpoint; `/logout` redirects to `logout_uri`.
 * `idToken(nonce)` makes the ID token (signed with a key the local API accepts). Every request is
 * recorded for the test to check.
 */
export interface OidcStandIn {
  url: string;
  authorizeRequests: URLSearchParams[];
  tokenRequests: Array<{
    origin: string | undefined;
    contentType: string | undefined;
    body: URLSearchParams;
  }>;
  logoutRequests: URLSearchParams[];
  stop(): Promise<void>;
}

export async function startOidcStandIn(input: {
  clientId: string;
  idToken: (nonce: string) => Promise<string>;
}): Promise<OidcStandIn> {
  const codes = new Map<string, { challenge: string; redirectUri: string; nonce: string }>();
  const authorizeRequests: URLSearchParams[] = [];
  const tokenRequests: OidcStandIn['tokenRequests'] = [];
  const logoutRequests: URLSearchParams[] = [];

  const json = (res: ServerResponse, status: number, value: unknown, origin?: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...(origin ? { 'access-control-allow-origin': origin, vary: 'origin' } : {}),
    });
    res.end(JSON.stringify(value));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    if (url.pathname === '/authorize' && req.method === 'GET') {
      const q = url.searchParams;
      authorizeRequests.push(q);
      const redirectUri = q.get('redirect_uri') ?? '';
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== input.clientId ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge') ||
        !redirectUri.startsWith('http://127.0.0.1:')
      ) {
        return json(res, 400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: q.get('code_challenge') ?? '',
        redirectUri,
        nonce: q.get('nonce') ?? '',
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      res.end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': origin ?? '*',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
      });
      res.end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      tokenRequests.push({ origin, contentType: req.headers['content-type'], body });
      const code = body.get('code') ?? '';
      const issued = codes.get(code);
      codes.delete(code);
      const verifier = body.get('code_verifier') ?? '';
      const s256 = createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (
        body.get('grant_type') !== 'authorization_code' ||
        body.get('client_id') !== input.clientId ||
        !issued ||
        issued.redirectUri !== body.get('redirect_uri') ||
        s256 !== issued.challenge
      ) {
        return json(res, 400, { error: 'invalid_grant' }, origin);
      }
      // No refresh token: the page must send the user back through sign-in before expiry.
      return json(
        res,
        200,
        { id_token: await input.idToken(issued.nonce), token_type: 'Bearer', expires_in: 3600 },
        origin,
      );
    }
    if (url.pathname === '/logout' && req.method === 'GET') {
      logoutRequests.push(url.searchParams);
      res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' });
      res.end();
      return;
    }
    json(res, 404, { error: 'not_found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizeRequests,
    tokenRequests,
    logoutRequests,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
