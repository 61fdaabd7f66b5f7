// Over 350 lines on purpose: every report route and period kind against one seeded month.
import { beforeAll, describe, expect, it } from 'vitest';
import { reports as reportsOn } from '#functions/reports/handler';
import type { EngineerDetail } from '#shared/app/reports/engineer-detail';
import type { EngineerReport } from '#shared/app/reports/engineer-report';
import type { EngineerFigures } from '#shared/app/reports/figures';
import type { RegionReport, TeamReport } from '#shared/app/reports/rollups';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { BOM } from '#shared/http/csv';
import { httpEvent, scopeClaim } from '../helpers/apigw.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { pinClock, testDeps, ticketCompletedSchema } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const reports = reportsOn(deps);

/**
 * Team and region rollups, the engineer detail (trend, comments), CSV and access by role, on data
 * seeded through the real use cases (completion webhook -> scheduler -> SMS replies).
 *
 * Teams and regions: TA (R1): E1, E2; TB (R1): E3 until 11-05; TC (R2): E3 from 11-19, E4, E5.
 */
interface Eng {
  id: string;
  name: string;
  team: string;
  region: string;
}
const E1: Eng = { id: 'E1', name: '张伟', team: 'TA', region: 'R1' };
const E2: Eng = { id: 'E2', name: '李娜', team: 'TA', region: 'R1' };
const E3b: Eng = { id: 'E3', name: '王强', team: 'TB', region: 'R1' };
const E3c: Eng = { id: 'E3', name: '王强', team: 'TC', region: 'R2' };
const E4: Eng = { id: 'E4', name: '赵敏', team: 'TC', region: 'R2' };
const E5: Eng = { id: 'E5', name: '=SUM(1)', team: 'TC', region: 'R2' };

interface Answer {
  eng: Eng;
  /** The SMS reply, e.g. '1' or '3 太慢了'. */
  reply: string;
  /** The answer to the reasons question, if any. */
  reasons?: string;
}

let phoneSeq = 0;
const freshPhone = () => `+86139${String(10_000_000 + ++phoneSeq * 7919).slice(-8)}`;
const phonesOf = new Map<string, string[]>();

/** Completes one ticket per answer (plus unanswered ones) at 09:00 Beijing, sends at 09:31, replies. */
async function seedDay(day: string, answers: Answer[], unanswered: Eng[] = []) {
  pinClock(new Date(`${day}T01:00:00Z`));
  const planned = [
    ...answers.map((a) => ({ a, eng: a.eng })),
    ...unanswered.map((eng) => ({ a: undefined, eng })),
  ];
  const withPhones = [];
  for (const p of planned) {
    const phone = freshPhone();
    phonesOf.set(p.eng.id, [...(phonesOf.get(p.eng.id) ?? []), phone]);
    await completeAndPlan(
      deps,
      ticketCompletedSchema.parse(
        ticketBody({
          customer: { phone: phone.slice(3) },
          engineer: p.eng,
          completedAt: `${day}T09:00:00+08:00`,
        }),
      ),
    );
    withPhones.push({ ...p, phone });
  }
  pinClock(new Date(`${day}T01:31:00Z`));
  await runDueWork(deps);
  let minute = 40;
  for (const { a, phone } of withPhones) {
    if (!a) continue;
    pinClock(new Date(`${day}T01:${minute++}:00Z`));
    expect(await handleInboundSms(deps, inbound(phone, a.reply))).toBe('rated');
    if (a.reasons) expect(await handleInboundSms(deps, inbound(phone, a.reasons))).toBe('reasons');
  }
}

const r = (eng: Eng, reply: string, reasons?: string): Answer => ({ eng, reply, reasons });

beforeAll(async () => {
  await seedDay('2026-11-05', [
    r(E1, '1'),
    r(E1, '1'),
    r(E1, '1'),
    r(E2, '1'),
    r(E2, '2', '4'),
    r(E3b, '1'),
    r(E4, '1'),
    r(E4, '1'),
  ]);
  await seedDay(
    '2026-11-12',
    [r(E1, '1'), r(E1, '3', '1 5 师傅迟到了，问题也没解决'), r(E2, '1'), r(E4, '2'), r(E5, '1')],
    [E5],
  );
  await seedDay('2026-11-19', [r(E1, '3 太慢了,"差评"啊'), r(E1, '3 态度差\n=cmd|x'), r(E3c, '3')]);
  await seedDay('2026-12-03', [r(E1, '3 十二月还是不行')]);
  pinClock(new Date('2026-12-10T02:00:00Z'));
}, 120_000);

