// Over 350 lines on purpose: one browser session walks the whole dashboard at two screen sizes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageProblems } from '../helpers/browser-page.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';

/**
 * The managers' dashboard in a real browser (Debian's chromium driven by playwright-core) against
 * `npm start` with data seeded over HTTP: three months of ratings for three engineers of team T1 (and
 * one of T2 the T1 manager must not see). Checks the ranking table's numbers, the charts' data and
 * canvases, the callbacks table, sign-in / sign-out, and the phone layout; writes screenshots to
 * test-results/dashboard-*.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const shots = fileURLToPath(new URL('../../test-results/', import.meta.url));

let sys: RunningSystem;
let browser: Browser;
let managerToken: string;
let managerHeaders: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the dashboard's browser test needs it. Install Debian's ` +
        '`chromium` package (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.',
    );
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  sys = await startNpm();
  managerToken = execFileSync(
    'npm',
    ['run', '--silent', 'token', '--', '--role', 'manager', '--teams', 'T1'],
    {
      cwd: repoRoot,
      env: sys.env,
    },
  )
    .toString('utf8')
    .trim()
    .split('\n')
    .at(-1) as string;
  expect(managerToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  managerHeaders = { authorization: `Bearer ${managerToken}` };
  await seed();
  mkdirSync(shots, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

// ---------------------------------------------------------------------------------------------------
// Seeding over HTTP, as the operators' systems and customers would

const engineers = {
  zhang: { id: 'E-zhang', name: '张伟', team: 'T1', region: 'R1' },
  li: { id: 'E-li', name: '李娜', team: 'T1', region: 'R1' },
  wang: { id: 'E-wang', name: '王芳', team: 'T1', region: 'R1' },
  zhao: { id: 'E-zhao', name: '赵强', team: 'T2', region: 'R2' },
};
type Who = keyof typeof engineers;
/** A customer comment with markup: it must show as text, never run. */
const HOSTILE_COMMENT = '<img src=x onerror="window.__pwned=1">师傅迟到了';

let inboundSeq = 0;
async function reply(phone: string, messageBody: string): Promise<void> {
  const res = await sys.call('POST', '/local/sms/inbound', {
    originationNumber: `+86${phone}`,
    destinationNumber: '+8610690000',
    messageKeyword: 'KW',
    messageBody,
    inboundMessageId: `dash-${++inboundSeq}`,
  });
  expect(res.status).toBe(200);
}

/** One day's tickets: completed at 09:20 Beijing time, surveys sent at 10:00, then the replies. */
async function day(
  date: string,
  tickets: Array<{ who: Who; phone: string; replies: string[] }>,
): Promise<void> {
  expect((await sys.call('POST', '/local/clock', { now: `${date}T10:00:00+08:00` })).status).toBe(200);
  for (const [i, t] of tickets.entries()) {
    const res = await sys.webhook(
      '/v1/tickets/completed',
      ticketBody({
        ticketId: `D-${date}-${i}`,
        completedAt: `${date}T09:20:00+08:00`,
        engineer: engineers[t.who],
        customer: { phone: t.phone },
      }),
    );
    expect(res.status).toBe(202);
  }
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
  for (const t of tickets) for (const r of t.replies) await reply(t.phone, r);
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
}

async function seed(): Promise<void> {
  await day('2026-09-10', [
    { who: 'zhang', phone: '13900010001', replies: ['3', '2'] },
    { who: 'li', phone: '13900010002', replies: ['1'] },
  ]);
  await day('2026-10-15', [{ who: 'zhang', phone: '13900010003', replies: ['1'] }]);
  await day('2026-11-20', [
    { who: 'zhang', phone: '13900010004', replies: ['1'] },
    { who: 'zhang', phone: '13900010005', replies: ['1'] },
    { who: 'li', phone: '13900010006', replies: ['1'] },
    { who: 'li', phone: '13900010007', replies: ['2', '1'] },
    { who: 'li', phone: '13900010008', replies: ['3', `1，5 ${HOSTILE_COMMENT}`] },
    { who: 'wang', phone: '13900010009', replies: [] },
    { who: 'zhao', phone: '13900010010', replies: ['3', '2'] },
  ]);
}

// ---------------------------------------------------------------------------------------------------
// The browser

/** The browser's clock: 25 November 2026 in Beijing, so "this month" is the seeded November. */
const BROWSER_NOW = new Date('2026-11-25T12:00:00+08:00');

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function open(viewport: { width: number; height: number }, mobile = false): Promise<Opened> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const errors = pageProblems(page);
  await page.clock.setFixedTime(BROWSER_NOW);
  await page.goto(`${sys.url}/dashboard`);
  return { context, page, errors };
}

