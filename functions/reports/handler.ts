import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { engineerDetail } from '#shared/app/reports/engineer-detail';
import { engineerReport } from '#shared/app/reports/engineer-report';
import {
  engineerCommentsCsv,
  engineersCsv,
  engineerTrendCsv,
  regionsCsv,
  teamsCsv,
} from '#shared/app/reports/report-csv';
import { regionReport, teamReport } from '#shared/app/reports/rollups';
import { NotFoundError, ValidationError } from '#shared/domain/errors';
import { type Period, parsePeriod, rangePeriod } from '#shared/domain/time';
import { principalFromEvent } from '#shared/http/auth';
import { csvHeaders } from '#shared/http/csv';
import { type HttpResult, header, httpFunction, json, parseWith } from '#shared/http/http';
import { reportDetailQuery as detailQuery, reportQuery as query } from '#shared/http/schemas/reports';
import { idField } from '#shared/http/schemas/ticket-completed';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

const PERIOD_HELP =
  'a month 2026-11, an ISO week 2026-W47, a day 2026-11-21, or from=2026-11-01&to=2026-11-15';

function periodOf(deps: Deps, q: z.infer<typeof query>): Period {
  const tz = deps.rules.timeZone;
  if (q.period !== undefined) return parsePeriod(q.period, tz);
  if (q.from !== undefined || q.to !== undefined) {
    if (!q.from) throw new ValidationError([{ field: 'from', message: `required with to: ${PERIOD_HELP}` }]);
    if (!q.to) throw new ValidationError([{ field: 'to', message: `required with from: ${PERIOD_HELP}` }]);
    return rangePeriod(q.from, q.to, tz);
  }
  throw new ValidationError([{ field: 'period', message: `required: ${PERIOD_HELP}` }]);
}

/** `?format=` wins; otherwise CSV when the Accept header asks for text/csv (with q > 0). */
function wantsCsv(event: APIGatewayProxyEventV2, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return (header(event, 'accept') ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'text/csv') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const csv = (body: string, fileName: string): HttpResult => ({
  statusCode: 200,
  headers: csvHeaders(fileName),
  body,
});

/**
 * GET /v1/reports/engineers, /teams, /regions (?period= or from=&to=) and
 * /engineers/{engineerId} (plus granularity, limit, cursor): JSON, or CSV on Accept: text/csv or
 * ?format=csv (headers=en for English column keys). Access by role is enforced in the use cases.
 */
export function reports(deps: Deps) {
  return httpFunction(async (event) => {
    const principal = principalFromEvent(event, deps.config.authClaims);
    const params = event.queryStringParameters ?? {};
    switch (event.routeKey) {
      case 'GET /v1/reports/engineers': {
        const q = parseWith(query, params);
        const report = await engineerReport(deps, principal, periodOf(deps, q));
        if (wantsCsv(event, q.format))
          return csv(engineersCsv(report, q.headers), `engineers-${report.period.id}.csv`);
        return json(200, report);
      }
      case 'GET /v1/reports/teams': {
        const q = parseWith(query, params);
        const report = await teamReport(deps, principal, periodOf(deps, q));
        if (wantsCsv(event, q.format))
          return csv(teamsCsv(report, q.headers), `teams-${report.period.id}.csv`);
        return json(200, report);
      }
      case 'GET /v1/reports/regions': {
        const q = parseWith(query, params);
        const report = await regionReport(deps, principal, periodOf(deps, q));
        if (wantsCsv(event, q.format))
          return csv(regionsCsv(report, q.headers), `regions-${report.period.id}.csv`);
        return json(200, report);
      }
      case 'GET /v1/reports/engineers/{engineerId}': {
        const { engineerId } = parseWith(z.object({ engineerId: idField }), event.pathParameters ?? {});
        const q = parseWith(detailQuery, params);
        const detail = await engineerDetail(deps, principal, engineerId, periodOf(deps, q), {
          granularity: q.granularity,
          limit: q.limit,
          cursor: q.cursor,
        });
        if (!wantsCsv(event, q.format)) return json(200, detail);
        const name = `engineer-${engineerId}-${detail.period.id}`;
        if (q.section === 'comments') {
          const res = csv(engineerCommentsCsv(detail, q.headers), `${name}-comments.csv`);
          const next = detail.comments.nextCursor;
          return next ? { ...res, headers: { ...res.headers, 'x-next-cursor': next } } : res;
        }
        return csv(engineerTrendCsv(detail, q.headers), `${name}.csv`);
      }
      default:
        throw new NotFoundError(`no report at ${event.routeKey}`);
    }
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(reports(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