// ---------------------------------------------------------------------------------------------------

type Claims = Record<string, string>;
const ADMIN: Claims = { sub: 'admin', role: 'admin' };
const mgr = (team: string, region = ''): Claims => ({
  sub: 'm',
  role: 'manager',
  teams: scopeClaim(team),
  regions: scopeClaim(region),
});
const agent = (team: string): Claims => ({ sub: 'ag', role: 'agent', teams: scopeClaim(team) });
const engineer = (id: string): Claims => ({ sub: id, role: 'engineer', engineerId: id });

async function get(
  route: string,
  opts: { claims?: Claims; query?: Record<string, string>; engineerId?: string; accept?: string } = {},
) {
  const path = opts.engineerId ? route.replace('{engineerId}', encodeURIComponent(opts.engineerId)) : route;
  const event = httpEvent({
    method: 'GET',
    path,
    query: opts.query ?? { period: '2026-11' },
    ...(opts.claims ? { claims: opts.claims } : {}),
    ...(opts.accept ? { headers: { accept: opts.accept } } : {}),
  });
  event.routeKey = `GET ${route}`;
  event.requestContext.routeKey = `GET ${route}`;
  if (opts.engineerId) event.pathParameters = { engineerId: opts.engineerId };
  const res = await reports(event);
  const ct = String(res.headers?.['content-type'] ?? '');
  return {
    status: res.statusCode,
    headers: res.headers ?? {},
    raw: res.body ?? '',
    body: ct.includes('json') ? JSON.parse(res.body ?? 'null') : undefined,
  };
}

const engineers = async (claims: Claims, query?: Record<string, string>) =>
  (await get('/v1/reports/engineers', { claims, query })).body as EngineerReport;
const teams = async (claims: Claims, query?: Record<string, string>) =>
  (await get('/v1/reports/teams', { claims, query })).body as TeamReport;
const regions = async (claims: Claims, query?: Record<string, string>) =>
  (await get('/v1/reports/regions', { claims, query })).body as RegionReport;
const detail = async (id: string, claims: Claims, query: Record<string, string>) => {
  const res = await get('/v1/reports/engineers/{engineerId}', { claims, query, engineerId: id });
  expect(res.status).toBe(200);
  return res.body as EngineerDetail;
};

/** A minimal RFC 4180 reader. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}
/** CSV rows as objects keyed by the header line. */
const csvObjects = (text: string) => {
  const [head, ...rows] = parseCsv(text.replace(/^\ufeff/, ''));
  return rows.map((cells) => Object.fromEntries((head ?? []).map((h, i) => [h, cells[i] ?? ''])));
};

const summed = [
  'completed',
  'surveyed',
  'responses',
  'satisfied',
  'basicallySatisfied',
  'dissatisfied',
] as const;
function sumOf(rows: EngineerFigures[]) {
  const out: Record<string, unknown> = {};
  for (const k of summed) out[k] = rows.reduce((s, e) => s + e[k], 0);
  out.reasons = Object.fromEntries(
    Object.keys(rows[0]?.reasons ?? {}).map((k) => [
      k,
      rows.reduce((s, e) => s + e.reasons[k as keyof EngineerFigures['reasons']], 0),
    ]),
  );
  out.callbacks = {
    opened: rows.reduce((s, e) => s + e.callbacks.opened, 0),
    overdue: rows.reduce((s, e) => s + e.callbacks.overdue, 0),
    closed: rows.reduce((s, e) => s + e.callbacks.closed, 0),
  };
  out.funnel = {
    expired: rows.reduce((s, e) => s + e.funnel.expired, 0),
    suppressed: { total: rows.reduce((s, e) => s + e.funnel.suppressed.total, 0) },
  };
  return out;
}

// ---------------------------------------------------------------------------------------------------

