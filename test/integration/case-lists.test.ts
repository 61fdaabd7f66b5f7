// Over 350 lines on purpose: the case lists of every role, their filters and paging, the old items' backfill
// and the every-role-with-only-a-period matrix share one table and one set of seeded cases.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { UNATTRIBUTED } from '#shared/domain/complaints';
import type { CaseKind } from '#shared/domain/types';
import { allShardOf } from '#shared/store/all-shards';
import { type CallbackCase, callbackKey, listPosition, putCase } from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { customerTextKey, putCustomerText, textIdFor } from '#shared/store/customer-text';
import { transact } from '#shared/store/tx';
import { callbacks as callbacksOn } from '../../functions/callbacks/handler.ts';
import { reports as reportsOn } from '../../functions/reports/handler.ts';
import { backfillLists } from '../../infra/ops/backfill-lists.ts';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { allItems } from '../helpers/db.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound } from '../helpers/fixtures.ts';
import { phoneSource, surveyedTicket } from '../helpers/surveyed.ts';

/**
 * GET /v1/callbacks without team or region (issue 13): an admin lists every case (gsi4, sharded,
 * `_unattributed` ones included), a manager or agent every team and region of the token, newest
 * first, paged by an opaque cursor without gaps or repeats; kind and engineerId filter with full
 * pages, bounded reads; a status change moves a case; items written before gsi4 are listed once
 * backfilled (infra/ops/backfill-lists.ts) or changed. And every list and report answers every
 * role with only a period.
 */

const deps = testDeps();
const callbacks = callbacksOn(deps);
const reports = reportsOn(deps);

const ALL_STATUSES = 'open,overdue,in_progress,pending_review,escalated,closed';
const DAY0 = Date.UTC(2026, 10, 20, 0, 0);

type Claims = Record<string, string>;
const admin: Claims = { sub: 'admin-1', role: 'admin' };
const manager = (...teams: string[]): Claims => ({
  sub: 'mgr-1',
  role: 'manager',
  teams: scopeClaim(...teams),
});
const agent = (...regions: string[]): Claims => ({
  sub: 'agent-1',
  role: 'agent',
  regions: scopeClaim(...regions),
});

async function call(
  fn: typeof callbacks,
  claims: Claims,
  method: 'GET' | 'POST',
  route: string,
  opts: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {},
) {
  const rawPath = Object.entries(opts.params ?? {}).reduce((p, [k, v]) => p.replace(`{${k}}`, v), route);
  const res = await fn({
    ...httpEvent({
      method,
      path: route,
      claims,
      ...(opts.query ? { query: opts.query } : {}),
      ...(opts.body !== undefined
        ? { body: JSON.stringify(opts.body), headers: { 'content-type': 'application/json' } }
        : {}),
    }),
    rawPath,
    ...(opts.params ? { pathParameters: opts.params } : {}),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body as string) : undefined };
}

const list = (claims: Claims, query: Record<string, string> = {}) =>
  call(callbacks, claims, 'GET', '/v1/callbacks', { query });
const ids = (page: { body: { items: { caseId: string }[] } }) => page.body.items.map((i) => i.caseId);

/** Every page of a list, following the cursor (at most `maxPages`), with each page's size. */
async function allPages(claims: Claims, query: Record<string, string>, maxPages = 100) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await list(claims, { ...query, ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    seen.push(...ids(page));
    sizes.push(page.body.items.length);
    cursor = page.body.cursor;
    if (!cursor) return { seen, sizes };
  }
  throw new Error(`more than ${maxPages} pages`);
}

let seq = 0;
/** A case opened `minute` minutes after 2026-11-20 00:00Z, through the store's own writer (putCase). */
async function seed(o: {
  team: string;
  region: string;
  minute: number;
  kind?: CaseKind;
  engineerId?: string;
  id?: string;
}): Promise<string> {
  seq++;
  const caseId = o.id ?? `CASE-${String(seq).padStart(4, '0')}`;
  const at = new Date(DAY0 + o.minute * 60_000);
  await transact(newCase(caseId, o, at));
  return caseId;
}

function newCase(
  caseId: string,
  o: { team: string; region: string; kind?: CaseKind; engineerId?: string },
  at: Date,
) {
  return putCase(
    {
      caseId,
      surveyId: '',
      source: 'ossA',
      ticketId: `TK-${caseId}`,
      kind: 'repair',
      engineerId: o.team === UNATTRIBUTED ? '' : (o.engineerId ?? `E-${o.team}`),
      engineerName: '李师傅',
      team: o.team,
      region: o.region,
      day: '2026-11-20',
      phone: '+8613912345678',
      ...(o.kind === 'complaint' ? { caseKind: 'complaint' as const } : { rating: 3 as const }),
    },
    at,
    new Date(at.getTime() + 24 * 3_600_000),
  );
}

