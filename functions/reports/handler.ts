import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { engineerDetail } from '#shared/app/reports/engineer-detail';
import { engineerReport } from '#shared/app/reports/engineer-report';
import {
  engineerCommentsTable,
  engineersTable,
  engineerTrendTable,
  regionsTable,
  teamsTable,
} from '#shared/app/reports/report-csv';
import { regionReport, teamReport } from '#shared/app/reports/rollups';
import { NotFoundError, ValidationError } from '#shared/domain/errors';
import { type Period, parsePeriod, rangePeriod } from '#shared/domain/time';
import { principalFromEvent } from '#shared/http/auth';
import { download } from '#shared/http/download';
import { httpFunction, json, parseWith } from '#shared/http/http';
import { responseFormat } from '#shared/http/negotiate';
import { reportDetailQuery as detailQuery, reportQuery as query } from '#shared/http/schemas/reports';
import { idField } from '#shared/http/schemas/ticket-completed';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';
import * as z from '#shared/runtime/zod';

const PERIOD_HELP =
  'a month 2026-11, an ISO week 2026-W47, a day 2026-11-21, or from=2026-11-01&to=2026-11-15';

function periodOf(deps: Deps, q: z.infer<ReturnType<typeof query>>): Period {
  const tz = deps.rules.timeZone;
  if (q.period !== undefined) return parsePeriod(q.period, tz);
  if (q.from !== undefined || q.to !== undefined) {
    if (!q.from) throw new ValidationError([{ field: 'from', message: `required with to: ${PERIOD_HELP}` }]);
    if (!q.to) throw new ValidationError([{ field: 'to', message: `required with from: ${PERIOD_HELP}` }]);
    return rangePeriod(q.from, q.to, tz);
  }
  throw new ValidationError([{ field: 'period', message: `required: ${PERIOD_HELP}` }]);
}

/**
 * GET /v1/reports/engineers, /teams, /regions (?period= or from=&to=) and
 * /engineers/{engineerId} (plus granularity, limit, cursor): JSON, or CSV / Excel (.xlsx) as
 * ?format=csv|xlsx or the Accept header asks (shared/http/negotiate.ts; headers=en for English
 * column keys). Access by role is enforced in the use cases.
 */
export function reports(deps: Deps) {
  return httpFunction(async (event) => {
    const principal = principalFromEvent(event, deps.config.authClaims);
    const params = event.queryStringParameters ?? {};
    switch (event.routeKey) {
      case 'GET /v1/reports/engineers': {
        const q = parseWith(query(), params);
        const report = await engineerReport(deps, principal, periodOf(deps, q));
        const format = responseFormat(event, q.format);
        if (format === 'json') return json(200, report);
        return download(format, engineersTable(report, q.headers), q.headers, {
          ascii: `engineers-${report.period.id}`,
          display: `工程师排名-${report.period.id}`,
        });
      }
      case 'GET /v1/reports/teams': {
        const q = parseWith(query(), params);
        const report = await teamReport(deps, principal, periodOf(deps, q));
        const format = responseFormat(event, q.format);
        if (format === 'json') return json(200, report);
        return download(format, teamsTable(report, q.headers), q.headers, {
          ascii: `teams-${report.period.id}`,
          display: `班组汇总-${report.period.id}`,
        });
      }
      case 'GET /v1/reports/regions': {
        const q = parseWith(query(), params);
        const report = await regionReport(deps, principal, periodOf(deps, q));
        const format = responseFormat(event, q.format);
        if (format === 'json') return json(200, report);
        return download(format, regionsTable(report, q.headers), q.headers, {
          ascii: `regions-${report.period.id}`,
          display: `区域汇总-${report.period.id}`,
        });
      }
      case 'GET /v1/reports/engineers/{engineerId}': {
        const { engineerId } = parseWith(z.object({ engineerId: idField() }), event.pathParameters ?? {});
        const q = parseWith(detailQuery(), params);
        const detail = await engineerDetail(deps, principal, engineerId, periodOf(deps, q), {
          granularity: q.granularity,
          limit: q.limit,
          cursor: q.cursor,
        });
        const format = responseFormat(event, q.format);
        if (format === 'json') return json(200, detail);
        const name = `engineer-${engineerId}-${detail.period.id}`;
        const display = `工程师-${engineerId}-${detail.period.id}`;
        if (q.section === 'comments') {
          const next = detail.comments.nextCursor;
          return download(
            format,
            engineerCommentsTable(detail, q.headers),
            q.headers,
            { ascii: `${name}-comments`, display: `${display}-不满意评价` },
            next ? { 'x-next-cursor': next } : {},
          );
        }
        return download(format, engineerTrendTable(detail, q.headers), q.headers, { ascii: name, display });
      }
      default:
        throw new NotFoundError(`no report at ${event.routeKey}`);
    }
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(reports(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
