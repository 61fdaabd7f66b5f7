import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJSModule from 'exceljs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems } from '../helpers/axe.ts';
import { type Opened, openPage } from '../helpers/browser-page.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * More cases than one page of the list API (105 in team T1, one in T2), seeded over HTTP as the
 * operators' systems and customers would, against `npm start` in Debian's chromium (playwright-core):
 * - the workbench's queue pages past 100 cases and shows them all; its Excel export holds them all
 *   (the server follows the list's cursor, all=true); a team outside the agent's scope typed into the
 *   filter says so (无权查看该班组) and keeps the queue;
 * - the dashboard's 待回访客户 says what it shows (本页 N 条…；还有更多, not a false 共 N 条) and each
 *   case's number is a link, reachable by keyboard, that opens the case in the workbench.
 * axe-core on each page reports no serious or critical violation; no page error, no CSP violation.
 */
const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** The browser's clock: the local system's after the seed (20 November 2026, 10:30 in Beijing). */
const BROWSER_NOW = new Date('2026-11-20T02:30:00Z');
const T1_CASES = 105;
const ENGINEERS = [
  { id: 'E-m1', name: '马一', team: 'T1', region: 'R1' },
  { id: 'E-m2', name: '马二', team: 'T1', region: 'R1' },
  { id: 'E-m3', name: '马三', team: 'T1', region: 'R1' },
];
const OUTSIDER = { id: 'E-n1', name: '牛一', team: 'T2', region: 'R2' };

let browser: Browser;
let sys: RunningSystem;
/** T1's case ids, as the API lists them (every page). */
let t1Cases: string[] = [];

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const phoneOf = (i: number) => `1390006${String(i).padStart(4, '0')}`;

/** `work` over `items`, `width` at a time (the local system answers each request in turn anyway). */
async function inTurns<T>(items: T[], width: number, work: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)));
  }
}

async function clockAndTick(now: string) {
  expect((await sys.call('POST', '/local/clock', { now })).status).toBe(200);
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
}

