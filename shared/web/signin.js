/*
 * Sign-in for every browser page of ours (the dashboard today; the callback workbench and the
 * engineer's page reuse it): served as dashboard/assets/signin.js, a plain script with no build step
 * that defines one global, `Auth`. Load it before the page's own script (both `defer`).
 *
 * How a user signs in, as the page's <body> data attributes say (shared/web/signin-html.ts renders
 * them from the configuration, shared/config/signin.ts):
 * - data-signin="oidc": the authorization-code flow with PKCE (S256), `state` and `nonce` checked,
 *   against the user pool's hosted UI (Cognito) or the configured OIDC issuer
 *   (data-signin-authorize, -token, -client, -scope, -logout). The redirect URI is the page's own URL
 *   (data-signin-redirect overrides it: a page may send the user back through another registered
 *   page, which returns them to where they started).
 * - data-signin="local": the same flow against the local system's development sign-in page
 *   (/local/sign-in, /local/token; `npm start` only).
 * - always: pasting a token (an advanced option, collapsed).
 * The ID token (and the refresh token, when the flow gives one) lives in sessionStorage (this tab
 * only) and in memory, never in localStorage or a cookie. Before the ID token expires it is refreshed
 * with the refresh token; without one (or when the refresh fails) the user is signed out with a
 * message and can sign in again: never a page that silently stops working.
 *
 * The page's API:
 *   Auth.start({ onSignedIn(claims), onSignedOut(message), checkToken?(token) })  once, at load
 *   Auth.token()        the ID token, or null       Auth.claims()  its payload, or null
 *   Auth.fetch(path, init?)  fetch with the bearer; a 401 signs out (message) and throws Auth.SIGNED_OUT
 *   Auth.signIn()       starts the redirect         Auth.signOut()  forgets the tokens (and the issuer's session)
 *   Auth.downloadXlsx(path, fallbackName, onSaved?)  GET path + `format=xlsx` with the bearer and save
 *                       the reply through a temporary <a download>; resolves to the HTTP status (200:
 *                       saved); onSaved(headers) is given the reply's headers once saved
 * Markup it wires when present (shared/web/signin-html.ts): #signin-start (button), #signin-form with
 * #token (paste), #signin-error (messages).
 *
 * The pure parts (PKCE, state, ID token and expiry checks) are `Auth.pure`, unit-tested in Node
 * (test/unit/signin.test.ts); they need only Web Crypto, TextEncoder/TextDecoder, btoa/atob and URL.
 */
