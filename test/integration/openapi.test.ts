import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { callbacks as callbacksOn } from '#functions/callbacks/handler';
import { openapi } from '#functions/openapi/handler';
import { reports as reportsOn } from '#functions/reports/handler';
import { ticketCompleted as ticketCompletedOn } from '#functions/ticket-completed/handler';
import { ticketReopened as ticketReopenedOn } from '#functions/ticket-reopened/handler';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { buildOpenApi, operations } from '#shared/http/openapi';
import { routes } from '#shared/http/routes';
import {
  callbackCaseSchema,
  callbackPageSchema,
  engineerDetailSchema,
  engineerReportSchema,
  engineerRowSchema,
  problemSchema,
  regionReportSchema,
  teamReportSchema,
  ticketAcceptedSchema,
  ticketReopenedResultSchema,
} from '#shared/http/schemas/responses';
import * as z from '#shared/runtime/zod';
import { httpEvent, postSigned, scopeClaim } from '../helpers/apigw.ts';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound, ticketBody } from '../helpers/fixtures.ts';

const deps = testDeps();
const callbacks = callbacksOn(deps);
const reports = reportsOn(deps);
const ticketCompleted = ticketCompletedOn(deps);
const ticketReopened = ticketReopenedOn(deps);

const secret = process.env.WEBHOOK_SECRET as string;
const admin = { sub: 'admin-1', role: 'admin' };
const agent = { sub: 'agent-1', role: 'agent', teams: scopeClaim('T-api') };

const signed = (fn: Parameters<typeof postSigned>[0], path: string, body: unknown) =>
  postSigned(fn, secret, path, body);
async function get(
  fn: typeof reports,
  path: string,
  claims: Record<string, string>,
  query?: Record<string, string>,
  routeKey?: string,
  pathParameters?: Record<string, string>,
) {
  const event = httpEvent({ method: 'GET', path, claims, ...(query ? { query } : {}) });
  const e = { ...event, routeKey: routeKey ?? `GET ${path}`, ...(pathParameters ? { pathParameters } : {}) };
  const res = await fn(e);
  return { status: res.statusCode, body: JSON.parse(res.body as string) };
}

describe('the OpenAPI document', () => {
  it('is the one generated from the zod schemas (run `npm run openapi` after changing them)', () => {
    const checkedIn = JSON.parse(
      readFileSync(new URL('../../shared/http/openapi.json', import.meta.url), 'utf8'),
    );
    expect(checkedIn).toEqual(buildOpenApi());
  });

  it('describes every route, and nothing else', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(Object.keys(operations).sort()).toEqual(keys);
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { security?: unknown }>> };
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(Boolean(op?.security), `${r.method} ${r.path} security`).toBe(r.auth);
    }
  });

  it('is served at /openapi.json', async () => {
    const res = await openapi();
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toEqual(buildOpenApi());
  });

  it("matches the handlers' real answers", async () => {
    pinClock(new Date('2026-11-20T02:00:00Z'));
    const eng = { id: 'E-api', name: '钱师傅', team: 'T-api', region: 'R-api' };
    const created = await signed(
      ticketCompleted,
      '/v1/tickets/completed',
      ticketBody({ ticketId: 'API-1', engineer: eng, customer: { phone: '13500001234' } }),
    );
    expect(created.status).toBe(202);
    expect(ticketAcceptedSchema.parse(created.body)).toBeTruthy();
    const other = await signed(
      ticketCompleted,
      '/v1/tickets/completed',
      ticketBody({ ticketId: 'API-2', engineer: eng, customer: { phone: '13500005678' } }),
    );
    const bad = await signed(ticketCompleted, '/v1/tickets/completed', { ticketId: '' });
    expect(bad.status).toBe(400);
    expect(problemSchema.parse(bad.body).errors?.length).toBeGreaterThan(0);

    pinClock(new Date('2026-11-20T03:00:00Z'));
    await runDueWork(deps);
    await handleInboundSms(deps, inbound('+8613500001234', '3'));
    await handleInboundSms(deps, inbound('+8613500001234', '1 2 态度差'));
    const reopened = await signed(ticketReopened, '/v1/tickets/reopened', {
      source: 'ossA',
      ticketId: 'API-2',
      reopenedAt: '2026-11-20T10:30:00+08:00',
    });
    expect(reopened.status).toBe(200);
    expect(ticketReopenedResultSchema.parse(reopened.body).surveyId).toBe(other.body.surveyId);

    const period = { period: '2026-11' };
    const engineers = await get(reports, '/v1/reports/engineers', admin, period);
    expect(z.catchall(engineerReportSchema, z.never()).parse(engineers.body).engineers).toHaveLength(1);
    for (const row of engineers.body.engineers) z.catchall(engineerRowSchema, z.never()).parse(row); // no undocumented field
    expect(
      teamReportSchema.parse((await get(reports, '/v1/reports/teams', admin, period)).body).teams,
    ).toHaveLength(1);
    expect(
      regionReportSchema.parse((await get(reports, '/v1/reports/regions', admin, period)).body).regions,
    ).toHaveLength(1);
    const detail = await get(
      reports,
      '/v1/reports/engineers/E-api',
      admin,
      { from: '2026-11-01', to: '2026-11-30' },
      'GET /v1/reports/engineers/{engineerId}',
      { engineerId: 'E-api' },
    );
    expect(engineerDetailSchema.parse(detail.body).comments.items).toHaveLength(1);

    const list = await get(callbacks, '/v1/callbacks', agent, undefined, 'GET /v1/callbacks');
    const page = callbackPageSchema.parse(list.body);
    expect(page.items).toHaveLength(1);
    const id = page.items[0]?.caseId as string;
    const one = await get(callbacks, `/v1/callbacks/${id}`, agent, undefined, 'GET /v1/callbacks/{id}', {
      id,
    });
    expect(callbackCaseSchema.parse(one.body).phone).toBe('+8613500001234');
  });
});
