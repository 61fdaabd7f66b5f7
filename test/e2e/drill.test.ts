// Over 350 lines on purpose: one seeded system walked through every view the drill-down adds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJSModule from 'exceljs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems } from '../helpers/axe.ts';
import { pageProblems } from '../helpers/browser-page.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The dashboard's drill-down in a real browser (Debian's chromium driven by playwright-core) against
 * `npm start`: a manager drills from the ranking to an engineer and back and changes the period
 * (month, ISO week, date range, a refused range); an admin opens the team and region pages and
 * drills into a team's and a region's engineers; an engineer signs in through the local sign-in
 * page and sees only their own page. Each page passes axe-core (no serious or critical violation;
 * axe's source injected through the DevTools protocol, the page's CSP untouched) and fits a 375 px
 * screen; screenshots at 1280 px and 375 px go to test-results/drill-*.png.
 */
const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const shots = fileURLToPath(new URL('../../test-results/', import.meta.url));

let sys: RunningSystem;
let browser: Browser;
let managerToken: string;

const engineers = {
  zhang: { id: 'E-zhang', name: '张伟', team: 'T1', region: 'R1' },
  li: { id: 'E-li', name: '李娜', team: 'T1', region: 'R1' },
  wang: { id: 'E-wang', name: '王芳', team: 'T1', region: 'R1' },
  zhao: { id: 'E-zhao', name: '赵强', team: 'T2', region: 'R2' },
};
type Who = keyof typeof engineers;
/** 李娜's unhappy customers in W47: more than one page of comments (10 a page). */
const LI_W47_DISSATISFIED = 12;

function tokenFor(...args: string[]): string {
  return execFileSync('npm', ['run', '--silent', 'token', '--', ...args], { cwd: repoRoot, env: sys.env })
    .toString('utf8')
    .trim()
    .split('\n')
    .at(-1) as string;
}

let inboundSeq = 0;
let phoneSeq = 0;
async function day(date: string, tickets: Array<{ who: Who; replies: string[] }>): Promise<void> {
  expect((await sys.call('POST', '/local/clock', { now: `${date}T10:00:00+08:00` })).status).toBe(200);
  const phones: string[] = [];
  for (const [i, t] of tickets.entries()) {
    const phone = `1390003${String(++phoneSeq).padStart(4, '0')}`;
    phones.push(phone);
    const res = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: `DR-${date}-${i}`,
        completedAt: `${date}T09:20:00+08:00`,
        engineer: engineers[t.who],
        customer: { phone },
      }),
    );
    expect(res.status).toBe(202);
  }
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
  for (const [i, t] of tickets.entries()) {
    for (const messageBody of t.replies) {
      const res = await sys.call('POST', '/local/sms/inbound', {
        originationNumber: `+86${phones[i]}`,
        destinationNumber: '+8610690000',
        messageKeyword: 'KW',
        messageBody,
        inboundMessageId: `drill-${++inboundSeq}`,
      });
      expect(res.status).toBe(200);
    }
  }
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH.`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  sys = await startNpm();
  managerToken = tokenFor('--role', 'manager', '--teams', 'T1');
  // W46 (11-09..11-15) and W47 (11-16..11-22) of November 2026
  await day('2026-11-10', [
    { who: 'zhang', replies: ['1'] },
    { who: 'zhang', replies: ['1'] },
    { who: 'li', replies: ['3', '1 师傅来晚了'] },
    { who: 'zhao', replies: ['1'] },
  ]);
  await day('2026-11-20', [
    { who: 'zhang', replies: ['1'] },
    { who: 'wang', replies: [] },
    { who: 'zhao', replies: ['3', '2'] },
    ...Array.from({ length: LI_W47_DISSATISFIED }, () => ({ who: 'li' as const, replies: ['3 问题没解决'] })),
  ]);
  mkdirSync(shots, { recursive: true });
}, 300_000);

/** T1's order (score.ts rank): 李娜 has 13 responses (a sufficient sample), 张伟 3, 王芳 none. */
const T1_ORDER = ['E-li', 'E-zhang', 'E-wang'];

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

// ---------------------------------------------------------------------------------------------------
// The browser

const BROWSER_NOW = new Date('2026-11-25T12:00:00+08:00');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function open(viewport: { width: number; height: number }, path = '/dashboard'): Promise<Opened> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors = pageProblems(page);
  await page.clock.setFixedTime(BROWSER_NOW);
  await page.goto(`${sys.url}${path}`);
  return { context, page, errors };
}

async function pasteToken(page: Page, token: string): Promise<void> {
  if (!(await page.$eval('#signin-paste', (d) => (d as HTMLDetailsElement).open))) {
    await page.click('#signin-paste summary');
  }
  await page.fill('#token', token);
  await page.click('#signin-form button[type=submit]');
}

/** Waits until the board shows `view` for `period` completely (dashboard.js marks both at the end of a load). */
async function shown(page: Page, view: string, period = '2026-11'): Promise<void> {
  await page.waitForSelector(`#board[data-view="${view}"][data-loaded="${period}"]`, { state: 'attached' });
}