/** 105 tickets of T1 and one of T2 completed, surveyed and answered 不满意: 106 open cases. */
async function seed() {
  const people = [
    ...Array.from({ length: T1_CASES }, (_, i) => ENGINEERS[i % ENGINEERS.length] ?? OUTSIDER),
    OUTSIDER,
  ];
  await clockAndTick('2026-11-20T01:00:00Z');
  await inTurns(people, 4, async (engineer, i) => {
    const res = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: `MANY-${i}`,
        completedAt: '2026-11-20T08:30:00+08:00',
        engineer,
        customer: { phone: phoneOf(i) },
      }),
    );
    expect(res.status).toBe(202);
  });
  await clockAndTick('2026-11-20T01:30:00Z');
  expect((await sys.call('POST', '/local/clock', { now: '2026-11-20T01:40:00Z' })).status).toBe(200);
  await inTurns(people, 4, async (_, i) => {
    const res = await sys.call('POST', '/local/sms/inbound', {
      originationNumber: `+86${phoneOf(i)}`,
      destinationNumber: '+8610690000',
      messageKeyword: 'KW',
      messageBody: '3 还是没修好',
      inboundMessageId: `many-${i}`,
    });
    expect(res.status).toBe(200);
  });
  await clockAndTick('2026-11-20T02:30:00Z');
  let cursor: string | undefined;
  t1Cases = [];
  do {
    const q = `/v1/callbacks?team=T1&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await sys.call('GET', q, undefined, auth(sys.adminToken));
    expect(page.status).toBe(200);
    t1Cases.push(...(page.body.items as Array<{ caseId: string }>).map((c) => c.caseId));
    cursor = page.body.cursor;
  } while (cursor);
  expect(new Set(t1Cases).size).toBe(T1_CASES);
}

/** A browser context on `path`, signed in as `claims` of team T1 (test/helpers/browser-page.ts). */
const open = (claims: { role: 'agent' | 'manager'; sub: string }, path: string): Promise<Opened> =>
  openPage(browser, sys, path, { now: BROWSER_NOW, claims: { ...claims, teams: ['T1'] } });

const queueLoaded = (page: Page) => page.waitForSelector('#queue[data-loaded]', { state: 'attached' });
const queueIds = (page: Page) =>
  page.$$eval('#queue li[data-case-id]', (lis) => lis.map((li) => (li as HTMLElement).dataset.caseId));

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  mkdirSync(shots, { recursive: true });
  sys = await startNpm();
  await seed();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

describe('more cases than one page', () => {
  it('the workbench queue pages past 100 cases and shows every one, counted', async () => {
    const { context, page, errors } = await open({ role: 'agent', sub: 'agent-many' }, '/workbench');
    try {
      await queueLoaded(page);
      const shown = await queueIds(page);
      expect(shown).toHaveLength(T1_CASES);
      expect([...shown].sort()).toEqual([...t1Cases].sort());
      expect(await page.textContent('#counts li[data-status=open] .count')).toBe(String(T1_CASES));
      expect(await page.textContent('#queue-label')).toBe(`（共 ${T1_CASES} 件）`);
      expect(await page.textContent('#queue-note')).toBe('');
      // Sorted by deadline: all share one, so the order is stable and complete (no page repeated).
      expect(new Set(shown).size).toBe(T1_CASES);
      expect(await axeProblems(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the queue as Excel holds every case the filters select, not the first 100', async () => {
    const { context, page, errors } = await open({ role: 'agent', sub: 'agent-xlsx' }, '/workbench');
    try {
      await queueLoaded(page);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.focus('#export-queue').then(() => page.keyboard.press('Enter')),
      ]);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(await download.path());
      const ws = wb.worksheets[0];
      if (!ws) throw new Error('no sheet');
      const ids: string[] = [];
      for (let r = 2; r <= ws.rowCount; r++) ids.push(String(ws.getRow(r).getCell(1).value));
      expect(ids).toHaveLength(T1_CASES);
      expect([...ids].sort()).toEqual([...t1Cases].sort());
      await page.waitForFunction(() => !document.getElementById('export-queue')?.hasAttribute('aria-busy'));
      expect(await page.textContent('#status')).toBe('');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a team outside the agent’s scope is said plainly, and the queue stays on screen', async () => {
    const { context, page, errors } = await open({ role: 'agent', sub: 'agent-scope' }, '/workbench');
    try {
      await queueLoaded(page);
      await page.fill('#f-team', 'T2');
      await page.press('#f-team', 'Enter');
      await page.waitForFunction(() =>
        /无权查看该班组/.test(document.getElementById('status')?.textContent ?? ''),
      );
      expect(await page.textContent('#status')).toContain('“T2”不在您的权限范围内');
      expect(await page.getAttribute('#f-team', 'aria-invalid')).toBe('true');
      expect(await queueIds(page)).toHaveLength(T1_CASES);
      expect(await page.textContent('#counts li[data-status=open] .count')).toBe(String(T1_CASES));
      expect(await axeProblems(page)).toEqual([]);
      // Cleared: the queue loads again, the field no longer marked.
      await page.click('#f-reset');
      await queueLoaded(page);
      expect(await page.getAttribute('#f-team', 'aria-invalid')).toBeNull();
      expect(await page.textContent('#status')).toBe('');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the dashboard says what its case list holds, and each case opens in the workbench (keyboard)', async () => {
    const { context, page, errors } = await open({ role: 'manager', sub: 'mgr-many' }, '/dashboard');
    try {
      await page.waitForSelector('#board[data-loaded="2026-11"]', { state: 'attached' });
      const rows = await page.$$eval('#callbacks tbody tr', (trs) =>
        trs.map((tr) => ({
          id: (tr as HTMLElement).dataset.caseId,
          href: tr.querySelector('a')?.getAttribute('href'),
        })),
      );
      // One page of each list (the API's default 20), more left: not a total.
      expect(rows).toHaveLength(20);
      expect(await page.textContent('#callbacks-label')).toBe('（本页 20 条，其中已超时 0 条；还有更多）');
      expect(await page.textContent('#callbacks-note')).toContain('请在回访工作台查看');
      expect(await page.getAttribute('#callbacks-note a', 'href')).toBe('workbench');
      for (const r of rows) {
        expect(t1Cases).toContain(r.id);
        expect(r.href).toBe(`workbench#case/${r.id}`);
      }
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}many-cases-dashboard.png`, fullPage: true });

      // By keyboard: the first case's link, Enter: the workbench shows that case.
      await page.focus('#callbacks tbody tr:first-child a');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/workbench#case\//);
      await page.waitForSelector('#case-view[data-loaded="open"]', { state: 'attached' });
      expect(page.url()).toBe(`${sys.url}/workbench#case/${rows[0]?.id}`);
      expect(await page.textContent('#case-facts')).toContain(String(rows[0]?.id));

      // An engineer's open cases link the same way.
      await page.goto(`${sys.url}/dashboard#engineer/E-m1`);
      await page.waitForSelector('#board[data-view="engineer:E-m1"][data-loaded="2026-11"]', {
        state: 'attached',
      });
      const engineerLinks = await page.$$eval('#eng-cases tbody tr a', (as) =>
        as.map((a) => a.getAttribute('href')),
      );
      expect(engineerLinks).toHaveLength(35);
      for (const href of engineerLinks) expect(href).toMatch(/^workbench#case\/.+/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
