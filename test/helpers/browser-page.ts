import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadLocalSecrets } from '../../infra/local/secrets.ts';
import { mintToken } from '../../infra/local/token.ts';
import type { RunningSystem } from './local-server.ts';

/** signin.js's sessionStorage key: a session kept there is a signed-in page. */
const SESSION_KEY = 'telecom-feedback.session';

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** The page's errors and Content Security Policy violations so far (none expected). */
  errors: string[];
}

/** Collects the page's uncaught errors and CSP violations (as console messages) into a list. */
export function pageProblems(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) errors.push(`csp: ${msg.text()}`);
  });
  return errors;
}

/**
 * A fresh browser context (zh-CN, Beijing time, 1280x900 unless told) on `path` of `system`, the
 * page's clock fixed at `now`; signed in as `claims` when given (a local token kept in
 * sessionStorage as signin.js keeps a session), signed out otherwise.
 */
export async function openPage(
  browser: Browser,
  system: RunningSystem,
  path: string,
  opts: {
    now: Date;
    claims?: { role: 'agent' | 'manager' | 'admin'; sub: string; teams: string[] };
    viewport?: { width: number; height: number };
  },
): Promise<Opened> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  if (opts.claims) {
    const idToken = await mintToken({
      ...opts.claims,
      secret: loadLocalSecrets(system.env, system.env.DATA_DIR).jwtSecret,
    });
    await context.addInitScript(
      ([key, value]) => {
        if (!sessionStorage.getItem(key)) sessionStorage.setItem(key, value);
      },
      [SESSION_KEY, JSON.stringify({ idToken })] as const,
    );
  }
  const page = await context.newPage();
  const errors = pageProblems(page);
  await page.clock.setFixedTime(opts.now);
  await page.goto(`${system.url}${path}`);
  return { context, page, errors };
}
