// Over 350 lines on purpose: one seeded system, walked by agents and a manager in a real browser.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJSModule from 'exceljs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems } from '../helpers/axe.ts';
import { type Opened, openPage } from '../helpers/browser-page.ts';
import { ticketBody } from '../helpers/fixtures.ts';
import { startWithIssuer } from '../helpers/issuer-system.ts';
import { type RunningSystem, startNpm } from '../helpers/local-server.ts';
import type { OidcStandIn } from '../helpers/standins/oidc-provider.ts';

/**
 * The callback workbench (GET /workbench) in Debian's chromium (playwright-core) against `npm start`:
 * an agent of T1 signs in through the local sign-in page, opens the most urgent case (the overdue
 * one), records the contact, closes it: it leaves the queue and the report's callback figures
 * change; two agents close the same case: one success, one clear message; a manager returns a
 * complaint an agent closed, then approves it; the phone is masked for the manager and a tel: link for the agent.
 * Each page at 1280 px and 375 px (screenshots in test-results/workbench-*.png), axe-core on each
 * reporting no serious or critical violation, and no Content Security Policy violation anywhere.
 * With an issuer (a stand-in OIDC provider), the workbench's sign-in returns through the dashboard's
 * URL (the one registered with the issuer), which sends the user back to the workbench.
 */
const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** The browser's clock: the local system's (20 November 2026, 10:30 in Beijing). */
const BROWSER_NOW = new Date('2026-11-20T02:30:00Z');
const CHANGED = '该案件已被他人处理，已为您刷新';

const PEOPLE = {
  overdue: { id: 'E-d', name: '丁磊', team: 'T1', phone: '13900040004' },
  first: { id: 'E-a', name: '安静', team: 'T1', phone: '13900040001' },
  race: { id: 'E-b', name: '白雪', team: 'T1', phone: '13900040002' },
  complaint: { id: 'E-c', name: '陈晨', team: 'T1', phone: '13900040003' },
  elsewhere: { id: 'E-e', name: '鄂南', team: 'T2', phone: '13900040005' },
} as const;
type Who = keyof typeof PEOPLE;

let browser: Browser;
let sys: RunningSystem;
const caseOf: Partial<Record<Who, string>> = {};

async function complete(who: Who, completedAt: string) {
  const p = PEOPLE[who];
  const res = await sys.webhook(
    '/v1/tickets/completed',
    ticketBody({
      ticketId: `WB-${who}`,
      completedAt,
      engineer: { id: p.id, name: p.name, team: p.team, region: p.team === 'T1' ? 'R1' : 'R2' },
      customer: { phone: p.phone },
    }),
  );
  expect(res.status).toBe(202);
}

async function reply(who: Who, now: string, body: string) {
  expect((await sys.call('POST', '/local/clock', { now })).status).toBe(200);
  const res = await sys.call('POST', '/local/sms/inbound', {
    originationNumber: `+86${PEOPLE[who].phone}`,
    destinationNumber: '+8610690000',
    messageKeyword: 'KW',
    messageBody: body,
    inboundMessageId: `wb-${who}`,
  });
  expect(res.status).toBe(200);
}

const tick = async (now: string) => {
  expect((await sys.call('POST', '/local/clock', { now })).status).toBe(200);
  expect((await sys.call('POST', '/local/tick')).status).toBe(200);
};

