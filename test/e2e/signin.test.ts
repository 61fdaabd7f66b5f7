// Over 350 lines on purpose: two systems (local sign-in, a stand-in issuer), each walked in a browser.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems } from '../helpers/axe.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import { startWithIssuer } from '../helpers/issuer-system.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';
import type { OidcStandIn } from '../helpers/standins/oidc-provider.ts';

/**
 * The pages' sign-in (shared/web/signin.js) in a real browser (Debian's chromium driven by
 * playwright-core) against `npm start`:
 * - locally, through the development sign-in page (/local/sign-in): a manager of T1 signs in, sees
 *   the dashboard of T1, reloads, signs out; the page's token endpoint checks the PKCE verifier;
 * - with an issuer (SIGNIN_* pointing at a stand-in OIDC provider on 127.0.0.1): the authorization
 *   code flow with PKCE, the token kept in sessionStorage only, expiry without a refresh token sending
 *   the user back through sign-in with a message, and sign-out at the issuer.
 * No Content Security Policy violation may be reported on any page.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../../test-results/', import.meta.url));
const SESSION_KEY = 'telecom-feedback.session';
/** The browser's clock: 25 November 2026 in Beijing, so "this month" is the seeded November. */
const BROWSER_NOW = new Date('2026-11-25T12:00:00+08:00');

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH.`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  mkdirSync(shots, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** One rated survey for T1's engineer and one for T2's, in November 2026. */
async function seed(sys: RunningSystem): Promise<void> {
  expect((await sys.call('POST', '/local/clock', { now: '2026-11-20T10:00:00+08:00' })).status).toBe(200);
  const people = [
    { id: 'E-sun', name: '孙磊', team: 'T1', region: 'R1', phone: '13900020001' },
    { id: 'E-zhou', name: '周敏', team: 'T2', region: 'R2', phone: '13900020002' },
  ];
  for (const [i, p] of people.entries()) {
    const res = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: `SI-${i}`,
        completedAt: '2026-11-20T09:20:00+08:00',
        engineer: { id: p.id, name: p.name, team: p.team, region: p.region },
        customer: { phone: p.phone },
      }),
    );
    expect(res.status).toBe(202);
  }
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
  for (const [i, p] of people.entries()) {
    const res = await sys.call('POST', '/local/sms/inbound', {
      originationNumber: `+86${p.phone}`,
      destinationNumber: '+8610690000',
      messageKeyword: 'KW',
      messageBody: '1',
      inboundMessageId: `signin-${i}`,
    });
    expect(res.status).toBe(200);
  }
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
}

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/** A fresh browser context (its own sessionStorage) on `url`, collecting page errors and CSP reports. */
async function open(url: string, clock: 'fixed' | 'installed' = 'fixed'): Promise<Opened> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) errors.push(`csp: ${msg.text()}`);
  });
  if (clock === 'installed') await page.clock.install({ time: BROWSER_NOW });
  else await page.clock.setFixedTime(BROWSER_NOW);
  await page.goto(url);
  return { context, page, errors };
}

const loaded = (page: Page) => page.waitForSelector('#board[data-loaded="2026-11"]', { state: 'attached' });
const rankingIds = (page: Page) =>
  page.$$eval('#ranking tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.engineerId));
const storage = (page: Page) =>
  page.evaluate(() => ({
    session: Object.keys(sessionStorage),
    local: localStorage.length,
    cookie: document.cookie,
  }));
const storedSession = async (page: Page) =>
  JSON.parse((await page.evaluate((k) => sessionStorage.getItem(k), SESSION_KEY)) ?? 'null') as {
    idToken: string;
    refreshToken?: string;
  } | null;
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

describe('locally: the development sign-in page (npm start)', () => {
  let sys: RunningSystem;

  beforeAll(async () => {
    sys = await startNpm();
    await seed(sys);
  }, 180_000);

  afterAll(async () => {
    await sys?.stop();
  });

  /** The authorization request a page would send, with its PKCE verifier. */
  function authRequest() {
    const verifier = randomBytes(32).toString('base64url');
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: 'telecom-feedback',
      redirect_uri: `${sys.url}/dashboard`,
      scope: 'openid',
      state: randomBytes(32).toString('base64url'),
      nonce: randomBytes(32).toString('base64url'),
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    });
    return { verifier, params };
  }

  /** Submits the sign-in form as the browser would; the code from the redirect back. */
  async function code(params: URLSearchParams, scope: Record<string, string>): Promise<string> {
    const res = await fetch(`${sys.url}/local/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([...params, ...Object.entries(scope)]).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.origin + back.pathname).toBe(`${sys.url}/dashboard`);
    expect(back.searchParams.get('state')).toBe(params.get('state'));
    return back.searchParams.get('code') ?? '';
  }

  const token = (form: Record<string, string>) =>
    fetch(`${sys.url}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'telecom-feedback', ...form }).toString(),
    });

  it('its token endpoint: the S256 verifier checked, a code used once; the same tokens as npm run token', async () => {
    const page = await fetch(`${sys.url}/local/sign-in?${authRequest().params}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'/);
    expect(await page.text()).toContain('本地开发登录 · 仅限本地开发环境');

    // Only back to a page of this server.
    const elsewhere = authRequest().params;
    elsewhere.set('redirect_uri', 'http://attacker.example/cb');
    expect((await fetch(`${sys.url}/local/sign-in?${elsewhere}`)).status).toBe(400);

    const { verifier, params } = authRequest();
    const scope = { role: 'manager', teams: 'T1', ttl: '12h' };
    const first = await code(params, scope);
    const wrong = await token({
      grant_type: 'authorization_code',
      code: first,
      redirect_uri: `${sys.url}/dashboard`,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant' });
    const exchange = {
      grant_type: 'authorization_code',
      redirect_uri: `${sys.url}/dashboard`,
      code_verifier: verifier,
    };
    // That code is spent, even with the right verifier now.
    expect((await token({ ...exchange, code: first })).status).toBe(400);

    const res = await token({ ...exchange, code: await code(params, scope) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { id_token: string; refresh_token: string; expires_in: number };
    expect(body.expires_in).toBe(12 * 3600);
    expect(claimsOf(body.id_token)).toMatchObject({
      token_use: 'id',
      role: 'manager',
      teams: '["T1"]',
      nonce: params.get('nonce'),
      aud: 'telecom-feedback',
    });
    const report = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, {
      authorization: `Bearer ${body.id_token}`,
    });
    expect(report.status).toBe(200);
    expect((report.body.engineers as Array<{ engineerId: string }>).map((e) => e.engineerId)).toEqual([
      'E-sun',
    ]);

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(((await refreshed.json()) as { id_token: string }).id_token)).toMatchObject({
      role: 'manager',
      teams: '["T1"]',
    });
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'nope' })).status).toBe(400);
  });

  it('a manager of T1 signs in through it, sees the dashboard of T1, reloads, signs out', async () => {
    const { context, page, errors } = await open(`${sys.url}/dashboard`);
    try {
      expect(await page.textContent('#signin-start')).toBe('本地开发登录');
      expect(await page.$eval('#signin-paste', (d) => (d as HTMLDetailsElement).open)).toBe(false);
      await page.screenshot({ path: `${shots}signin-dashboard-local.png` });
      await page.click('#signin-start');
      await page.waitForURL(/\/local\/sign-in\?/);
      expect(await page.textContent('.banner')).toContain('仅限本地开发环境');
      await accessibility(page, 'the local sign-in page');
      // A manager with no team or region is asked for one.
      await page.check('input[name=role][value=manager]');
      await page.click('button[type=submit]');
      await page.waitForSelector('.error');
      expect(await page.textContent('.error')).toContain('至少填写一个班组或区域');
      await page.fill('#teams', 'T1');
      await page.screenshot({ path: `${shots}signin-local-page.png`, fullPage: true });
      await page.click('button[type=submit]');

      await loaded(page);
      // Back on the dashboard, the code and state gone from the address.
      expect(page.url()).toBe(`${sys.url}/dashboard`);
      expect(await rankingIds(page)).toEqual(['E-sun']); // not T2's engineer
      expect(await page.isVisible('#signin')).toBe(false);
      expect(await storage(page)).toEqual({ session: [SESSION_KEY], local: 0, cookie: '' });
      expect(await context.cookies()).toEqual([]);
      const session = await storedSession(page);
      expect(session?.refreshToken).toMatch(/^[\w-]{43}$/);
      expect(claimsOf(session?.idToken ?? '')).toMatchObject({ role: 'manager', teams: '["T1"]' });

      await page.reload();
      await loaded(page);
      expect(await rankingIds(page)).toEqual(['E-sun']);

      await page.click('#signout');
      expect(await page.isVisible('#signin')).toBe(true);
      expect(await page.isVisible('#board')).toBe(false);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a callback this tab did not start is refused with a message, and nothing is kept', async () => {
    const { context, page, errors } = await open(`${sys.url}/dashboard?code=forged&state=${'x'.repeat(43)}`);
    try {
      await expect
        .poll(() => page.textContent('#signin-error'), { timeout: 20_000 })
        .toMatch(/^登录未完成：登录请求已失效/);
      expect(page.url()).toBe(`${sys.url}/dashboard`);
      expect(await page.isVisible('#board')).toBe(false);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('with an issuer: authorization code + PKCE against a stand-in OIDC provider', () => {
  let sys: RunningSystem;
  let provider: OidcStandIn;

  beforeAll(async () => {
    ({ sys, provider } = await startWithIssuer({ role: 'manager', teams: ['T1'] }, { logout: true }));
    await seed(sys);
  }, 180_000);

  afterAll(async () => {
    await sys?.stop();
    await provider?.stop();
  });

  it('the page may connect to the token endpoint, and nowhere else but our origin', async () => {
    const res = await fetch(`${sys.url}/dashboard`);
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.url};`);
    const html = await res.text();
    expect(html).toContain(`data-signin-token="${provider.url}/token"`);
    expect(html).not.toContain('/local/sign-in');
  });

  it('signs in with PKCE, keeps the ID token in sessionStorage only, expires with a message, signs out at the issuer', async () => {
    const { context, page, errors } = await open(`${sys.url}/dashboard`, 'installed');
    try {
      expect(await page.textContent('#signin-start')).toBe('登录');
      await page.click('#signin-start');
      await loaded(page);
      expect(page.url()).toBe(`${sys.url}/dashboard`);
      expect(await rankingIds(page)).toEqual(['E-sun']);

      // The authorization request: code flow, S256 challenge, fresh state and nonce.
      expect(provider.authorizeRequests).toHaveLength(1);
      const auth = Object.fromEntries(provider.authorizeRequests[0] ?? []);
      expect(auth).toMatchObject({
        response_type: 'code',
        client_id: 'telecom-feedback',
        redirect_uri: `${sys.url}/dashboard`,
        scope: 'openid',
        code_challenge_method: 'S256',
      });
      expect(auth.state).toMatch(/^[\w-]{43}$/);
      expect(auth.nonce).toMatch(/^[\w-]{43}$/);
      // The token request: from the page's origin, a form, with the verifier of that challenge.
      expect(provider.tokenRequests).toHaveLength(1);
      const tokenRequest = provider.tokenRequests[0];
      expect(tokenRequest?.origin).toBe(sys.url);
      expect(tokenRequest?.contentType).toBe('application/x-www-form-urlencoded');
      const form = Object.fromEntries(tokenRequest?.body ?? []);
      expect(form).toMatchObject({
        grant_type: 'authorization_code',
        client_id: 'telecom-feedback',
        redirect_uri: `${sys.url}/dashboard`,
      });
      expect(s256(form.code_verifier ?? '')).toBe(auth.code_challenge);

      // The ID token (with this sign-in's nonce) in sessionStorage, nowhere else.
      expect(await storage(page)).toEqual({ session: [SESSION_KEY], local: 0, cookie: '' });
      expect(await context.cookies()).toEqual([]);
      const session = await storedSession(page);
      expect(session?.refreshToken).toBeUndefined();
      expect(claimsOf(session?.idToken ?? '').nonce).toBe(auth.nonce);
      await page.screenshot({ path: `${shots}signin-oidc-dashboard.png`, fullPage: true });

      // No refresh token: 30 s before the hour is up, back to sign-in with a message.
      await page.clock.fastForward('59:31');
      await expect
        .poll(() => page.textContent('#signin-error'), { timeout: 20_000 })
        .toBe('登录已过期，请重新登录。');
      expect(await page.isVisible('#board')).toBe(false);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

      // Signing in again, then out: the issuer's session ends too, and it sends the user back.
      await page.click('#signin-start');
      await loaded(page);
      expect(provider.tokenRequests).toHaveLength(2);
      await page.click('#signout');
      await expect.poll(() => provider.logoutRequests.length, { timeout: 20_000 }).toBe(1);
      expect(Object.fromEntries(provider.logoutRequests[0] ?? [])).toMatchObject({
        client_id: 'telecom-feedback',
        logout_uri: `${sys.url}/dashboard`,
      });
      await page.waitForURL(`${sys.url}/dashboard`);
      await page.waitForSelector('#signin-start', { state: 'visible' });
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/** axe-core on the page: no serious or critical violation. */
async function accessibility(page: Page, name: string): Promise<void> {
  expect(await axeProblems(page), `axe on ${name}`).toEqual([]);
}