describe('team and region rollups', () => {
  it('a team row is the sum of its engineers, and every team together is the whole engineer report', async () => {
    const t = await teams(ADMIN);
    expect(t.period).toEqual({
      id: '2026-11',
      from: '2026-11-01T00:00:00+08:00',
      to: '2026-12-01T00:00:00+08:00',
    });
    expect(t.teams.map((x) => x.team).sort()).toEqual(['TA', 'TB', 'TC']);
    for (const team of t.teams) {
      expect(team).toMatchObject(sumOf(team.engineers));
      expect(team.engineerCount).toBe(team.engineers.length);
      for (const e of team.engineers) expect(e.team).toBe(team.team);
    }
    const ta = t.teams.find((x) => x.team === 'TA');
    expect(ta).toMatchObject({
      regions: ['R1'],
      completed: 10,
      responses: 10,
      satisfied: 6,
      basicallySatisfied: 1,
      dissatisfied: 3,
      reasons: { late: 1, mess: 1, unsolved: 1, attitude: 0 },
      callbacks: { opened: 3 },
    });
    expect(ta?.satisfactionRate).toBeCloseTo(0.6, 10);
    expect(ta?.averagePoints).toBeCloseTo(66, 10);
    expect(ta?.score).toBeCloseTo(66, 10); // no timeliness data: weights renormalised
    expect(ta?.satisfactionRateLowerBound).toBeLessThan(0.6);
    expect(ta?.sampleSufficient).toBe(true); // 10 responses = minSample
    expect(ta?.flags).toEqual(['below_target']);

    const all = await engineers(ADMIN);
    expect(sumOf(t.teams as unknown as EngineerFigures[])).toEqual(sumOf(all.engineers));
  });

  it('ranks the engineers within each team, and the teams among themselves, by score', async () => {
    const t = await teams(ADMIN);
    const ids = (team: string) =>
      t.teams.find((x) => x.team === team)?.engineers.map((e) => [e.engineerId, e.rank]);
    expect(ids('TA')).toEqual([
      ['E2', 1], // (100 + 60 + 100) / 3
      ['E1', 2], // (4 x 100 + 2 x 0) / 6
    ]);
    expect(ids('TC')).toEqual([
      ['E5', 1], // 100
      ['E4', 2], // 86.7
      ['E3', 3], // 0: only the day E3 worked in TC counts here
    ]);
    expect(ids('TB')).toEqual([['E3', 1]]);
    const tc = t.teams.find((x) => x.team === 'TC');
    expect(tc).toMatchObject({ completed: 6, responses: 5, surveyed: 6, regions: ['R2'] });
    for (const team of t.teams) {
      const scores = team.engineers.map((e) => e.score ?? -1);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    expect(t.teams.map((x) => [x.team, x.rank])).toEqual([
      ['TA', 1], // (600 + 60) / 10 = 66, but the only sufficient sample: first
      ['TB', 2], // 100
      ['TC', 3], // (100 + 200 + 60 + 0) / 5 = 72
    ]);
  });

  it('a region row is the sum of its engineers; a moved engineer counts in each region for their days there', async () => {
    const g = await regions(ADMIN);
    expect(g.regions.map((x) => x.region).sort()).toEqual(['R1', 'R2']);
    for (const region of g.regions) expect(region).toMatchObject(sumOf(region.engineers));
    const r1 = g.regions.find((x) => x.region === 'R1');
    const r2 = g.regions.find((x) => x.region === 'R2');
    expect(r1?.teams).toEqual(['TA', 'TB']);
    expect(r2?.teams).toEqual(['TC']);
    expect(r1?.engineers.map((e) => e.engineerId).sort()).toEqual(['E1', 'E2', 'E3']);
    expect(r2?.engineers.map((e) => e.engineerId).sort()).toEqual(['E3', 'E4', 'E5']);
    expect(r1?.engineers.find((e) => e.engineerId === 'E3')).toMatchObject({ satisfied: 1, dissatisfied: 0 });
    expect(r2?.engineers.find((e) => e.engineerId === 'E3')).toMatchObject({ satisfied: 0, dissatisfied: 1 });
    expect(r1?.engineers.map((e) => e.rank)).toEqual([1, 2, 3]);
    const all = await engineers(ADMIN);
    expect(sumOf(g.regions as unknown as EngineerFigures[])).toEqual(sumOf(all.engineers));
  });

  it('carries the callback counters in every row (engineer, team, region)', async () => {
    const all = await engineers(ADMIN);
    const e1 = all.engineers.find((e) => e.engineerId === 'E1');
    expect(e1?.callbacks).toMatchObject({ opened: 3 });
    expect(e1?.callbacks.outcomes).toEqual({
      resolved_satisfied: expect.any(Number),
      resolved_unsatisfied: expect.any(Number),
      unreachable: expect.any(Number),
    });
    const g = await regions(ADMIN);
    expect(g.regions.find((x) => x.region === 'R2')?.callbacks.opened).toBe(1); // E3's 不满意 in TC
  });

  it('accepts from/to like the engineer report, and a week reads only its days', async () => {
    const t = await teams(ADMIN, { from: '2026-11-12', to: '2026-11-12' });
    expect(t.period.id).toBe('2026-11-12..2026-11-12');
    expect(t.teams.find((x) => x.team === 'TA')).toMatchObject({ responses: 3, dissatisfied: 1 });
    expect(t.teams.find((x) => x.team === 'TB')).toBeUndefined();
    const w = await regions(ADMIN, { period: '2026-W47' });
    expect(w.regions.map((x) => [x.region, x.responses])).toEqual([
      ['R1', 2],
      ['R2', 1],
    ]);
    const bad = await get('/v1/reports/teams', { claims: ADMIN, query: { from: '2026-11-01' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
  });
});

describe('one engineer over a range', () => {
  it('figures and a weekly trend for a month, each bucket clipped to the range', async () => {
    const d = await detail('E1', ADMIN, { from: '2026-11-01', to: '2026-11-30' });
    expect(d).toMatchObject({
      engineerId: 'E1',
      name: '张伟',
      team: 'TA',
      region: 'R1',
      granularity: 'week',
      completed: 7,
      responses: 7,
      satisfied: 4,
      dissatisfied: 3,
      reasons: { late: 1, unsolved: 1, attitude: 0 },
      callbacks: { opened: 3 },
    });
    expect(d.trend.map((b) => b.id)).toEqual([
      '2026-W44',
      '2026-W45',
      '2026-W46',
      '2026-W47',
      '2026-W48',
      '2026-W49',
    ]);
    expect(d.trend[0]).toMatchObject({ from: '2026-11-01T00:00:00+08:00', to: '2026-11-02T00:00:00+08:00' });
    expect(d.trend[1]).toMatchObject({
      from: '2026-11-02T00:00:00+08:00',
      to: '2026-11-09T00:00:00+08:00',
      responses: 3,
      satisfactionRate: 1,
    });
    expect(d.trend[2]).toMatchObject({
      responses: 2,
      satisfactionRate: 0.5,
      reasons: { late: 1, unsolved: 1 },
    });
    expect(d.trend[3]).toMatchObject({ responses: 2, dissatisfied: 2, satisfactionRate: 0 });
    expect(d.trend[4]).toMatchObject({ responses: 0, satisfactionRate: null, score: null });
    expect(d.trend[5]).toMatchObject({ from: '2026-11-30T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });
    const sum = d.trend.reduce((s, b) => s + b.responses, 0);
    expect(sum).toBe(d.responses);
  });

  it('a monthly trend on request, and by default for ranges longer than about three months', async () => {
    const m = await detail('E1', ADMIN, { from: '2026-11-01', to: '2026-12-31', granularity: 'month' });
    expect(m.trend.map((b) => [b.id, b.responses, b.dissatisfied])).toEqual([
      ['2026-11', 7, 3],
      ['2026-12', 1, 1],
    ]);
    expect((await detail('E1', ADMIN, { from: '2026-11-01', to: '2026-12-31' })).granularity).toBe('week');
    const long = await detail('E1', ADMIN, { from: '2026-09-01', to: '2026-12-31' });
    expect(long.granularity).toBe('month');
    expect(long.trend.map((b) => b.id)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    expect(long.responses).toBe(8);
    expect((await detail('E1', ADMIN, { period: '2026-12' })).responses).toBe(1);
  });

  it('lists the dissatisfied answers of the range newest first, paged, phones masked', async () => {
    const first = await detail('E1', ADMIN, { period: '2026-11', limit: '2' });
    expect(first.comments.items).toHaveLength(2);
    expect(first.comments.items.map((c) => c.comment)).toEqual(['态度差\n=cmd|x', '太慢了,"差评"啊']);
    expect(first.comments.nextCursor).toEqual(expect.any(String));
    const second = await detail('E1', ADMIN, {
      period: '2026-11',
      limit: '2',
      cursor: first.comments.nextCursor ?? '',
    });
    expect(second.comments.nextCursor).toBeNull();
    expect(second.comments.items).toEqual([
      expect.objectContaining({
        comment: '师傅迟到了，问题也没解决',
        reasons: ['late', 'unsolved'],
        rating: 3,
        kind: 'repair',
      }),
    ]);
    const all = [...first.comments.items, ...second.comments.items];
    const times = all.map((c) => c.answeredAt);
    expect(times).toEqual([...times].sort().reverse());
    const clear = phonesOf.get('E1') ?? [];
    for (const c of all) {
      expect(c.phone).toMatch(/^139\*{4}\d{4}$/);
      expect(clear.some((p) => p.endsWith(c.phone.slice(-4)))).toBe(true);
      expect(JSON.stringify(c)).not.toMatch(/139\d{8}/);
    }
    // The range filters on the answer time: December's answer is only in a range that holds it.
    const dec = await detail('E1', ADMIN, { period: '2026-12' });
    expect(dec.comments.items.map((c) => c.comment)).toEqual(['十二月还是不行']);
    const exact = await detail('E1', ADMIN, { period: '2026-11', limit: '3' });
    expect(exact.comments).toMatchObject({ nextCursor: null });
    expect(exact.comments.items).toHaveLength(3);
  });

  it('rejects a cursor that is not one of this range, and a bad limit or granularity', async () => {
    const q = { period: '2026-11' };
    for (const [extra, field] of [
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
      [{ cursor: Buffer.from('2026-12-03T01:40:00.000Z#x').toString('base64url') }, 'cursor'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ granularity: 'day' }, 'granularity'],
    ] as const) {
      const res = await get('/v1/reports/engineers/{engineerId}', {
        claims: ADMIN,
        engineerId: 'E1',
        query: { ...q, ...extra },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const badId = await get('/v1/reports/engineers/{engineerId}', { claims: ADMIN, engineerId: 'E 1/../x' });
    expect(badId.status).toBe(400);
  });

  it('an admin gets 404 for an engineer never seen, and empty figures for a range without data', async () => {
    const missing = await get('/v1/reports/engineers/{engineerId}', {
      claims: ADMIN,
      engineerId: 'E-nobody',
    });
    expect(missing.status).toBe(404);
    const quiet = await detail('E2', ADMIN, { period: '2026-10' });
    expect(quiet).toMatchObject({ name: '李娜', team: 'TA', responses: 0, satisfactionRate: null });
    expect(quiet.comments).toEqual({ items: [], nextCursor: null });
  });
});

describe('CSV', () => {
  it('the engineer report as CSV on Accept: text/csv: BOM, Chinese headers, percentages, defused cells', async () => {
    const res = await get('/v1/reports/engineers', { claims: ADMIN, accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="engineers-2026-11.csv"');
    expect(res.raw.startsWith(BOM)).toBe(true);
    expect(res.raw.slice(1).split('\r\n')[0]).toMatch(
      /^排名,工程师编号,姓名,班组,区域,监督得分,满意率\(%\),/,
    );
    const rows = csvObjects(res.raw);
    expect(rows).toHaveLength(5);
    const e2 = rows.find((x) => x.工程师编号 === 'E2');
    expect(e2).toMatchObject({ 姓名: '李娜', 班组: 'TA', 评价数: '3', '满意率(%)': '66.67', 样本充足: '否' });
    expect(e2?.提示).toBe('低于目标;样本不足');
    expect(rows.find((x) => x.工程师编号 === 'E5')?.姓名).toBe("'=SUM(1)");
    expect(res.raw).not.toMatch(/(^|,)=SUM/m);
    // q=0 refuses CSV: JSON it is
    const json = await get('/v1/reports/engineers', {
      claims: ADMIN,
      accept: 'text/csv;q=0, application/json',
    });
    expect(json.headers['content-type']).toMatch(/json/);
  });

  it('teams and regions as one table (the rollup, then its engineers), English keys on request', async () => {
    const res = await get('/v1/reports/teams', {
      claims: ADMIN,
      query: { period: '2026-11', format: 'csv', headers: 'en' },
    });
    expect(res.headers['content-disposition']).toBe('attachment; filename="teams-2026-11.csv"');
    expect(res.raw.slice(1).split('\r\n')[0]).toMatch(
      /^level,rank,region,team,engineerId,name,score,satisfactionRatePct,/,
    );
    const rows = csvObjects(res.raw);
    expect(rows.map((x) => [x.level, x.team, x.engineerId, x.rank])).toEqual([
      ['team', 'TA', '', '1'],
      ['engineer', 'TA', 'E2', '1'],
      ['engineer', 'TA', 'E1', '2'],
      ['team', 'TB', '', '2'],
      ['engineer', 'TB', 'E3', '1'],
      ['team', 'TC', '', '3'],
      ['engineer', 'TC', 'E5', '1'],
      ['engineer', 'TC', 'E4', '2'],
      ['engineer', 'TC', 'E3', '3'],
    ]);
    expect(rows[0]).toMatchObject({
      responses: '10',
      satisfactionRatePct: '60',
      averagePoints: '66',
      callbacksOpened: '3',
    });
    const regionsCsv = await get('/v1/reports/regions', { claims: ADMIN, accept: 'text/csv' });
    const rr = csvObjects(regionsCsv.raw);
    expect(rr.find((x) => x.区域 === 'R1' && x.层级 === '区域')).toMatchObject({
      班组: 'TA;TB',
      评价数: '11',
    });
  });

  it('the engineer detail as CSV: the range then its buckets; its comments escaped and masked', async () => {
    const q = { from: '2026-11-01', to: '2026-11-30', format: 'csv' };
    const trend = await get('/v1/reports/engineers/{engineerId}', {
      claims: ADMIN,
      engineerId: 'E1',
      query: q,
    });
    expect(trend.headers['content-disposition']).toBe(
      'attachment; filename="engineer-E1-2026-11-01..2026-11-30.csv"',
    );
    const lines = csvObjects(trend.raw);
    expect(lines.map((l) => [l.时段, l.评价数])).toEqual([
      ['2026-11-01..2026-11-30', '7'],
      ['2026-W44', '0'],
      ['2026-W45', '3'],
      ['2026-W46', '2'],
      ['2026-W47', '2'],
      ['2026-W48', '0'],
      ['2026-W49', '0'],
    ]);
    expect(lines[5]?.['满意率(%)']).toBe(''); // no data is empty, not 0

    const comments = await get('/v1/reports/engineers/{engineerId}', {
      claims: ADMIN,
      engineerId: 'E1',
      query: { ...q, section: 'comments', limit: '2' },
    });
    expect(comments.raw.startsWith(BOM)).toBe(true);
    expect(comments.raw).toContain('"太慢了,""差评""啊"');
    expect(comments.raw).toContain('"态度差\n=cmd|x"');
    expect(comments.headers['x-next-cursor']).toEqual(expect.any(String));
    const rows = csvObjects(comments.raw);
    expect(rows.map((x) => x.意见)).toEqual(['态度差\n=cmd|x', '太慢了,"差评"啊']);
    for (const x of rows) expect(x.客户号码).toMatch(/^139\*{4}\d{4}$/);
    expect(comments.raw).not.toMatch(/139\d{8}/);
  });
});

describe('access by role', () => {
  const forbidden = { type: 'about:blank', title: 'Forbidden', status: 403 };
  const routes = [
    '/v1/reports/engineers',
    '/v1/reports/teams',
    '/v1/reports/regions',
    '/v1/reports/engineers/{engineerId}',
  ];

  it('every report route needs a token', async () => {
    for (const route of routes) {
      expect((await get(route, { engineerId: 'E1' })).status).toBe(401);
    }
  });

  it('admin sees everything', async () => {
    expect((await engineers(ADMIN)).engineers).toHaveLength(5);
    expect((await teams(ADMIN)).teams).toHaveLength(3);
    expect((await regions(ADMIN)).regions).toHaveLength(2);
    for (const id of ['E1', 'E2', 'E3', 'E4', 'E5'])
      expect((await detail(id, ADMIN, { period: '2026-11' })).engineerId).toBe(id);
  });

  it('a manager sees the teams and regions of their token, nothing else', async () => {
    const ta = mgr('TA');
    expect((await engineers(ta)).engineers.map((e) => e.engineerId).sort()).toEqual(['E1', 'E2']);
    expect((await teams(ta)).teams.map((x) => x.team)).toEqual(['TA']);
    const r = await regions(ta);
    expect(r.regions.map((x) => x.region)).toEqual(['R1']);
    expect(r.regions[0]?.engineers.map((e) => e.engineerId).sort()).toEqual(['E1', 'E2']); // not TB's E3
    expect((await detail('E1', ta, { period: '2026-11' })).responses).toBe(7);

    const r2 = mgr('', 'R2');
    expect((await teams(r2)).teams.map((x) => x.team)).toEqual(['TC']);
    expect((await regions(r2)).regions.map((x) => x.region)).toEqual(['R2']);
    // E3 moved into R2 on 11-19: the manager of R2 sees those days only
    const e3 = await detail('E3', r2, { period: '2026-11' });
    expect(e3).toMatchObject({ team: 'TC', responses: 1, dissatisfied: 1, satisfied: 0 });
    // ... and opens E3 (now in R2) even for a range before the move, with nothing of TB in it
    expect(await detail('E3', r2, { period: '2026-W45' })).toMatchObject({ responses: 0, team: 'TC' });
    // TB's manager keeps E3's TB days, and cannot see the TC ones
    const tb = mgr('TB');
    expect(await detail('E3', tb, { period: '2026-11' })).toMatchObject({
      team: 'TB',
      responses: 1,
      satisfied: 1,
    });
    expect((await detail('E3', tb, { period: '2026-11' })).comments.items).toEqual([]);
  });

  it('an agent sees reports like a manager of the same teams', async () => {
    const a = agent('TC');
    expect((await engineers(a)).engineers.map((e) => e.engineerId).sort()).toEqual(['E3', 'E4', 'E5']);
    expect((await teams(a)).teams.map((x) => x.team)).toEqual(['TC']);
    expect((await regions(a)).regions.map((x) => x.region)).toEqual(['R2']);
    expect((await get('/v1/reports/engineers/{engineerId}', { claims: a, engineerId: 'E1' })).status).toBe(
      403,
    );
  });

  it('an engineer sees only their own figures; rollups and others answer 403', async () => {
    const me = engineer('E1');
    expect((await engineers(me)).engineers.map((e) => e.engineerId)).toEqual(['E1']);
    expect((await get('/v1/reports/teams', { claims: me })).status).toBe(403);
    expect((await get('/v1/reports/regions', { claims: me, accept: 'text/csv' })).status).toBe(403);
    const own = await detail('E1', me, { period: '2026-11' });
    expect(own).toMatchObject({ responses: 7 });
    expect(own.comments.items[0]?.phone).toMatch(/^139\*{4}\d{4}$/);
    const other = await get('/v1/reports/engineers/{engineerId}', { claims: me, engineerId: 'E2' });
    expect(other.status).toBe(403);
    // an engineer with no data yet sees their own empty figures
    expect(await detail('E9', engineer('E9'), { period: '2026-11' })).toMatchObject({
      responses: 0,
      trend: expect.any(Array),
    });
  });

  it('403 reveals nothing: the same answer for a missing engineer and an out-of-scope one', async () => {
    const cases: Array<[Claims, string, string]> = [
      [mgr('TA'), 'E4', 'E-nobody'],
      [mgr('', 'R1'), 'E5', 'E-nobody'],
      [agent('TA'), 'E4', 'E-ghost'],
      [engineer('E1'), 'E2', 'E-nobody'],
      [mgr(''), 'E1', 'E-nobody'], // a manager with no teams and no regions
    ];
    for (const [claims, outOfScope, missing] of cases) {
      for (const query of [{ period: '2026-11' }, { period: '2026-11', format: 'csv' }] as Record<
        string,
        string
      >[]) {
        const a = await get('/v1/reports/engineers/{engineerId}', { claims, engineerId: outOfScope, query });
        const b = await get('/v1/reports/engineers/{engineerId}', { claims, engineerId: missing, query });
        expect(a.status).toBe(403);
        expect(b.status).toBe(403);
        expect(a.raw).toBe(b.raw);
        expect(a.headers).toEqual(b.headers);
        expect(JSON.parse(a.raw)).toEqual(forbidden);
      }
    }
  });

  it('a manager with no teams and no regions sees empty reports', async () => {
    const none = mgr('');
    expect((await engineers(none)).engineers).toEqual([]);
    expect((await teams(none)).teams).toEqual([]);
    expect((await regions(none)).regions).toEqual([]);
  });
});