(() => {
  const SESSION_KEY = 'telecom-feedback.session';
  const PENDING_KEY = 'telecom-feedback.signin.pending';
  /** Refresh this long before the ID token's `exp`. */
  const REFRESH_MARGIN_S = 120;
  /** Without a refresh token: sign out this long before `exp` (the next call would be refused). */
  const SIGNOUT_MARGIN_S = 30;
  /** A sign-in started more than this long ago is not finished (its state is forgotten). */
  const PENDING_TTL_MS = 15 * 60 * 1000;
  /** setTimeout's longest delay is 2^31-1 ms; check again after at most a day. */
  const MAX_WAIT_MS = 24 * 60 * 60 * 1000;
  /** A refresh that failed on the network is tried again after this long (while the token lasts). */
  const RETRY_MS = 15_000;

  const MESSAGES = {
    expired: '登录已过期，请重新登录。',
    rejected: '登录已失效，请重新登录。',
    state: '登录未完成：登录请求已失效或不是从本页发起的，请重新登录。',
    denied: '登录未完成：身份提供方拒绝了登录请求，请重试或联系管理员。',
    exchange: '登录未完成：无法换取登录凭证，请重试。',
    token: '登录未完成：身份提供方返回的凭证无效，请重试。',
    network: '无法连接身份提供方，请检查网络后重试。',
  };

  // -------------------------------------------------------------------------------------------
  // Pure parts (no DOM, no storage): exported as Auth.pure for the unit tests

  /** Bytes (Uint8Array or ArrayBuffer) as base64url without padding (RFC 4648 section 5). */
  function base64url(bytes) {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    let bin = '';
    for (const x of b) bin += String.fromCharCode(x);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** base64url text to bytes; throws on anything else. */
  function fromBase64url(text) {
    if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }

  /** `n` random bytes as base64url: 32 bytes make a 43-character PKCE verifier (RFC 7636 section 4.1). */
  function randomString(n = 32) {
    return base64url(crypto.getRandomValues(new Uint8Array(n)));
  }

  /** The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 section 4.2). */
  async function pkceChallenge(verifier) {
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new Error('invalid code verifier');
    return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  }

  /**
   * The pending sign-in a callback answers: the stored one when its state matches and it is fresh,
   * otherwise undefined (a callback this tab did not start, or one replayed).
   */
  function checkState(pending, returnedState, nowMs) {
    if (!pending || typeof pending.state !== 'string' || pending.state.length < 16) return undefined;
    if (typeof returnedState !== 'string' || returnedState !== pending.state) return undefined;
    if (!(nowMs - pending.createdAt >= 0 && nowMs - pending.createdAt <= PENDING_TTL_MS)) return undefined;
    return pending;
  }

  /** A JWT's payload (no signature check: the API checks it; the page only reads the claims). */
  function decodeJwt(token) {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3) return undefined;
    try {
      const claims = JSON.parse(new TextDecoder().decode(fromBase64url(parts[1])));
      return claims && typeof claims === 'object' && !Array.isArray(claims) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Checks an ID token from the token endpoint: for this client (`aud`), not expired, and, from a
   * code exchange, carrying the nonce of this sign-in. Returns its claims, or undefined. With `iat`
   * the token's own lifetime is checked rather than the browser's clock, which may be wrong (the
   * API checks `exp` with a good one).
   */
  function checkIdToken(idToken, { clientId, nonce, nowMs }) {
    const claims = decodeJwt(idToken);
    if (!claims) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(clientId)) return undefined;
    if (typeof claims.exp !== 'number') return undefined;
    if (typeof claims.iat === 'number' ? claims.exp <= claims.iat : claims.exp * 1000 <= nowMs)
      return undefined;
    if (nonce !== undefined && claims.nonce !== nonce) return undefined;
    return claims;
  }

  /**
   * When a token just received from the token endpoint expires by this browser's clock: received
   * now, it lasts `exp - iat` (a browser clock that is off does not make a fresh token look expired,
   * nor an expired one fresh); without `iat`, its `exp`.
   */
  function localExpiry(claims, receivedMs) {
    if (typeof claims?.exp !== 'number') return {};
    if (typeof claims.iat === 'number' && claims.iat < claims.exp) {
      const iat = Math.floor(receivedMs / 1000);
      return { iat, exp: iat + (claims.exp - claims.iat) };
    }
    return { exp: claims.exp };
  }

  /**
   * What to do about a token's expiry now: `wait` (then ask again after `ms`), `refresh`, or
   * `signin` (send the user back through sign-in). A token without `exp` is left alone (`none`).
   * `exp`, `iat`: the token's claims (seconds); `nowMs`: the clock (milliseconds).
   */
  function expiryStep({ exp, iat, nowMs, canRefresh }) {
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return { action: 'none' };
    // A short-lived token (issued `iat`) is refreshed in its last quarter, not the whole margin.
    const life = typeof iat === 'number' && iat < exp ? exp - iat : Number.POSITIVE_INFINITY;
    const margin = Math.min(canRefresh ? REFRESH_MARGIN_S : SIGNOUT_MARGIN_S, life / 4);
    const at = (exp - margin) * 1000;
    if (nowMs >= at) return { action: canRefresh ? 'refresh' : 'signin' };
    return { action: 'wait', ms: Math.min(at - nowMs, MAX_WAIT_MS) };
  }

  /** The authorization request's URL (RFC 6749 section 4.1.1, RFC 7636 section 4.3, OIDC nonce). */
  function authorizeUrl(config, { state, nonce, challenge, redirectUri }) {
    const url = new URL(config.authorize, config.base);
    const params = {
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: redirectUri,
      scope: config.scope,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.href;
  }

  /** The token request's form body: a code exchange (with the verifier) or a refresh. */
  function tokenRequestBody(params) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
    return body.toString();
  }

  /** The page's configuration from its <body> data attributes (undefined values where unset). */
  function configFrom(dataset, base) {
    const mode = ['oidc', 'local'].includes(dataset.signin) ? dataset.signin : 'none';
    return {
      mode,
      base,
      authorize: dataset.signinAuthorize,
      tokenUrl: dataset.signinToken,
      clientId: dataset.signinClient,
      scope: dataset.signinScope || 'openid',
      logout: dataset.signinLogout || undefined,
      redirect: dataset.signinRedirect || undefined,
    };
  }

  const pure = {
    base64url,
    fromBase64url,
    randomString,
    pkceChallenge,
    checkState,
    decodeJwt,
    checkIdToken,
    localExpiry,
    expiryStep,
    authorizeUrl,
    tokenRequestBody,
    configFrom,
    REFRESH_MARGIN_S,
    SIGNOUT_MARGIN_S,
    PENDING_TTL_MS,
  };

  // -------------------------------------------------------------------------------------------
  // Session (sessionStorage of this tab, and memory)

  /** Thrown by Auth.fetch when the user has been signed out. */
  const SIGNED_OUT = new Error('signed out');
  let config;
  let hooks = { onSignedIn: () => {}, onSignedOut: () => {} };
  /** { idToken, refreshToken?, exp?, iat? } */
  let session = null;
  let timer;
  let refreshing;
  let lastRefresh = Number.NEGATIVE_INFINITY;

  const readJson = (key) => {
    try {
      const v = JSON.parse(sessionStorage.getItem(key) ?? 'null');
      return v && typeof v === 'object' ? v : null;
    } catch {
      return null;
    }
  };

  function save(next) {
    session = next;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
    schedule();
  }

  function forget() {
    session = null;
    clearTimeout(timer);
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(PENDING_KEY);
  }

  /**
   * A session of an ID token: `fresh` (just from the token endpoint) expires by its lifetime from
   * now (localExpiry); a pasted one, of unknown age, by its `exp`.
   */
  function sessionOf(idToken, refreshToken, fresh) {
    const claims = decodeJwt(idToken);
    const times = fresh
      ? localExpiry(claims, Date.now())
      : typeof claims?.exp === 'number'
        ? { exp: claims.exp }
        : {};
    return { idToken, ...(refreshToken ? { refreshToken } : {}), ...times };
  }

  function schedule() {
    clearTimeout(timer);
    if (!session) return;
    const now = Date.now();
    const step = expiryStep({ exp: session.exp, iat: session.iat, nowMs: now, canRefresh: canRefresh() });
    if (step.action === 'wait') timer = setTimeout(schedule, step.ms);
    else if (step.action === 'refresh' && now - lastRefresh < RETRY_MS) {
      // Just refreshed and due again (a very short-lived token): never a loop of refreshes.
      timer = setTimeout(schedule, RETRY_MS);
    } else if (step.action === 'refresh') refresh();
    else if (step.action === 'signin') signOut(MESSAGES.expired, { endSession: false });
  }

  const canRefresh = () => Boolean(session?.refreshToken && config?.mode !== 'none' && config.tokenUrl);

  async function postToken(params) {
    const res = await fetch(new URL(config.tokenUrl, config.base).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: tokenRequestBody(params),
      cache: 'no-store',
      credentials: 'omit',
    });
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    return { ok: res.ok, data };
  }

  /** Refreshes the ID token with the refresh token (once at a time); signs out when it cannot. */
  function refresh() {
    refreshing ??= (async () => {
      const current = session;
      if (!current?.refreshToken) return;
      let answer;
      try {
        answer = await postToken({
          grant_type: 'refresh_token',
          client_id: config.clientId,
          refresh_token: current.refreshToken,
        });
      } catch {
        // Offline for a moment: try again while the token still lasts.
        if (session === current && current.exp * 1000 - Date.now() > SIGNOUT_MARGIN_S * 1000) {
          clearTimeout(timer);
          timer = setTimeout(schedule, RETRY_MS);
        } else if (session === current) signOut(MESSAGES.expired, { endSession: false });
        return;
      }
      if (session !== current) return;
      lastRefresh = Date.now();
      const claims =
        answer.ok && checkIdToken(answer.data?.id_token, { clientId: config.clientId, nowMs: Date.now() });
      if (!claims) {
        signOut(MESSAGES.expired, { endSession: false });
        return;
      }
      save(sessionOf(answer.data.id_token, answer.data.refresh_token ?? current.refreshToken, true));
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  // -------------------------------------------------------------------------------------------
  // Sign-in and sign-out

  function redirectUri() {
    return new URL(config.redirect ?? location.pathname, location.href).href.split(/[?#]/)[0];
  }

  async function signIn() {
    if (config.mode === 'none') return;
    const state = randomString(32);
    const nonce = randomString(32);
    const verifier = randomString(32);
    const challenge = await pkceChallenge(verifier);
    const uri = redirectUri();
    sessionStorage.setItem(
      PENDING_KEY,
      JSON.stringify({
        state,
        nonce,
        verifier,
        redirectUri: uri,
        returnTo: location.pathname + location.search,
        createdAt: Date.now(),
      }),
    );
    location.assign(authorizeUrl(config, { state, nonce, challenge, redirectUri: uri }));
  }

  /** Finishes a sign-in whose callback this is: true when the page is now signed in. */
  async function finishCallback(params) {
    const pending = checkState(readJson(PENDING_KEY), params.get('state'), Date.now());
    // One use: a reload or a replayed callback finds nothing pending.
    sessionStorage.removeItem(PENDING_KEY);
    history.replaceState(null, '', location.pathname + location.hash);
    if (!pending) return fail(MESSAGES.state);
    if (params.has('error') || !params.get('code')) return fail(MESSAGES.denied);
    let answer;
    try {
      answer = await postToken({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code: params.get('code'),
        redirect_uri: pending.redirectUri,
        code_verifier: pending.verifier,
      });
    } catch {
      return fail(MESSAGES.network);
    }
    if (!answer.ok) return fail(MESSAGES.exchange);
    const claims = checkIdToken(answer.data?.id_token, {
      clientId: config.clientId,
      nonce: pending.nonce,
      nowMs: Date.now(),
    });
    if (!claims) return fail(MESSAGES.token);
    save(sessionOf(answer.data.id_token, answer.data.refresh_token, true));
    const here = location.pathname + location.search;
    if (pending.returnTo && pending.returnTo !== here && pending.returnTo.startsWith('/')) {
      location.replace(pending.returnTo);
      return false;
    }
    return true;
  }

  function fail(message) {
    forget();
    hooks.onSignedOut(message);
    return false;
  }

  /**
   * Forgets the tokens and tells the page. `endSession` (a user's own sign-out): also ends the
   * issuer's session (its logout endpoint, when configured), so the next sign-in asks again.
   */
  function signOut(message, { endSession = !message } = {}) {
    const hadSession = session !== null;
    forget();
    if (endSession && hadSession && config.mode === 'oidc' && config.logout) {
      const url = new URL(config.logout, config.base);
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('logout_uri', redirectUri());
      url.searchParams.set('post_logout_redirect_uri', redirectUri());
      location.assign(url.href);
    }
    if (hadSession || message) hooks.onSignedOut(message);
  }

  /** A pasted token, once the page has checked it: kept like a signed-in session (no refresh). */
  function acceptToken(token) {
    save(sessionOf(token));
    hooks.onSignedIn(decodeJwt(token) ?? {});
  }

  async function authFetch(path, init = {}) {
    if (!session) throw SIGNED_OUT;
    if (typeof session.exp === 'number' && session.exp * 1000 <= Date.now() + 5_000) {
      if (canRefresh()) await refresh();
      if (!session || session.exp * 1000 <= Date.now()) {
        signOut(MESSAGES.expired, { endSession: false });
        throw SIGNED_OUT;
      }
    }
    const res = await fetch(path, {
      cache: 'no-store',
      ...init,
      headers: { accept: 'application/json', ...init.headers, authorization: `Bearer ${session.idToken}` },
    });
    if (res.status === 401) {
      signOut(MESSAGES.rejected, { endSession: false });
      throw SIGNED_OUT;
    }
    return res;
  }

  // -------------------------------------------------------------------------------------------
  // The sign-in panel (markup of shared/web/signin-html.ts)

  function wirePanel(checkToken) {
    const $ = (id) => document.getElementById(id);
    const error = $('signin-error');
    $('signin-start')?.addEventListener('click', (event) => {
      event.preventDefault();
      if (error) error.textContent = '正在跳转到登录页面…';
      signIn().catch(() => {
        if (error) error.textContent = '无法发起登录，请刷新页面重试。';
      });
    });
    $('signin-form')?.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = $('token');
      const candidate = input.value.trim().replace(/^Bearer\s+/i, '');
      if (!candidate) {
        error.textContent = '请输入访问令牌。';
        return;
      }
      error.textContent = '正在验证…';
      const problem = checkToken ? await checkToken(candidate) : undefined;
      if (problem) {
        error.textContent = problem;
        return;
      }
      error.textContent = '';
      input.value = '';
      acceptToken(candidate);
    });
  }

  /** Once, at load: finishes a callback, or restores this tab's session, or shows the sign-in panel. */
  async function start(options) {
    hooks = { ...hooks, ...options };
    config = configFrom(document.body.dataset, location.href);
    wirePanel(options.checkToken);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') schedule();
    });
    const params = new URLSearchParams(location.search);
    if (config.mode !== 'none' && params.has('state') && (params.has('code') || params.has('error'))) {
      if (await finishCallback(params)) hooks.onSignedIn(decodeJwt(session.idToken) ?? {});
      return;
    }
    const stored = readJson(SESSION_KEY);
    if (stored && typeof stored.idToken === 'string') {
      session = stored;
      schedule();
      if (session) hooks.onSignedIn(decodeJwt(session.idToken) ?? {});
      return;
    }
    hooks.onSignedOut();
  }

  /** The file name of a Content-Disposition (its UTF-8 `filename*` first), or null. */
  function dispositionName(header) {
    if (typeof header !== 'string') return null;
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) {
      try {
        return decodeURIComponent(star[1].trim());
      } catch {
        // fall through to the plain name
      }
    }
    const plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : null;
  }

  /**
   * The Excel export of a view: the view's own API path with `format=xlsx`, fetched with the bearer
   * (a link could not carry it), saved through a temporary `<a download>` on an object URL that is
   * revoked afterwards. Resolves to the HTTP status (200 when the file was handed to the browser);
   * throws SIGNED_OUT as Auth.fetch does.
   */
  async function downloadXlsx(path, fallbackName, onSaved) {
    const url = `${path}${path.includes('?') ? '&' : '?'}format=xlsx`;
    const res = await authFetch(url, {
      headers: { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    });
    if (res.status !== 200) return res.status;
    const blob = await res.blob();
    const name = dispositionName(res.headers.get('content-disposition')) ?? fallbackName;
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = /\.xlsx$/i.test(name) ? name : `${name}.xlsx`;
    a.hidden = true;
    document.body.append(a);
    try {
      a.click();
    } finally {
      a.remove();
      // after the click has been handled: the download has its own reference to the blob by then
      setTimeout(() => URL.revokeObjectURL(href), 1000);
    }
    onSaved?.(res.headers);
    return 200;
  }

  globalThis.Auth = {
    start,
    downloadXlsx,
    token: () => session?.idToken ?? null,
    claims: () => (session ? (decodeJwt(session.idToken) ?? null) : null),
    mode: () => config?.mode ?? 'none',
    signIn,
    signOut: (message) => signOut(message),
    acceptToken,
    fetch: authFetch,
    SIGNED_OUT,
    pure,
  };
})();
