import type { SigninSettings } from '#shared/config/signin';
import { escapeHtml } from '#shared/web/survey-page';

/**
 * The server side of the pages' sign-in (shared/web/signin.js is the browser side): the <body> data
 * attributes that tell signin.js how to sign in, the sign-in panel's markup, and the pages' Content
 * Security Policy. Every page that signs users in (the dashboard; the workbench and the engineer's
 * page) renders these three and loads dashboard/assets/signin.js before its own script.
 */

/** The data attributes of <body> (leading space included; empty for `none`). */
export function signinAttributes(settings: SigninSettings): string {
  const attrs: Array<[string, string]> =
    settings.kind === 'oidc'
      ? [
          ['data-signin', 'oidc'],
          ['data-signin-authorize', settings.authorizeUrl],
          ['data-signin-token', settings.tokenUrl],
          ['data-signin-client', settings.clientId],
          ['data-signin-scope', settings.scope],
          ...(settings.logoutUrl
            ? ([['data-signin-logout', settings.logoutUrl]] as Array<[string, string]>)
            : []),
        ]
      : settings.kind === 'local'
        ? [
            // Served by the local system only (infra/local/local-signin.ts): same origin.
            ['data-signin', 'local'],
            ['data-signin-authorize', LOCAL_SIGNIN_PATH],
            ['data-signin-token', LOCAL_TOKEN_PATH],
            ['data-signin-client', LOCAL_CLIENT_ID],
            ['data-signin-scope', 'openid'],
          ]
        : [];
  return attrs.map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join('');
}

/** The local system's development sign-in (infra/local/local-signin.ts). */
export const LOCAL_SIGNIN_PATH = '/local/sign-in';
export const LOCAL_TOKEN_PATH = '/local/token';
/** The local tokens' audience (infra/local/secrets.ts JWT_AUDIENCE) doubles as the local client id. */
export const LOCAL_CLIENT_ID = 'telecom-feedback';

/**
 * The sign-in panel: the real sign-in button (the issuer), or the link to the local development
 * sign-in, and pasting a token as a collapsed advanced option. `who` names the users (管理人员).
 */
export function signinPanel(settings: SigninSettings, who: string): string {
  const start =
    settings.kind === 'oidc'
      ? `<p class="hint">使用单位统一身份认证账号登录。登录凭证只保存在当前浏览器标签页中，关闭标签页或点击“退出登录”后即清除。</p>
    <button type="button" id="signin-start">登录</button>`
      : settings.kind === 'local'
        ? `<p class="hint local-only"><strong>本地开发环境</strong>：通过本地开发登录页选择角色和范围登录（仅 <code>npm start</code> 提供，AWS 上不存在）。</p>
    <a class="button" id="signin-start" href="${LOCAL_SIGNIN_PATH}">本地开发登录</a>`
        : '<p class="hint">请粘贴您的访问令牌。令牌只保存在当前浏览器标签页中，关闭标签页或点击“退出登录”后即清除。</p>';
  const form = `<form id="signin-form" autocomplete="off">
      <label for="token">访问令牌</label>
      <input type="password" id="token" name="token" required spellcheck="false" autocapitalize="off">
      <button type="submit">使用令牌登录</button>
    </form>`;
  return `<section class="card signin" id="signin">
    <h2>${escapeHtml(who)}登录</h2>
    ${start}
    ${
      settings.kind === 'none'
        ? form
        : `<details class="paste" id="signin-paste">
      <summary>高级：粘贴访问令牌</summary>
      ${form}
    </details>`
    }
    <p class="error" id="signin-error" role="alert"></p>
  </section>`;
}

/**
 * Content Security Policy of a page that signs users in: scripts and styles from our origin only,
 * data calls to our origin and, with an issuer, its token endpoint's origin (the code exchange and
 * the refresh). Inline styles are allowed because ECharts styles its tooltip with them.
 */
export function signedInPageCsp(settings: SigninSettings): string {
  const connect = ["'self'"];
  if (settings.kind === 'oidc') connect.push(new URL(settings.tokenUrl).origin);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