/**
 * Signs in by pasting a token: the advanced option, collapsed under the development sign-in link
 * (test/e2e/signin.test.ts signs in through the sign-in pages themselves).
 */
async function signIn(page: Page, token = managerToken): Promise<void> {
  if (!(await page.$eval('#signin-paste', (d) => (d as HTMLDetailsElement).open))) {
    await page.click('#signin-paste summary');
  }
  await page.fill('#token', token);
  await page.click('#signin-form button[type=submit]');
}

/**
 * Waits until the board shows `period` completely: the page marks `#board[data-loaded]` with the
 * month at the end of a load (ranking, charts and callbacks rendered) and removes it when a load
 * starts or the session ends. Waiting for "a ranking row" instead is satisfied by the rows of
 * the previous month (or of the previous load) while the next one is still on its way, which is
 * what a loaded machine showed.
 */
async function loaded(page: Page, period = '2026-11'): Promise<void> {
  await page.waitForSelector(`#board[data-loaded="${period}"]`, { state: 'attached' });
  expect(await page.textContent('#status')).toBe('');
}

/** Under load the API answers slowly: the page must be waited for, not given a second. */
const SLOW_MS = 1_500;

const rankingRows = (page: Page) =>
  page.$$eval('#ranking tbody tr', (trs) =>
    trs.map((tr) => ({
      id: (tr as HTMLElement).dataset.engineerId,
      cells: Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? ''),
    })),
  );

/** Series data and canvas facts of an ECharts instance, read in the page. */
const chartOf = (page: Page, id: string) =>
  page.evaluate((domId) => {
    const dom = document.getElementById(domId) as HTMLElement;
    interface Axis {
      data?: unknown[];
    }
    interface Option {
      xAxis?: Axis[];
      yAxis?: Axis[];
      series?: Array<{ name: string; data: unknown[] }>;
    }
    const w = window as unknown as {
      echarts: { getInstanceByDom(el: HTMLElement): { getOption(): Option } | undefined };
    };
    const option = w.echarts.getInstanceByDom(dom)?.getOption();
    const canvas = dom.querySelector('canvas');
    let painted = 0;
    if (canvas) {
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
    }
    return {
      categories: option?.xAxis?.[0]?.data ?? option?.yAxis?.[0]?.data,
      series: (option?.series ?? []).map((s) => ({ name: s.name, data: s.data })),
      canvas: canvas ? { width: canvas.clientWidth, height: canvas.clientHeight, painted } : null,
    };
  }, id);

/**
 * Which of these ECharts component types have a model in the chart: each is part of our tree-shaken
 * ECharts (shared/web/dashboard/echarts-entry.ts); one left out would be silently ignored.
 */
const componentsOf = (page: Page, id: string, types: string[]) =>
  page.evaluate(
    ([domId, mainTypes]) => {
      const w = window as unknown as {
        echarts: {
          getInstanceByDom(
            el: HTMLElement,
          ): { getModel(): { getComponent(mainType: string): unknown } } | undefined;
        };
      };
      const model = w.echarts.getInstanceByDom(document.getElementById(domId) as HTMLElement)?.getModel();
      return mainTypes.filter((t) => model?.getComponent(t) != null);
    },
    [id, types] as const,
  );

// Expected figures for November 2026, team T1 (worked out from the seed above):
// 张伟 2 x 满意; 李娜 满意, 基本满意, 不满意 (reasons 1 and 5); 王芳 one survey, no reply.
const expectedRanking = [
  [
    '1',
    '张伟',
    'T1',
    '100.0',
    '100.0%',
    '2',
    '0',
    '100.0%',
    '—',
    '—',
    '—',
    '0',
    '0',
    '0',
    '0.00',
    '样本不足',
  ],
  [
    '2',
    '李娜',
    'T1',
    '53.3',
    '33.3%',
    '3',
    '1',
    '100.0%',
    '—',
    '—',
    '—',
    '0',
    '0',
    '0',
    '0.00',
    '低于目标样本不足',
  ],
  ['3', '王芳', 'T1', '—', '—', '0', '0', '0.0%', '—', '—', '—', '0', '0', '0', '0.00', '样本不足回复率低'],
];