/** Five cases: one overdue since yesterday, three of today in T1 (one a complaint), one in T2. */
async function seed() {
  await tick('2026-11-18T01:00:00Z');
  await complete('overdue', '2026-11-18T09:00:00+08:00');
  await tick('2026-11-18T01:30:00Z');
  await reply('overdue', '2026-11-18T01:40:00Z', '3 师傅迟到了一个小时');
  await tick('2026-11-20T01:00:00Z');
  for (const who of ['first', 'race', 'complaint', 'elsewhere'] as const) {
    await complete(who, '2026-11-20T08:30:00+08:00');
  }
  await tick('2026-11-20T01:30:00Z');
  await reply('first', '2026-11-20T01:40:00Z', '3 等了很久才上门');
  await reply('race', '2026-11-20T01:50:00Z', '3');
  await reply('complaint', '2026-11-20T02:00:00Z', '3 我要投诉，宽带还是不通');
  await reply('elsewhere', '2026-11-20T02:05:00Z', '3');
  await tick('2026-11-20T02:30:00Z');
  const all = await sys.call('GET', '/v1/callbacks?team=T1', undefined, auth(sys.adminToken));
  expect(all.status).toBe(200);
  for (const c of all.body.items as Array<{ caseId: string; engineerId: string }>) {
    const who = (Object.keys(PEOPLE) as Who[]).find((w) => PEOPLE[w].id === c.engineerId);
    if (who) caseOf[who] = c.caseId;
  }
  expect(Object.keys(caseOf).sort()).toEqual(['complaint', 'first', 'overdue', 'race']);
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'] });
  mkdirSync(shots, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/**
 * A fresh browser context on the workbench: signed out, or already signed in with a local token of
 * `claims` (test/helpers/browser-page.ts), collecting page errors and CSP reports.
 */
const open = (
  claims?: { role: 'agent' | 'manager' | 'admin'; sub: string; teams?: string[] },
  system: RunningSystem = sys,
): Promise<Opened> =>
  openPage(browser, system, '/workbench', {
    now: BROWSER_NOW,
    ...(claims ? { claims: { ...claims, teams: claims.teams ?? ['T1'] } } : {}),
  });

const queueLoaded = (page: Page) => page.waitForSelector('#queue[data-loaded]', { state: 'attached' });
const caseLoaded = (page: Page, status: string) =>
  page.waitForSelector(`#case-view[data-loaded="${status}"]`, { state: 'attached' });
const queueIds = (page: Page) =>
  page.$$eval('#queue li[data-case-id]', (lis) => lis.map((li) => (li as HTMLElement).dataset.caseId));

/** axe-core in the page (injected as the test's own evaluation: the page's CSP stays as it is). */
async function accessibility(page: Page, name: string): Promise<void> {
  expect(await axeProblems(page), `axe on ${name}`).toEqual([]);
}

/** Screenshots at 1280 and 375 px, the accessibility check at both, and no sideways scroll on the phone. */
async function bothWidths(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await accessibility(page, `${name} at 1280px`);
  await page.screenshot({ path: `${shots}workbench-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 800 });
  await accessibility(page, `${name} at 375px`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.screenshot({ path: `${shots}workbench-${name}-375.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function callbackFigures(engineerId: string) {
  const res = await sys.call('GET', '/v1/reports/engineers?period=2026-11', undefined, auth(sys.adminToken));
  expect(res.status).toBe(200);
  type Row = { engineerId: string; callbacks: { closed: number; outcomes: Record<string, number> } };
  const row = (res.body.engineers as Row[]).find((e) => e.engineerId === engineerId);
  return row?.callbacks;
}

async function note(page: Page, text: string) {
  await page.fill('#note', text);
  await page.click('#note-submit');
  await page.waitForFunction(
    (t) => Array.from(document.querySelectorAll('#case-history .note-text')).some((p) => p.textContent === t),
    text,
  );
}

async function closeWith(page: Page, outcome: string, text: string) {
  await page.check(`input[name=outcome][value=${outcome}]`);
  await page.fill('#close-note', text);
  await page.click('#close-submit');
}

describe('the callback workbench', () => {
  beforeAll(async () => {
    sys = await startNpm();
    await seed();
  }, 180_000);

  afterAll(async () => {
    await sys?.stop();
  });

  it('an agent signs in, opens the most urgent case, records the contact, closes it: it leaves the queue', async () => {
    const { context, page, errors } = await open();
    try {
      // Signed out: the sign-in panel, checked at both widths.
      expect(await page.textContent('#signin-start')).toBe('本地开发登录');
      await bothWidths(page, 'signin');
      await page.click('#signin-start');
      await page.waitForURL(/\/local\/sign-in\?/);
      await page.check('input[name=role][value=agent]');
      await page.fill('#teams', 'T1');
      await page.click('button[type=submit]');
      await queueLoaded(page);
      expect(page.url()).toBe(`${sys.url}/workbench`);
      expect(await page.textContent('#who')).toContain('回访专员');

      // The queue: T1's cases only, the overdue one first, then by deadline; counts per status.
      expect(await queueIds(page)).toEqual([caseOf.overdue, caseOf.first, caseOf.race, caseOf.complaint]);
      expect(await page.textContent('#counts li[data-status=overdue] .count')).toBe('1');
      expect(await page.textContent('#counts li[data-status=open] .count')).toBe('3');
      // Filters: complaints only, then the engineer. Each change reloads the queue (data-loaded is
      // taken away at once and set again when the new list is on screen).
      await page.selectOption('#f-kind', 'complaint');
      await queueLoaded(page);
      expect(await queueIds(page)).toEqual([caseOf.complaint]);
      await page.selectOption('#f-kind', '');
      await queueLoaded(page);
      await page.fill('#f-engineer', PEOPLE.race.id);
      await page.press('#f-engineer', 'Enter');
      await queueLoaded(page);
      expect(await queueIds(page)).toEqual([caseOf.race]);
      await page.click('#f-reset');
      await queueLoaded(page);
      expect(await queueIds(page)).toHaveLength(4);
      await bothWidths(page, 'queue');
      // The README's picture (docs/screenshots/workbench.png is a copy of it).
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: `${shots}workbench-readme.png` });
      await page.setViewportSize({ width: 1280, height: 900 });

      const before = await callbackFigures(PEOPLE.overdue.id);
      expect(before?.closed).toBe(0);

      // The most urgent case, by keyboard: focus its link and press Enter.
      await page.focus('#queue li:first-child a');
      await page.keyboard.press('Enter');
      await caseLoaded(page, 'overdue');
      expect(await page.textContent('#case-comment')).toBe('师傅迟到了一个小时');
      expect(await page.getAttribute('#case-tel', 'href')).toBe(`tel:+86${PEOPLE.overdue.phone}`);
      expect(await page.textContent('#case-facts')).toContain('不满意');
      expect(await page.textContent('#note-title')).toBe('记录首次联系');
      await bothWidths(page, 'case');

      await note(page, '已电话联系客户，客户表示理解');
      expect(await page.textContent('#note-title')).toBe('添加处理记录');
      await closeWith(page, 'resolved_satisfied', '客户满意，结案');
      await caseLoaded(page, 'closed');
      expect(await page.textContent('#case-message')).toBe('已结案。');
      expect(await page.isHidden('#close-form')).toBe(true);

      const after = await callbackFigures(PEOPLE.overdue.id);
      expect(after?.closed).toBe(1);
      expect(after?.outcomes).toMatchObject({ resolved_satisfied: 1 });

      await page.click('#back');
      await queueLoaded(page);
      expect(await queueIds(page)).toEqual([caseOf.first, caseOf.race, caseOf.complaint]);
      expect(await page.textContent('#counts li[data-status=overdue] .count')).toBe('0');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('two agents close the same case: one success, the other a clear message and the case reloaded', async () => {
    const one = await open({ role: 'agent', sub: 'agent-one' });
    const two = await open({ role: 'agent', sub: 'agent-two' });
    try {
      for (const { page } of [one, two]) {
        await page.goto(`${sys.url}/workbench#case/${caseOf.race}`);
        await caseLoaded(page, 'open');
      }
      await closeWith(one.page, 'unreachable', '三次拨打未接通');
      await caseLoaded(one.page, 'closed');
      expect(await one.page.textContent('#case-message')).toBe('已结案。');

      // The second agent's page still shows the case open; their close loses.
      expect(await two.page.isVisible('#close-form')).toBe(true);
      await closeWith(two.page, 'resolved_satisfied', '客户满意');
      await two.page.waitForFunction(
        (t) => document.getElementById('case-message')?.textContent === t,
        CHANGED,
      );
      await caseLoaded(two.page, 'closed');
      expect(await two.page.isHidden('#close-form')).toBe(true);
      expect(await two.page.textContent('#case-history')).toContain('三次拨打未接通');
      await two.page.screenshot({ path: `${shots}workbench-conflict-1280.png`, fullPage: true });

      const c = await sys.call('GET', `/v1/callbacks/${caseOf.race}`, undefined, auth(sys.adminToken));
      expect(c.body).toMatchObject({ status: 'closed', outcome: 'unreachable', closedBy: 'agent-one' });
      expect(one.errors).toEqual([]);
      expect(two.errors).toEqual([]);
    } finally {
      await one.context.close();
      await two.context.close();
    }
  });

  it('a manager returns a complaint an agent closed, then approves it; the phone masked for the manager', async () => {
    const agent = await open({ role: 'agent', sub: 'agent-c' });
    const manager = await open({ role: 'manager', sub: 'mgr-1' });
    try {
      const a = agent.page;
      await a.goto(`${sys.url}/workbench#case/${caseOf.complaint}`);
      await caseLoaded(a, 'open');
      expect(await a.textContent('#case-title')).toContain('投诉');
      await note(a, '已联系客户，安排复查线路');
      await closeWith(a, 'resolved_satisfied', '线路已修复，客户认可');
      await caseLoaded(a, 'pending_review');
      expect(await a.textContent('#case-message')).toBe('已提交审核。');
      // An agent does not review.
      expect(await a.isHidden('#review-form')).toBe(true);

      const m = manager.page;
      await m.reload(); // opened before the agent's close
      await queueLoaded(m);
      expect(await m.textContent('#counts li[data-status=pending_review] .count')).toBe('1');
      await m.click(`#queue li[data-case-id="${caseOf.complaint}"] a`);
      await caseLoaded(m, 'pending_review');
      expect(await m.$('#case-tel')).toBeNull();
      expect(await m.textContent('#case-facts')).toContain('139****0003');
      expect(await m.content()).not.toContain(PEOPLE.complaint.phone);
      expect(await m.isVisible('#review-form')).toBe(true);
      expect(await m.textContent('#review-proposed')).toContain('已解决，客户满意');
      await bothWidths(m, 'review');

      // Returned with a note: back to handling.
      await m.fill('#review-note', '请再次上门核实线路');
      await m.click('#review-return');
      await caseLoaded(m, 'in_progress');
      expect(await m.textContent('#case-message')).toBe('已退回重办。');
      expect(await m.isHidden('#review-form')).toBe(true);

      // The agent's close of the new round needs its contact first: said plainly, nothing applied.
      await a.reload();
      await caseLoaded(a, 'in_progress');
      expect(await a.textContent('#close-hint')).toContain('请先添加处理记录');
      await closeWith(a, 'resolved_satisfied', '已复查');
      await a.waitForFunction(() =>
        /本轮尚未记录联系/.test(document.getElementById('case-message')?.textContent ?? ''),
      );
      expect(await a.textContent('#case-facts')).toContain('处理中');
      await note(a, '二次上门，线路已更换');
      await closeWith(a, 'resolved_satisfied', '客户确认恢复正常');
      await caseLoaded(a, 'pending_review');

      await m.reload();
      await caseLoaded(m, 'pending_review');
      await m.fill('#review-note', '处理到位，同意结案');
      await m.click('#review-approve');
      await caseLoaded(m, 'closed');
      expect(await m.textContent('#case-message')).toBe('已批准结案。');
      expect(await m.textContent('#case-history')).toContain('审核退回');
      expect(await m.textContent('#case-history')).toContain('审核通过，结案');
      expect(agent.errors).toEqual([]);
      expect(manager.errors).toEqual([]);
    } finally {
      await agent.context.close();
      await manager.context.close();
    }
  });

  it("an admin names no team and sees every team's cases, T2's among them", async () => {
    const t2 = await sys.call('GET', '/v1/callbacks?team=T2', undefined, auth(sys.adminToken));
    const elsewhere = (t2.body.items as Array<{ caseId: string }>)[0]?.caseId;
    expect(elsewhere).toBeDefined();
    const every = await sys.call('GET', '/v1/callbacks?limit=100', undefined, auth(sys.adminToken));
    expect(every.status).toBe(200);
    const toWork = (every.body.items as Array<{ caseId: string; status: string }>)
      .filter((c) => c.status !== 'closed')
      .map((c) => c.caseId);
    const { context, page, errors } = await open({ role: 'admin', sub: 'admin-wb', teams: [] });
    try {
      await queueLoaded(page);
      const shown = await queueIds(page);
      expect(shown).toContain(elsewhere);
      expect(shown).toContain(caseOf.first);
      expect([...shown].sort()).toEqual([...toWork].sort());
      await page.screenshot({ path: `${shots}workbench-admin-1280.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the queue as Excel (keyboard): a download holding the same cases and numbers as the JSON', async () => {
    const path = '/v1/callbacks?status=overdue,escalated,open,in_progress,pending_review&limit=100&team=T1';
    const json = await sys.call('GET', path, undefined, auth(sys.adminToken));
    expect(json.status).toBe(200);
    const items = json.body.items as Array<{ caseId: string; rating?: number; engineerId: string }>;
    expect(items.length).toBeGreaterThan(0);
    const { context, page, errors } = await open({ role: 'admin', sub: 'admin-xlsx', teams: [] });
    try {
      await queueLoaded(page);
      await page.fill('#f-team', 'T1');
      await page.press('#f-team', 'Enter');
      await queueLoaded(page);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.focus('#export-queue').then(() => page.keyboard.press('Enter')),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(await download.path());
      const ws = wb.worksheets[0];
      if (!ws) throw new Error('no sheet');
      expect(ws.name).toBe('回访记录');
      const head = (ws.getRow(1).values as unknown[]).slice(1).map(String);
      const rows: Record<string, unknown>[] = [];
      for (let r = 2; r <= ws.rowCount; r++) {
        rows.push(Object.fromEntries(head.map((h, i) => [h, ws.getRow(r).getCell(i + 1).value])));
      }
      expect(rows).toHaveLength(items.length);
      expect(rows.map((r) => r.回访编号).sort()).toEqual(items.map((c) => c.caseId).sort());
      expect([...(await queueIds(page))].sort()).toEqual(items.map((c) => c.caseId).sort());
      for (const c of items) {
        expect(rows.find((r) => r.回访编号 === c.caseId)?.工程师编号).toBe(c.engineerId);
      }
      expect(await page.textContent('#status')).toBe('');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('with an issuer: the sign-in comes back through the registered dashboard URL', () => {
  let issuerSys: RunningSystem;
  let provider: OidcStandIn;

  beforeAll(async () => {
    ({ sys: issuerSys, provider } = await startWithIssuer({ role: 'agent', teams: ['T1'] }));
  }, 180_000);

  afterAll(async () => {
    await issuerSys?.stop();
    await provider?.stop();
  });

  it('an agent clicks 登录 on the workbench and lands back on it, signed in', async () => {
    const { context, page, errors } = await open(undefined, issuerSys);
    try {
      const res = await fetch(`${issuerSys.url}/workbench`);
      expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.url};`);
      expect(await page.textContent('#signin-start')).toBe('登录');
      await page.click('#signin-start');
      await queueLoaded(page);
      expect(page.url()).toBe(`${issuerSys.url}/workbench`);
      expect(Object.fromEntries(provider.authorizeRequests[0] ?? [])).toMatchObject({
        redirect_uri: `${issuerSys.url}/dashboard`,
      });
      expect(await page.textContent('#who')).toContain('回访专员');
      expect(await page.textContent('#queue')).toContain('目前没有符合条件的待办案件');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
