import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Role, roles } from '#shared/http/auth';
import { LOCAL_CLIENT_ID } from '#shared/web/signin-html';
import { escapeHtml } from '#shared/web/survey-page';
import { send, sendJson } from './http-io.ts';
import { type MintOptions, mintToken, parseTtl, TokenOptionsError } from './token.ts';

/**
 * 本地开发登录: the local system's development sign-in, served by `npm start` only (never by a Lambda
 * or a CDK route). It is a small authorization server for the same flow the pages use on AWS
 * (authorization code with PKCE, shared/web/signin.js), so that the local path exercises that flow:
 *
 *   GET  /local/sign-in?response_type=code&client_id=telecom-feedback&redirect_uri=…&state=…
 *        &nonce=…&code_challenge=…&code_challenge_method=S256    the form: role and scope
 *   POST /local/sign-in      mints the local token (as `npm run token`), redirects back with a code
 *   POST /local/token        grant_type=authorization_code (code_verifier checked) or refresh_token
 *
 * The tokens are the local ID tokens of infra/local/token.ts (HS256, the local jwtSecret). Codes
 * live a minute and are used once; everything is kept in memory (a restart forgets it).
 */
const CODE_TTL_MS = 60_000;
const TTL_CHOICES: Array<[string, string]> = [
  ['12h', '12 小时'],
  ['1h', '1 小时'],
  ['5m', '5 分钟（试验自动续期）'],
];
const ROLE_TEXT: Record<Role, string> = {
  admin: '管理员（admin）：全部班组和区域',
  manager: '管理人员（manager）：所选班组/区域',
  agent: '回访专员（agent）：所选班组/区域',
  engineer: '工程师（engineer）：本人',
};

interface AuthRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  challenge: string;
  scope: string;
}

interface Issued {
  idToken: string;
  expiresIn: number;
  opts: MintOptions;
  request: AuthRequest;
  expiresAt: number;
}

class SigninProblem extends Error {}

const STYLE = `body{font:15px/1.5 system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f6f9;color:#1f2937}
.banner{background:#8a5a00;color:#fff;padding:10px 16px;font-weight:600}
main{max-width:520px;margin:24px auto;padding:0 16px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px 20px}
h1{font-size:20px;margin:0 0 8px}
label,legend{display:block;margin:12px 0 4px;font-weight:600}
fieldset{border:0;padding:0;margin:0}
fieldset label{font-weight:normal;margin:4px 0}
input[type=text],textarea,select{width:100%;font:inherit;padding:8px;border:1px solid #9ca3af;border-radius:4px;box-sizing:border-box}
button{margin-top:16px;width:100%;font:inherit;padding:10px;border:0;border-radius:4px;background:#0b5cad;color:#fff}
.hint{color:#4b5563;font-size:13px;margin:4px 0 0}
.error{color:#c0392b;font-weight:600}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function page(res: ServerResponse, status: number, body: string): void {
  send(
    res,
    status,
    `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>本地开发登录</title>
<style>${STYLE}</style>
</head>
<body>
<p class="banner" role="note">本地开发登录 · 仅限本地开发环境（npm start），AWS 部署中不存在此页面</p>
<main>${body}</main>
</body>
</html>
`,
    {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    },
  );
}

/** The authorization request's parameters, checked; the redirect must lead back to this server. */
function authRequest(params: URLSearchParams, host: string | undefined): AuthRequest {
  const get = (name: string) => params.get(name) ?? '';
  if (get('response_type') !== 'code') throw new SigninProblem('response_type 必须为 code');
  if (get('client_id') !== LOCAL_CLIENT_ID) throw new SigninProblem(`client_id 必须为 ${LOCAL_CLIENT_ID}`);
  if (get('code_challenge_method') !== 'S256') throw new SigninProblem('code_challenge_method 必须为 S256');
  if (!/^[A-Za-z0-9_-]{43}$/.test(get('code_challenge'))) throw new SigninProblem('code_challenge 无效');
  for (const name of ['state', 'nonce']) {
    if (!/^[\x21-\x7e]{16,512}$/.test(get(name))) throw new SigninProblem(`${name} 无效`);
  }
  let redirect: URL;
  try {
    redirect = new URL(get('redirect_uri'));
  } catch {
    throw new SigninProblem('redirect_uri 无效');
  }
  // Only back to a page of this server (no open redirect through the local system).
  if (redirect.protocol !== 'http:' || redirect.host !== host || redirect.search || redirect.hash) {
    throw new SigninProblem('redirect_uri 必须是本地系统自己的页面');
  }
  return {
    clientId: get('client_id'),
    redirectUri: redirect.href,
    state: get('state'),
    nonce: get('nonce'),
    challenge: get('code_challenge'),
    scope: get('scope') || 'openid',
  };
}

const names = (text: string) =>
  text
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);

function form(request: AuthRequest, values: Record<string, string>, error?: string): string {
  const hidden = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    scope: request.scope,
  };
  const role = values.role && (roles as readonly string[]).includes(values.role) ? values.role : 'manager';
  const ttl = values.ttl ?? '12h';
  return `<div class="card">