describe('the managers’ dashboard in Chromium', () => {
  it('the API agrees with the figures the page is expected to show', async () => {
    const res = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, managerHeaders);
    expect(res.status).toBe(200);
    const rows = res.body.engineers as Array<Record<string, unknown>>;
    expect(rows.map((e) => [e.rank, e.engineerId])).toEqual([
      [1, 'E-zhang'],
      [2, 'E-li'],
      [3, 'E-wang'],
    ]);
    expect(rows[1]).toMatchObject({ responses: 3, satisfied: 1, reasons: { late: 2, unsolved: 1 } });
  });

  it('serves the page and ECharts from our origin with the right headers', async () => {
    const page = await fetch(`${sys.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const src = /src="(dashboard\/assets\/echarts\.min\.js\?v=[0-9a-f]+)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const js = await fetch(`${sys.url}/${src}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Our tree-shaken ECharts (fetch decompresses): about half the full echarts.min.js's 1.1 MB.
    const text = await js.text();
    expect(text.length).toBeGreaterThan(300_000);
    expect(text.length).toBeLessThan(800_000);
    expect(text).toMatch(/^\/\*!\n \* Apache ECharts /);
    const br = await fetch(`${sys.url}/${src}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(await br.text()).toBe(text);
    expect((await fetch(`${sys.url}/dashboard/assets/nope.js`)).status).toBe(404);
  });

  it('refuses a wrong token and keeps the board hidden', async () => {
    const { context, page, errors } = await open({ width: 1280, height: 900 });
    try {
      await signIn(page, 'not-a-token');
      await expect
        .poll(() => page.textContent('#signin-error'), { timeout: 20_000 })
        .toBe('令牌无效或已过期，请检查后重试。');
      expect(await page.isVisible('#board')).toBe(false);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('desktop: ranking, trend, reasons and callbacks of the manager’s team; sign-out', async () => {
    const { context, page, errors } = await open({ width: 1280, height: 900 });
    try {
      expect(await page.isVisible('#signin')).toBe(true);
      await signIn(page);
      await loaded(page);

      expect(await page.textContent('#period-label')).toBe('（2026年11月）');
      const rows = await rankingRows(page);
      expect(rows.map((r) => r.id)).toEqual(['E-zhang', 'E-li', 'E-wang']); // no T2 engineer
      expect(rows.map((r) => r.cells)).toEqual(expectedRanking);
      // field service only and no repeat repair: no kind-group table
      expect(await page.isHidden('#groups-card')).toBe(true);

      const trend = await chartOf(page, 'trend-chart');
      expect(trend.categories).toEqual(['6月', '7月', '8月', '9月', '10月', '11月']);
      // Sep: 1 of 2 satisfied; Oct: 1 of 1; Nov: 3 of 5 (T2's unhappy customer left out)
      expect(trend.series).toEqual([
        { name: '满意率', data: [null, null, null, 50, 100, 60] },
        { name: '评价数', data: [0, 0, 0, 2, 1, 5] },
      ]);
      expect(trend.canvas?.width).toBeGreaterThan(300);
      expect(trend.canvas?.height).toBeGreaterThan(200);
      expect(trend.canvas?.painted).toBeGreaterThan(1000);

      const reasons = await chartOf(page, 'reasons-chart');
      expect(reasons.categories).toEqual([
        '上门不准时',
        '服务态度/用语',
        '未着工装/工牌',
        '未清理现场',
        '问题未解决',
        '其他',
      ]);
      expect(reasons.series).toEqual([{ name: '提及次数', data: [2, 0, 0, 0, 1, 0] }]);
      expect(reasons.canvas?.painted).toBeGreaterThan(1000);
      const trendParts = ['grid', 'xAxis', 'yAxis', 'tooltip', 'axisPointer', 'legend', 'markLine'];
      expect(await componentsOf(page, 'trend-chart', trendParts)).toEqual(trendParts);

      // Callbacks: whatever GET /v1/callbacks answers the manager, the page shows it.
      const [overdue, openCases] = await Promise.all(
        ['overdue', 'open'].map((s) =>
          sys.call('GET', `/v1/callbacks?status=${s}`, undefined, managerHeaders),
        ),
      );
      if (overdue?.status === 200 && openCases?.status === 200) {
        const items = [...overdue.body.items, ...openCases.body.items] as Array<Record<string, unknown>>;
        // 张伟's September case is long overdue; 李娜's November case is open; 赵强's is T2's.
        expect(items.map((c) => [c.engineerName, c.status])).toEqual([
          ['张伟', 'overdue'],
          ['李娜', 'open'],
        ]);
        const cbRows = await page.$$eval('#callbacks tbody tr', (trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
        );
        expect(cbRows).toHaveLength(2);
        expect(cbRows[0]?.slice(0, 6)).toEqual([
          '已超时',
          expect.stringMatching(/^09\/1[01] \d{2}:\d{2}$/),
          '张伟',
          'T1',
          '不满意',
          '服务态度/用语',
        ]);
        expect(cbRows[1]?.slice(2, 8)).toEqual([
          '李娜',
          'T1',
          '不满意',
          '上门不准时、问题未解决',
          expect.stringContaining(HOSTILE_COMMENT),
          '139****0008',
        ]);
        expect(await page.textContent('#callbacks-label')).toBe('（共 2 条，其中已超时 1 条）');
        // The customer's markup is text: no element was made of it, nothing ran.
        expect(await page.$$('#callbacks img')).toHaveLength(0);
        expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      } else {
        expect(await page.textContent('#callbacks-note')).toMatch(/^回访记录暂/);
        expect(await page.isVisible('#callbacks')).toBe(false);
      }

      await page.screenshot({ path: `${shots}dashboard-desktop.png`, fullPage: true });

      // The session survives a reload (sessionStorage), and sign-out forgets the token.
      await page.reload();
      await loaded(page);
      expect((await rankingRows(page)).map((r) => r.id)).toEqual(['E-zhang', 'E-li', 'E-wang']);
      await page.click('#signout');
      expect(await page.isVisible('#signin')).toBe(true);
      expect(await page.isVisible('#board')).toBe(false);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(await page.$$('#ranking tbody tr')).toHaveLength(0);

      // Another month: October shows 张伟 alone.
      await signIn(page);
      await loaded(page);
      expect(await page.$$eval('#month option', (os) => os.slice(0, 2).map((o) => o.textContent))).toEqual([
        '2026年11月',
        '2026年10月',
      ]);
      // October's report answers slowly, as on a loaded machine: November's rows stay on screen
      // meanwhile, and nothing may be read before October's load has finished.
      const october = (url: URL) =>
        url.pathname.endsWith('/v1/reports/engineers') && url.searchParams.get('period') === '2026-10';
      await page.route(october, async (route) => {
        await new Promise((r) => setTimeout(r, SLOW_MS));
        await route.continue();
      });
      await page.selectOption('#month', '2026-10');
      await loaded(page, '2026-10');
      expect(await page.textContent('#period-label')).toBe('（2026年10月）');
      expect((await rankingRows(page)).map((r) => r.id)).toEqual(['E-zhang']);
      expect((await chartOf(page, 'trend-chart')).series[0]?.data).toEqual([null, null, null, null, 50, 100]);
      // No reasons in October: the reasons chart says so in a graphic text.
      expect(await page.textContent('#reasons-label')).toBe('（共 0 次提及）');
      expect(await componentsOf(page, 'reasons-chart', ['grid', 'tooltip', 'graphic'])).toEqual([
        'grid',
        'tooltip',
        'graphic',
      ]);

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('phone (390x844): same numbers, charts fit the screen, wide tables scroll inside their card', async () => {
    const { context, page, errors } = await open({ width: 390, height: 844 }, true);
    try {
      await signIn(page);
      await loaded(page);
      expect((await rankingRows(page)).map((r) => r.cells)).toEqual(expectedRanking);

      const trend = await chartOf(page, 'trend-chart');
      expect(trend.series[0]?.data).toEqual([null, null, null, 50, 100, 60]);
      expect(trend.canvas?.width).toBeGreaterThan(250);
      expect(trend.canvas?.width).toBeLessThanOrEqual(390);
      expect(trend.canvas?.painted).toBeGreaterThan(1000);
      const reasons = await chartOf(page, 'reasons-chart');
      expect(reasons.canvas?.width).toBeLessThanOrEqual(390);
      expect(reasons.canvas?.painted).toBeGreaterThan(1000);

      const layout = await page.evaluate(() => {
        const wrap = document.querySelector('#ranking')?.parentElement as HTMLElement;
        return {
          pageWidth: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          tableScrolls: wrap.scrollWidth > wrap.clientWidth,
          wrapWidth: wrap.getBoundingClientRect().width,
        };
      });
      expect(layout.pageWidth).toBeLessThanOrEqual(layout.viewport);
      expect(layout.wrapWidth).toBeLessThanOrEqual(390);
      expect(layout.tableScrolls).toBe(true);

      await page.screenshot({ path: `${shots}dashboard-phone.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
