import ExcelJSModule from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCallbacksToEnd } from '#shared/app/callbacks/export';
import { listCallbacks } from '#shared/app/callbacks/list';
import type { Principal } from '#shared/http/auth';
import { XLSX_CONTENT_TYPE } from '#shared/http/negotiate';
import { putCase } from '#shared/store/callback';
import { transact } from '#shared/store/tx';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { testDeps } from '../helpers/deps.ts';

/**
 * The case list as one download (GET /v1/callbacks?all=true&format=xlsx): every case the filters
 * select, the list's cursor followed to the end (shared/app/callbacks/export.ts), cut at its bounds
 * with the cursor kept where it stopped; JSON refuses `all`.
 */
const ExcelJS = ExcelJSModule as unknown as typeof import('exceljs');
const deps = testDeps();
const callbacks = callbacksOn(deps);

const TEAM = 'EXPORT-T';
const CASES = 7;
const DAY0 = Date.UTC(2026, 10, 21, 0, 0);
const agent: Principal = { subject: 'ag-x', role: 'agent', teams: [TEAM], regions: [] };
const query = { statuses: ['open' as const], team: TEAM, limit: 2 };
const seeded: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < CASES; i++) {
    const caseId = `EXP-${String(i).padStart(3, '0')}`;
    const at = new Date(DAY0 + i * 60_000);
    await transact(
      putCase(
        {
          caseId,
          surveyId: '',
          source: 'ossA',
          ticketId: `TK-${caseId}`,
          kind: 'repair',
          engineerId: 'E-exp',
          engineerName: '李师傅',
          team: TEAM,
          region: 'EXPORT-R',
          day: '2026-11-21',
          phone: '+8613912345678',
          rating: 3,
        },
        at,
        new Date(at.getTime() + 24 * 3_600_000),
      ),
    );
    seeded.push(caseId);
  }
}, 60_000);

const ids = (items: Array<{ caseId: string }>) => items.map((c) => c.caseId);

describe('the case list to its end, for a download', () => {
  it('follows the cursor through every page: every case once, newest first, no cursor left', async () => {
    const all = await listCallbacksToEnd(agent, query);
    expect(ids(all.items)).toEqual([...seeded].reverse());
    expect(all.cursor).toBeUndefined();
    // One page alone holds only `limit` (what the export held before).
    expect((await listCallbacks(agent, query)).items).toHaveLength(2);
  });

  it('stops at the case cap or the page cap, keeping the cursor where it stopped', async () => {
    const small = { maxCases: 3, maxPages: 10, maxMs: 60_000, pageSize: 2 };
    const capped = await listCallbacksToEnd(agent, query, small);
    expect(ids(capped.items)).toEqual([...seeded].reverse().slice(0, 3));
    expect(capped.cursor).toEqual(expect.any(String));
    expect(capped.cut).toBe('cases');
    // The rest continues from that cursor: nothing skipped, nothing twice.
    const rest = await listCallbacksToEnd(agent, {
      ...query,
      ...(capped.cursor ? { cursor: capped.cursor } : {}),
    });
    expect([...ids(capped.items), ...ids(rest.items)]).toEqual([...seeded].reverse());

    const pages = await listCallbacksToEnd(agent, query, { ...small, maxCases: 100, maxPages: 2 });
    expect(pages.items).toHaveLength(4);
    expect(pages.cursor).toEqual(expect.any(String));
    expect(pages.cut).toBe('pages');
  });

  it('stops reading when its time is up (a clock moving 10 s a page), keeping the cursor', async () => {
    let t = 0;
    const clock = () => {
      t += 10_000;
      return t;
    };
    const bounds = { maxCases: 100, maxPages: 60, maxMs: 15_000, pageSize: 2 };
    const timed = await listCallbacksToEnd(agent, query, bounds, clock);
    expect(timed.cut).toBe('time');
    expect(timed.items).toHaveLength(4);
    expect(timed.cursor).toEqual(expect.any(String));
  });

  it('reads full pages whatever limit the query asked for', async () => {
    const all = await listCallbacksToEnd(
      agent,
      { ...query, limit: 1 },
      { maxCases: 100, maxPages: 1, maxMs: 60_000 },
    );
    expect(all.items).toHaveLength(CASES);
    expect(all.cut).toBeUndefined();
  });

  it('GET /v1/callbacks?all=true as .xlsx holds every case (no x-next-cursor); JSON refuses all', async () => {
    const claims = { sub: 'ag-x', role: 'agent', teams: scopeClaim(TEAM) };
    const get = (q: Record<string, string>) => {
      const event = httpEvent({ method: 'GET', path: '/v1/callbacks', claims, query: q });
      return callbacks(event);
    };
    const res = await get({ team: TEAM, status: 'open', limit: '2', all: 'true', format: 'xlsx' });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe(XLSX_CONTENT_TYPE);
    expect(res.headers?.['x-next-cursor']).toBeUndefined();
    expect(res.headers?.['x-export-cut']).toBeUndefined();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(String(res.body), 'base64') as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no sheet');
    const rows: unknown[] = [];
    for (let r = 2; r <= ws.rowCount; r++) rows.push(ws.getRow(r).getCell(1).value);
    expect(rows).toEqual([...seeded].reverse());

    const page = await get({ team: TEAM, status: 'open', limit: '2', format: 'xlsx' });
    expect(page.headers?.['x-next-cursor']).toEqual(expect.any(String));

    const json = await get({ team: TEAM, status: 'open', all: 'true' });
    expect(json.statusCode).toBe(400);
    expect(String(json.body)).toContain('all');
  });
});