<h1>本地开发登录</h1>
<p class="hint">签发与 <code>npm run token</code> 相同的本地令牌，登录后返回原页面。</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/local/sign-in">
${Object.entries(hidden)
  .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
  .join('\n')}
<fieldset>
<legend>角色</legend>
${roles
  .map(
    (r) =>
      `<label><input type="radio" name="role" value="${r}"${r === role ? ' checked' : ''}> ${escapeHtml(ROLE_TEXT[r])}</label>`,
  )
  .join('\n')}
</fieldset>
<label for="teams">班组（每行一个）</label>
<textarea id="teams" name="teams" rows="2" aria-describedby="teams-hint">${escapeHtml(values.teams ?? '')}</textarea>
<p class="hint" id="teams-hint">例如 T1；管理人员和回访专员至少填写班组或区域之一。</p>
<label for="regions">区域（每行一个）</label>
<textarea id="regions" name="regions" rows="2">${escapeHtml(values.regions ?? '')}</textarea>
<label for="engineer">工程师编号（工程师角色必填）</label>
<input type="text" id="engineer" name="engineer" value="${escapeHtml(values.engineer ?? '')}" autocomplete="off">
<label for="ttl">有效期</label>
<select id="ttl" name="ttl">
${TTL_CHOICES.map(([v, t]) => `<option value="${v}"${v === ttl ? ' selected' : ''}>${t}</option>`).join('\n')}
</select>
<button type="submit">登录</button>
</form>
</div>`;
}

export function localSignin(input: { jwtSecret: string; log: (line: string) => void }) {
  const codes = new Map<string, Issued>();
  const refreshTokens = new Map<string, MintOptions>();

  function sweep(now: number) {
    for (const [code, issued] of codes) if (issued.expiresAt <= now) codes.delete(code);
  }

  async function issue(opts: MintOptions): Promise<{ idToken: string; expiresIn: number }> {
    const idToken = await mintToken({ ...opts, secret: input.jwtSecret });
    return { idToken, expiresIn: parseTtl(opts.ttl ?? '12h') };
  }

  async function signInPage(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const params =
      method === 'POST'
        ? new URLSearchParams(body.toString('utf8'))
        : new URL(req.url ?? '/', 'http://local').searchParams;
    if (method === 'GET' && [...params.keys()].length === 0) {
      return page(
        res,
        200,
        `<div class="card"><h1>本地开发登录</h1><p>请从页面上的“本地开发登录”进入（例如 <a href="/dashboard">服务满意度看板</a>），登录后会回到该页面。</p></div>`,
      );
    }
    let request: AuthRequest;
    try {
      request = authRequest(params, req.headers.host);
    } catch (err) {
      if (!(err instanceof SigninProblem)) throw err;
      return page(
        res,
        400,
        `<div class="card"><h1>登录请求无效</h1><p class="error" role="alert">${escapeHtml(err.message)}</p><p><a href="/dashboard">返回看板</a></p></div>`,
      );
    }
    if (method === 'GET') return page(res, 200, form(request, {}));
    if (method !== 'POST') return sendJson(res, 405, { message: 'Method Not Allowed' });

    const values = Object.fromEntries(
      ['role', 'teams', 'regions', 'engineer', 'ttl'].map((k) => [k, params.get(k) ?? '']),
    );
    const ttl = TTL_CHOICES.some(([v]) => v === values.ttl) ? (values.ttl as string) : '12h';
    const opts: MintOptions = {
      role: values.role as Role,
      teams: names(values.teams ?? ''),
      regions: names(values.regions ?? ''),
      ...(values.engineer?.trim() ? { engineerId: values.engineer.trim() } : {}),
      sub: `local-${values.role || 'user'}`,
      ttl,
      nonce: request.nonce,
    };
    let token: { idToken: string; expiresIn: number };
    try {
      if (!(roles as readonly string[]).includes(values.role ?? '')) {
        throw new TokenOptionsError('请选择角色');
      }
      if (
        (opts.role === 'manager' || opts.role === 'agent') &&
        !opts.teams?.length &&
        !opts.regions?.length
      ) {
        throw new TokenOptionsError('管理人员和回访专员请至少填写一个班组或区域');
      }
      if (opts.role === 'engineer' && !opts.engineerId)
        throw new TokenOptionsError('工程师角色请填写工程师编号');
      token = await issue(opts);
    } catch (err) {
      if (!(err instanceof TokenOptionsError)) throw err;
      return page(res, 400, form(request, values, err.message));
    }
    const now = Date.now();
    sweep(now);
    const code = randomBytes(32).toString('base64url');
    codes.set(code, { ...token, opts, request, expiresAt: now + CODE_TTL_MS });
    input.log(`local sign-in: ${opts.role} (code issued)`);
    const back = new URL(request.redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', request.state);
    return send(res, 303, '', { location: back.href, 'cache-control': 'no-store' });
  }

  /** RFC 6749 section 5: a JSON answer that no cache keeps. */
  const tokenAnswer = (res: ServerResponse, status: number, value: unknown) =>
    sendJson(res, status, value, { 'cache-control': 'no-store', pragma: 'no-cache' });

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    if ((req.method ?? '').toUpperCase() !== 'POST')
      return sendJson(res, 405, { message: 'Method Not Allowed' });
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      return tokenAnswer(res, 400, {
        error: 'invalid_request',
        error_description: 'expected application/x-www-form-urlencoded',
      });
    }
    const params = new URLSearchParams(body.toString('utf8'));
    if (params.get('client_id') !== LOCAL_CLIENT_ID)
      return tokenAnswer(res, 401, { error: 'invalid_client' });
    const grant = params.get('grant_type');
    if (grant === 'authorization_code') {
      sweep(Date.now());
      const code = params.get('code') ?? '';
      const issued = codes.get(code);
      codes.delete(code); // once, whatever follows
      const verifier = params.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (
        !issued ||
        issued.request.redirectUri !== params.get('redirect_uri') ||
        !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) ||
        challenge !== issued.request.challenge
      ) {
        return tokenAnswer(res, 400, { error: 'invalid_grant' });
      }
      const refreshToken = randomBytes(32).toString('base64url');
      const { nonce: _nonce, ...again } = issued.opts;
      refreshTokens.set(refreshToken, again);
      return tokenAnswer(res, 200, {
        id_token: issued.idToken,
        token_type: 'Bearer',
        expires_in: issued.expiresIn,
        refresh_token: refreshToken,
      });
    }
    if (grant === 'refresh_token') {
      const opts = refreshTokens.get(params.get('refresh_token') ?? '');
      if (!opts) return tokenAnswer(res, 400, { error: 'invalid_grant' });
      const token = await issue(opts);
      return tokenAnswer(res, 200, {
        id_token: token.idToken,
        token_type: 'Bearer',
        expires_in: token.expiresIn,
      });
    }
    return tokenAnswer(res, 400, { error: 'unsupported_grant_type' });
  }

  return {
    handles: (path: string) => path === '/local/sign-in' || path === '/local/token',
    async handle(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<void> {
      if (path === '/local/token') return tokenEndpoint(req, res, body);
      return signInPage(req, res, body);
    },
  };
}
