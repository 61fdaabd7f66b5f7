import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The dashboard's kind-group table (store indicators, 004 5.2) in Chromium against `npm start`: a
 * store team's manager sees its satisfaction by group and its repeat-repair rate.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let sys: RunningSystem;
let browser: Browser;
let token: string;

const staff = { id: 'S-liu', name: '刘敏', team: '营业厅一', region: 'R1' };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  sys = await startNpm();
  token = execFileSync(
    'npm',
    ['run', '--silent', 'token', '--', '--role', 'manager', '--teams', JSON.stringify([staff.team])],
    { cwd: repoRoot, env: sys.env },
  )
    .toString('utf8')
    .trim()
    .split('\n')
    .at(-1) as string;
  // 20 November: two store visits (满意, 不满意) and two repairs of one phone 5 hours apart (a repeat)
  expect((await sys.call('POST', '/local/clock', { now: '2026-11-20T16:00:00+08:00' })).status).toBe(200);
  const visits = [
    { kind: 'store_service', phone: '13900020001', at: '10:00', reply: '1' },
    { kind: 'store_service', phone: '13900020002', at: '10:00', reply: '3' },
    { kind: 'repair', phone: '13900020003', at: '09:00' },
    { kind: 'repair', phone: '13900020003', at: '14:00' },
  ];
  for (const [i, v] of visits.entries()) {
    const res = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: `G-${i}`,
        kind: v.kind,
        completedAt: `2026-11-20T${v.at}:00+08:00`,
        engineer: staff,
        customer: { phone: v.phone },
      }),
    );
    expect(res.status).toBe(202);
  }
  // one run plans all four: the two repairs of one phone (planned at once, they meet on its
  // last-repair record) are settled in it too
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
  let n = 0;
  for (const v of visits) {
    if (!v.reply) continue;
    const res = await sys.call('POST', '/local/sms/inbound', {
      originationNumber: `+86${v.phone}`,
      destinationNumber: '+8610690000',
      messageKeyword: 'KW',
      messageBody: v.reply,
      inboundMessageId: `groups-${++n}`,
    });
    expect(res.status).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe('the dashboard for a store team', () => {
  it('shows satisfaction by kind group and the repeat-repair rate', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.clock.setFixedTime(new Date('2026-11-25T12:00:00+08:00'));
      await page.goto(`${sys.url}/dashboard`);
      // pasting a token is the advanced option, collapsed under the development sign-in link
      await page.click('#signin-paste summary');
      await page.fill('#token', token);
      await page.click('#signin-form button[type=submit]');
      await page.waitForSelector('#board[data-loaded="2026-11"]', { state: 'attached' });
      expect(await page.isVisible('#groups-card')).toBe(true);
      const rows = await page.$$eval('#groups tbody tr', (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
      );
      // store visits 1 of 2; no handset sale, no new business; the repairs' surveys are unanswered;
      // repeat repairs 1 of 2 (the morning repair, redone in the afternoon)
      expect(rows).toEqual([['营业厅一', '50.0%（2）', '—', '—', '—', '50.0%（1/2）']]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