/** What the table holds: every case in `statuses`, newest first (test-only Scan, the expected answer). */
async function expected(statuses: string, where: (c: CallbackCase) => boolean = () => true) {
  const wanted = statuses.split(',');
  const cases = (await allItems()).filter((i) => i.type === 'callback') as unknown as CallbackCase[];
  return cases
    .filter((c) => wanted.includes(c.status) && where(c))
    .sort((a, b) => (listPosition(a) < listPosition(b) ? 1 : -1))
    .map((c) => c.caseId);
}

const close = (claims: Claims, id: string) =>
  call(callbacks, claims, 'POST', '/v1/callbacks/{id}/close', {
    params: { id },
    body: { outcome: 'resolved_satisfied', note: '已解决' },
  });

beforeEach(() => pinClock(new Date('2026-11-20T20:00:00Z')));

describe('lists without team or region', () => {
  const seeded: Record<string, string> = {};

  it('an admin sees every case of every team, region and none, newest first, paged without gaps or repeats', async () => {
    // three teams over two regions, complaints among them, two unattributed, two opened at the same minute
    const plan: [string, string, string, number, CaseKind?][] = [
      ['a1', 'T-A', 'R-1', 10],
      ['a2', 'T-A', 'R-1', 20, 'complaint'],
      ['a3', 'T-A', 'R-2', 30],
      ['b1', 'T-B', 'R-1', 40],
      ['b2', 'T-B', 'R-2', 50, 'complaint'],
      ['b3', 'T-B', 'R-2', 50],
      ['c1', 'T-C', 'R-2', 60],
      ['c2', 'T-C', 'R-3', 70],
      ['c3', 'T-C', 'R-3', 80, 'complaint'],
      ['u1', UNATTRIBUTED, UNATTRIBUTED, 90, 'complaint'],
      ['u2', UNATTRIBUTED, UNATTRIBUTED, 5, 'complaint'],
      ['a4', 'T-A', 'R-3', 100],
    ];
    for (const [name, team, region, minute, kind] of plan) {
      seeded[name] = await seed({ team, region, minute, ...(kind ? { kind } : {}) });
    }
    // the seeded cases sit in several shards of gsi4
    expect(new Set(Object.values(seeded).map(allShardOf)).size).toBeGreaterThanOrEqual(3);
    // several statuses: two closed (one a 409-free close by the agent), one overdue by a late note
    expect((await close(admin, seeded.a1 as string)).status).toBe(200);
    expect((await close(admin, seeded.c2 as string)).status).toBe(200);
    pinClock(new Date('2026-11-21T03:00:00Z')); // past c1's deadline (opened 01:00Z)
    const late = await call(callbacks, admin, 'POST', '/v1/callbacks/{id}/notes', {
      params: { id: seeded.c1 as string },
      body: { note: '已联系' },
    });
    expect(late.body.status).toBe('overdue');

    const first = await list(admin);
    expect(first.status).toBe(200);
    // default: every status but closed, newest first; the unattributed ones included
    const stillToWork = await expected('open,overdue,in_progress,pending_review,escalated');
    expect(ids(first)).toEqual(stillToWork);
    expect(ids(first)).toContain(seeded.u1);
    expect(ids(first)).not.toContain(seeded.a1);
    expect(first.body.items[0].phone).toBe('139****5678');

    // every status, two a page: exactly the table's cases in order, none twice, none skipped
    const { seen, sizes } = await allPages(admin, { status: ALL_STATUSES, limit: '2' });
    expect(seen).toEqual(await expected(ALL_STATUSES));
    expect(seen).toHaveLength(12);
    expect(sizes.slice(0, -1).every((n) => n === 2)).toBe(true);
    // the two opened at the same minute keep one order (position {openedAt}#{caseId})
    expect(seen.indexOf(seeded.b3 as string)).toBe(seen.indexOf(seeded.b2 as string) - 1);
  });

  it('a manager of two teams sees exactly those teams; an agent with a region exactly that region', async () => {
    const mine = await allPages(manager('T-A', 'T-B'), { status: ALL_STATUSES, limit: '3' });
    expect(mine.seen).toEqual(await expected(ALL_STATUSES, (c) => ['T-A', 'T-B'].includes(c.team)));
    expect(mine.seen).toHaveLength(7);
    const defaults = await list(manager('T-A', 'T-B'));
    expect(ids(defaults)).toEqual(await expected('open', (c) => ['T-A', 'T-B'].includes(c.team)));

    const region = await allPages(agent('R-2'), { status: ALL_STATUSES, limit: '2' });
    expect(region.seen).toEqual(await expected(ALL_STATUSES, (c) => c.region === 'R-2'));
    expect(region.seen).toHaveLength(4);
    // teams and regions together, each case once
    const both = await list({ ...manager('T-C'), regions: scopeClaim('R-1') }, { status: ALL_STATUSES });
    expect(ids(both)).toEqual(await expected(ALL_STATUSES, (c) => c.team === 'T-C' || c.region === 'R-1'));
    // never the unattributed ones, whatever the token names
    expect(ids(await list(manager(UNATTRIBUTED, 'T-A')))).not.toContain(seeded.u1);
  });

  it('filters kind and engineerId, pages kept full', async () => {
    const complaints = await allPages(admin, { kind: 'complaint', limit: '2' });
    expect(complaints.seen).toEqual(
      await expected('open,overdue,in_progress,pending_review,escalated', (c) => c.caseKind === 'complaint'),
    );
    expect(complaints.seen).toEqual([seeded.u1, seeded.c3, seeded.b2, seeded.a2, seeded.u2]);
    expect(complaints.sizes).toEqual([2, 2, 1]);

    const ratings = await list(admin, { kind: 'dissatisfied', status: ALL_STATUSES });
    expect(ids(ratings)).toEqual(await expected(ALL_STATUSES, (c) => c.caseKind === undefined));

    const oneEngineer = await allPages(admin, { engineerId: 'E-T-B', status: ALL_STATUSES, limit: '1' });
    expect(oneEngineer.seen).toEqual([seeded.b3, seeded.b2, seeded.b1]);
    expect(oneEngineer.sizes).toEqual([1, 1, 1]);

    // within a manager's scope, and combined
    const scoped = await list(manager('T-A'), { kind: 'complaint' });
    expect(ids(scoped)).toEqual([seeded.a2]);
    expect(ids(await list(manager('T-A'), { engineerId: 'E-T-B' }))).toEqual([]);
    const both = await list(admin, { kind: 'dissatisfied', engineerId: 'E-T-B' });
    expect(ids(both)).toEqual([seeded.b3, seeded.b1]);

    // a bad filter is a 400 naming it, nothing listed
    for (const [query, field] of [
      [{ kind: 'angry' }, 'kind'],
      [{ engineerId: 'a b' }, 'engineerId'],
    ] as const) {
      const bad = await list(admin, query);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });

  it('a status change moves the case: closed, it leaves open and joins closed', async () => {
    const id = seeded.a4 as string;
    expect(ids(await list(admin, { status: 'open' }))).toContain(id);
    expect((await close(agent('R-3'), id)).status).toBe(200);
    expect(ids(await list(admin, { status: 'open' }))).not.toContain(id);
    const closed = await list(admin, { status: 'closed' });
    expect(ids(closed)).toEqual(await expected('closed'));
    expect(ids(closed)[0]).toBe(id);
  });
});

describe('items written before the admins list existed', () => {
  /** Takes the gsi4 entry off an item, as it was written before gsi4 existed. */
  const makeOld = (key: { pk: string; sk: string }) =>
    ddb.send(new UpdateCommand({ TableName: TABLE, Key: key, UpdateExpression: 'REMOVE gsi4pk, gsi4sk' }));

  it('get their entry on their next status change, or from the backfill (npm run backfill-lists)', async () => {
    const untouched = await seed({ team: 'T-old', region: 'R-old', minute: 200 });
    const changed = await seed({ team: 'T-old', region: 'R-old', minute: 210 });
    await makeOld(callbackKey(untouched));
    await makeOld(callbackKey(changed));
    const receivedAt = '2026-11-20T04:00:00.000Z';
    const textId = textIdFor('inbound-old-1');
    await transact([
      putCustomerText({
        textId,
        inboundMessageId: 'inbound-old-1',
        receivedAt,
        phone: '+8613912345678',
        text: '请尽快处理',
        textKind: 'text',
        outcome: 'no_open_survey',
        source: 'ossA',
        ticketId: 'TK-old',
        engineerId: 'E-old',
        engineerName: '李师傅',
        team: 'T-old',
        region: 'R-old',
      }),
    ]);
    await makeOld(customerTextKey(textId));

    // still listed by team; not yet in the admins' list
    expect(ids(await list(manager('T-old')))).toEqual([changed, untouched]);
    expect(ids(await list(admin, { status: ALL_STATUSES, limit: '100' }))).not.toContain(untouched);
    const texts = (claims: Claims) =>
      call(callbacks, claims, 'GET', '/v1/messages', { query: { period: '2026-11-20' } });
    expect((await texts(admin)).body.items).toEqual([]);
    expect((await texts(manager('T-old'))).body.items).toEqual([expect.objectContaining({ textId })]);

    // a status change writes the entry itself
    expect((await close(manager('T-old'), changed)).status).toBe(200);
    expect(ids(await list(admin, { status: 'closed', limit: '100' }))).toContain(changed);

    // the backfill gives the rest theirs, once
    expect(await backfillLists({ segments: 2 })).toEqual({ cases: 1, texts: 1, skipped: 0 });
    expect(await backfillLists({ segments: 2 })).toEqual({ cases: 0, texts: 0, skipped: 0 });
    expect(ids(await list(admin, { status: 'open', limit: '100' }))).toContain(untouched);
    expect(ids(await list(admin, { status: 'open', limit: '100' }))).not.toContain(changed);
    expect((await texts(admin)).body.items).toEqual([
      expect.objectContaining({ textId, text: '请尽快处理', phone: '139****5678' }),
    ]);
  });
});

describe('every list and report answers every role with only a period', () => {
  const nextPhone = phoneSource('137', 40_000_000);
  /** A real rating of 不满意 (completion, survey, SMS answer) for engineer E-M of T-M in R-M. */
  async function rated(): Promise<string> {
    const { surveyId, phone } = await surveyedTicket(deps, nextPhone(), {
      id: 'E-M',
      name: '李师傅',
      team: 'T-M',
      region: 'R-M',
    });
    expect(await handleInboundSms(deps, inbound(phone.e164, '3'))).toBe('rated');
    return surveyId;
  }

  it('admin, manager, agent and engineer: 200 where the role may see the route, 403 where not', async () => {
    const caseId = await rated();
    const roles: Record<string, Claims> = {
      admin,
      manager: manager('T-M'),
      agent: agent('R-M'),
      engineer: { sub: 'eng-1', role: 'engineer', engineerId: 'E-M' },
    };
    const R = (route: string, fn: 'reports' | 'callbacks', params?: Record<string, string>) => ({
      route,
      fn,
      params,
    });
    const table: [ReturnType<typeof R>, Record<string, number>][] = [
      [R('/v1/reports/engineers', 'reports'), { admin: 200, manager: 200, agent: 200, engineer: 200 }],
      [
        R('/v1/reports/engineers/{engineerId}', 'reports', { engineerId: 'E-M' }),
        { admin: 200, manager: 200, agent: 200, engineer: 200 },
      ],
      [R('/v1/reports/teams', 'reports'), { admin: 200, manager: 200, agent: 200, engineer: 403 }],
      [R('/v1/reports/regions', 'reports'), { admin: 200, manager: 200, agent: 200, engineer: 403 }],
      [R('/v1/callbacks', 'callbacks'), { admin: 200, manager: 200, agent: 200, engineer: 403 }],
      [R('/v1/messages', 'callbacks'), { admin: 200, manager: 200, agent: 200, engineer: 403 }],
    ];
    const answers: Record<string, number> = {};
    const wanted: Record<string, number> = {};
    for (const [{ route, fn, params }, byRole] of table) {
      for (const [role, claims] of Object.entries(roles)) {
        const r = await call(fn === 'reports' ? reports : callbacks, claims, 'GET', route, {
          query: { period: '2026-11' },
          ...(params ? { params } : {}),
        });
        answers[`${role} ${route}`] = r.status;
        wanted[`${role} ${route}`] = byRole[role] as number;
        if (r.status === 200 && route === '/v1/callbacks') expect(ids(r)).toContain(caseId);
        if (r.status === 200 && route === '/v1/reports/engineers') {
          expect(r.body.engineers.map((e: { engineerId: string }) => e.engineerId)).toContain('E-M');
        }
      }
    }
    expect(answers).toEqual(wanted);
  });
});

describe('bounded reads', () => {
  it('a rare filter over many cases: short pages with a cursor, every match once, in order', async () => {
    // 400 cases of one engineer, 3 of another: newest, middle, oldest
    const bulk = Array.from({ length: 400 }, (_, i) =>
      newCase(`BULK-${i}`, { team: 'T-bulk', region: 'R-bulk' }, new Date(DAY0 + 2000 * 60_000 + i * 1000)),
    ).flat();
    for (let i = 0; i < bulk.length; i += 100) await transact(bulk.slice(i, i + 100));
    const rare = [
      await seed({ team: 'T-bulk', region: 'R-bulk', minute: 3000, engineerId: 'E-rare' }),
      await seed({ team: 'T-bulk', region: 'R-bulk', minute: 2003, engineerId: 'E-rare' }),
      await seed({ team: 'T-bulk', region: 'R-bulk', minute: 1999, engineerId: 'E-rare' }),
    ];
    // six listings (statuses) x 4 shards share the read budget: no one request reads all 400
    const { seen, sizes } = await allPages(
      admin,
      { engineerId: 'E-rare', status: ALL_STATUSES, limit: '5' },
      20,
    );
    expect(seen).toEqual(rare);
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.some((n) => n < 3)).toBe(true);
    // the same through the team's listing (one partition, a larger share of the budget)
    expect((await allPages(manager('T-bulk'), { engineerId: 'E-rare' }, 20)).seen).toEqual(rare);
  });
});