const rowsOf = (page: Page, table: string) =>
  page.$$eval(`#${table} tbody tr`, (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
  );
const engineerIds = (page: Page, table: string) =>
  page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => (tr as HTMLElement).dataset.engineerId));
const figure = (page: Page, term: string) =>
  page.$$eval(
    '#eng-figures div',
    (divs, t) => divs.find((d) => d.querySelector('dt')?.textContent === t)?.querySelector('dd')?.textContent,
    term,
  );

/** Nothing wider than the screen: wide tables scroll inside their card. */
const fitsScreen = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

async function detailOf(id: string, query: string, token = managerToken) {
  const res = await sys.call('GET', `/v1/reports/engineers/${id}?${query}&limit=10`, undefined, {
    authorization: `Bearer ${token}`,
  });
  expect(res.status).toBe(200);
  return res.body as {
    responses: number;
    rankInTeam: { rank: number; of: number; sampleSufficient: boolean } | null;
    comments: { items: unknown[]; nextCursor: string | null };
  };
}

/**
 * Presses an export button (by keyboard when asked), waits for the browser's download and reads the
 * file's first sheet with exceljs: its rows keyed by the header row.
 */
async function exported(page: Page, selector: string, keyboard = false) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    keyboard ? page.focus(selector).then(() => page.keyboard.press('Enter')) : page.click(selector),
  ]);
  const file = await download.path();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  if (!ws) throw new Error('no sheet');
  const head = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Record<string, unknown>[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    rows.push(Object.fromEntries(head.map((h, i) => [h, ws.getRow(r).getCell(i + 1).value])));
  }
  return { name: download.suggestedFilename(), sheet: ws.name, rows };
}

const rankText = (r: { rank: number; of: number; sampleSufficient: boolean } | null) =>
  r ? new RegExp(`^班组内第 ${r.rank} 名 / 共 ${r.of} 名`) : /暂无班组排名/;

describe('drill-down in Chromium', () => {
  it('a manager drills from the ranking to an engineer (keyboard) and back; periods month, week, range', async () => {
    const { context, page, errors } = await open(DESKTOP);
    try {
      await pasteToken(page, managerToken);
      await shown(page, 'ranking');
      expect(await engineerIds(page, 'ranking')).toEqual(T1_ORDER);
      // the picker shows the month's field alone until another kind is chosen
      expect(await page.isVisible('#month')).toBe(true);
      for (const id of ['#week', '#from', '#to', '#period-apply']) expect(await page.isHidden(id)).toBe(true);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}drill-ranking-1280.png`, fullPage: true });

      // Keyboard: the engineer's name is a link; Enter opens the engineer's page.
      await page.focus('#ranking a[href="#engineer/E-li"]');
      await page.keyboard.press('Enter');
      await shown(page, 'engineer:E-li');
      expect(new URL(page.url()).hash).toBe('#engineer/E-li');
      expect(await page.isVisible('#view-ranking')).toBe(false);
      expect(await page.textContent('#eng-title')).toBe('李娜（T1） · 2026年11月');
      // focus moved to the view's heading
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('eng-title');
      const month = await detailOf('E-li', 'period=2026-11');
      expect(month.rankInTeam).not.toBeNull();
      expect(await page.textContent('#eng-rank')).toMatch(rankText(month.rankInTeam));
      expect(month.rankInTeam?.of).toBe(3);
      expect(await figure(page, '评价数')).toBe(String(month.responses));
      expect(month.responses).toBe(1 + LI_W47_DISSATISFIED);

      // Comments: ten a page, masked; the rest on request.
      expect(await page.textContent('#eng-comments-label')).toBe('（已显示 10 条，还有更多）');
      let comments = await rowsOf(page, 'eng-comments');
      expect(comments).toHaveLength(10);
      for (const c of comments) expect(c[4]).toMatch(/^139\*{4}\d{4}$/);
      expect(comments[0]?.[3]).toBe('问题没解决');
      await page.click('#eng-more');
      await expect
        .poll(async () => (await rowsOf(page, 'eng-comments')).length)
        .toBe(LI_W47_DISSATISFIED + 1);
      expect(await page.isVisible('#eng-more')).toBe(false);
      comments = await rowsOf(page, 'eng-comments');
      expect(comments.at(-1)?.[3]).toBe('师傅来晚了');
      expect(comments.at(-1)?.[2]).toBe('上门不准时');

      // Open cases: 李娜's only, each masked.
      const cases = await rowsOf(page, 'eng-cases');
      expect(cases).toHaveLength(LI_W47_DISSATISFIED + 1);
      for (const c of cases) expect(c[5]).toMatch(/^139\*{4}\d{4}$/);
      const trend = await page.evaluate(() => {
        const w = window as unknown as {
          echarts: {
            getInstanceByDom(e: HTMLElement): { getOption(): { xAxis: Array<{ data: string[] }> } };
          };
        };
        return w.echarts
          .getInstanceByDom(document.getElementById('eng-trend-chart') as HTMLElement)
          .getOption().xAxis[0]?.data;
      });
      expect(trend).toEqual(['第44周', '第45周', '第46周', '第47周', '第48周', '第49周']);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}drill-engineer-1280.png`, fullPage: true });

      // An ISO week: W46 holds one of 李娜's unhappy customers.
      await page.selectOption('#period-kind', 'week');
      await page.fill('#week', '2026-W46');
      await page.dispatchEvent('#week', 'change');
      await shown(page, 'engineer:E-li', '2026-W46');
      const w46 = await detailOf('E-li', 'period=2026-W46');
      expect(await figure(page, '评价数')).toBe(String(w46.responses));
      expect(await rowsOf(page, 'eng-comments')).toHaveLength(1);
      expect(await page.textContent('#eng-title')).toBe('李娜（T1） · 2026年第46周（11月9日—11月15日）');
      expect(await page.textContent('#eng-rank')).toMatch(rankText(w46.rankInTeam));

      // A date range; one that ends before it starts is refused, naming the field, and nothing reloads.
      await page.selectOption('#period-kind', 'range');
      await shown(page, 'engineer:E-li', '2026-11-01..2026-11-25');
      expect(await page.isHidden('#week')).toBe(true);
      expect(await page.isVisible('#from')).toBe(true);
      await page.fill('#from', '2026-11-16');
      await page.fill('#to', '2026-11-01');
      await page.click('#period-apply');
      expect(await page.textContent('#period-error')).toBe('结束日期不能早于开始日期。');
      expect(await page.getAttribute('#to', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#board', 'data-loaded')).toBe('2026-11-01..2026-11-25');
      await page.fill('#to', '2026-11-30');
      await page.press('#to', 'Enter'); // the picker is a form: Enter applies it
      await shown(page, 'engineer:E-li', '2026-11-16..2026-11-30');
      expect(await page.textContent('#period-error')).toBe('');
      expect(await figure(page, '评价数')).toBe(String(LI_W47_DISSATISFIED));
      expect(await axeProblems(page)).toEqual([]);

      // Back to the month, then back (browser history) to the ranking.
      await page.selectOption('#period-kind', 'month');
      await shown(page, 'engineer:E-li');
      await page.goBack();
      await shown(page, 'ranking');
      expect(await page.isVisible('#view-engineer')).toBe(false);
      expect(await engineerIds(page, 'ranking')).toEqual(T1_ORDER);
      // ... and the page's own back link does the same
      await page.click('#ranking a[href="#engineer/E-zhang"]');
      await shown(page, 'engineer:E-zhang');
      await page.click('#eng-back');
      await shown(page, 'ranking');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it('a manager on a phone (375 px): the engineer page fits, its tables scroll inside their cards', async () => {
    const { context, page, errors } = await open(PHONE);
    try {
      await pasteToken(page, managerToken);
      await shown(page, 'ranking');
      expect(await fitsScreen(page)).toBe(true);
      await page.screenshot({ path: `${shots}drill-ranking-375.png`, fullPage: true });
      await page.click('#ranking a[href="#engineer/E-li"]');
      await shown(page, 'engineer:E-li');
      expect(await fitsScreen(page)).toBe(true);
      const canvas = await page.$eval('#eng-trend-chart canvas', (c) => (c as HTMLCanvasElement).clientWidth);
      expect(canvas).toBeGreaterThan(250);
      expect(canvas).toBeLessThanOrEqual(375);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: `${shots}drill-engineer-375.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('an admin opens the team and region pages and drills into a team’s and a region’s engineers', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { context, page, errors } = await open(viewport);
      const size = viewport.width;
      try {
        await pasteToken(page, sys.adminToken);
        await shown(page, 'ranking');
        await page.click('#nav-teams');
        await shown(page, 'team:*');
        expect(await page.getAttribute('#nav-teams', 'aria-current')).toBe('page');
        const teams = await page.$$eval('#grp-table tbody tr', (trs) =>
          trs.map((tr) => (tr as HTMLElement).dataset.name),
        );
        expect([...(teams as string[])].sort()).toEqual(['T1', 'T2']);
        expect(await fitsScreen(page)).toBe(true);
        expect(await axeProblems(page)).toEqual([]);
        await page.screenshot({ path: `${shots}drill-teams-${size}.png`, fullPage: true });

        await page.click('#grp-table a[href="#team/T1"]');
        await shown(page, 'team:T1');
        expect(await page.textContent('#grp-title')).toContain('班组：T1');
        expect(await engineerIds(page, 'grp-table')).toEqual(T1_ORDER);
        expect(await axeProblems(page)).toEqual([]);
        await page.screenshot({ path: `${shots}drill-team-${size}.png`, fullPage: true });

        await page.click('#nav-regions');
        await shown(page, 'region:*');
        const regions = await page.$$eval('#grp-table tbody tr', (trs) =>
          trs.map((tr) => (tr as HTMLElement).dataset.name),
        );
        expect([...(regions as string[])].sort()).toEqual(['R1', 'R2']);
        expect(await axeProblems(page)).toEqual([]);
        await page.screenshot({ path: `${shots}drill-regions-${size}.png`, fullPage: true });
        await page.click('#grp-table a[href="#region/R2"]');
        await shown(page, 'region:R2');
        expect(await engineerIds(page, 'grp-table')).toEqual(['E-zhao']);

        // ... and on to the engineer, whose open cases an admin lists by naming the team
        await page.click('#grp-table a[href="#engineer/E-zhao"]');
        await shown(page, 'engineer:E-zhao');
        expect(await page.textContent('#eng-title')).toBe('赵强（T2） · 2026年11月');
        const cases = await rowsOf(page, 'eng-cases');
        expect(cases).toHaveLength(1);
        expect(cases[0]?.[5]).toMatch(/^139\*{4}\d{4}$/);
        await page.goBack();
        await shown(page, 'region:R2');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 240_000);

  it('Excel export: the ranking (keyboard), an engineer, the teams; the same numbers as the JSON', async () => {
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const ranking = await sys.call(
      'GET',
      '/v1/reports/engineers?period=2026-11',
      undefined,
      auth(managerToken),
    );
    expect(ranking.status).toBe(200);
    const li = ranking.body.engineers.find((e: { engineerId: string }) => e.engineerId === 'E-li');
    const teams = await sys.call('GET', '/v1/reports/teams?period=2026-11', undefined, auth(sys.adminToken));
    expect(teams.status).toBe(200);
    const t1 = teams.body.teams.find((t: { team: string }) => t.team === 'T1');

    const manager = await open(DESKTOP);
    try {
      await pasteToken(manager.page, managerToken);
      await shown(manager.page, 'ranking');
      expect(await manager.page.getAttribute('#export-ranking', 'aria-label')).toContain('导出 Excel');
      const sheet = await exported(manager.page, '#export-ranking', true);
      expect(sheet.name).toBe('工程师排名-2026-11.xlsx');
      expect(sheet.sheet).toBe('工程师排名');
      expect(sheet.rows.map((r) => r.工程师编号)).toEqual(T1_ORDER);
      const row = sheet.rows.find((r) => r.工程师编号 === 'E-li');
      expect(row?.评价数).toBe(li.responses);
      expect(row?.评价数).toBe(1 + LI_W47_DISSATISFIED);
      expect(row?.['满意率(%)']).toBe(li.satisfactionRate);

      await manager.page.click('#ranking a[href="#engineer/E-li"]');
      await shown(manager.page, 'engineer:E-li');
      const detail = await exported(manager.page, '#export-engineer');
      expect(detail.name).toMatch(/\.xlsx$/);
      expect(detail.rows.length).toBeGreaterThan(0);
      expect(await manager.page.textContent('#status')).toBe('');
      expect(manager.errors).toEqual([]);
    } finally {
      await manager.context.close();
    }

    const admin = await open(DESKTOP, '/dashboard#teams');
    try {
      await pasteToken(admin.page, sys.adminToken);
      await shown(admin.page, 'team:*');
      const sheet = await exported(admin.page, '#export-groups');
      expect(sheet.sheet).toBe('班组汇总');
      const row = sheet.rows.find((r) => r.班组 === 'T1' && !r.工程师编号);
      expect(row?.评价数).toBe(t1.responses);
      expect(admin.errors).toEqual([]);
    } finally {
      await admin.context.close();
    }
  }, 180_000);

  it('an engineer signs in through the local sign-in page and sees only their own page', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      // asked for a colleague's page: the engineer gets their own, and nothing of the colleague's
      const { context, page, errors } = await open(viewport, '/dashboard#engineer/E-zhang');
      const size = viewport.width;
      try {
        await page.click('#signin-start');
        await page.waitForURL(/\/local\/sign-in\?/);
        await page.check('input[name=role][value=engineer]');
        await page.fill('#engineer', 'E-li');
        await page.click('button[type=submit]');
        await shown(page, 'engineer:E-li');
        const own = await detailOf(
          'E-li',
          'period=2026-11',
          tokenFor('--role', 'engineer', '--engineer', 'E-li'),
        );
        expect(await page.textContent('#eng-rank')).toMatch(rankText(own.rankInTeam));
        expect(await page.textContent('#eng-title')).toBe('李娜（T1） · 2026年11月');
        expect(await page.textContent('.topbar h1')).toBe('我的服务满意度');
        for (const hidden of [
          '#views',
          '#view-ranking',
          '#view-groups',
          '#eng-cases-card',
          '#eng-back-wrap',
        ]) {
          expect(await page.isHidden(hidden)).toBe(true);
        }
        expect(await page.$$('#ranking tbody tr')).toHaveLength(0);
        expect(await page.$$('#eng-cases tbody tr')).toHaveLength(0);

        await page.evaluate(() => {
          location.hash = '#engineer/E-zhang';
        });
        await shown(page, 'engineer:E-li');
        await page.evaluate(() => {
          location.hash = '#teams';
        });
        await shown(page, 'engineer:E-li');
        // everything in the document, shown or not
        const text = await page.evaluate(() => document.body.textContent ?? '');
        for (const other of ['张伟', '王芳', '赵强', 'E-zhang', 'E-wang', 'E-zhao'])
          expect(text).not.toContain(other);
        // the API says the same: a colleague's page is 403 with the engineer's token
        const status = await page.evaluate(async () => {
          const auth = (window as unknown as { Auth: { fetch(p: string): Promise<Response> } }).Auth;
          return (await auth.fetch('v1/reports/engineers/E-zhang?period=2026-11')).status;
        });
        expect(status).toBe(403);
        expect(await fitsScreen(page)).toBe(true);
        expect(await axeProblems(page)).toEqual([]);
        await page.screenshot({ path: `${shots}drill-me-${size}.png`, fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 240_000);
});
