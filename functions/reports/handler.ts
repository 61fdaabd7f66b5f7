import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { principalFromEvent } from '#shared/auth';
import { config } from '#shared/config';
import { ValidationError } from '#shared/errors';
import { httpFunction, json, parseWith } from '#shared/http';
import { logger } from '#shared/log';
import { parsePeriod, rangePeriod } from '#shared/time';
import { engineerReport } from '#shared/usecases/engineer-report';

const query = z.object({
  period: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});

const PERIOD_HELP =
  'a month 2026-11, an ISO week 2026-W47, a day 2026-11-21, or from=2026-11-01&to=2026-11-15';

/** GET /v1/reports/engineers?period= (or from=&to=): per-engineer figures for a calendar period. */
export const reports = httpFunction(async (event) => {
  const principal = principalFromEvent(event);
  const q = parseWith(query, event.queryStringParameters ?? {});
  const tz = config.rules.timeZone;
  let period: ReturnType<typeof parsePeriod>;
  if (q.period !== undefined) period = parsePeriod(q.period, tz);
  else if (q.from !== undefined || q.to !== undefined) {
    if (!q.from) throw new ValidationError([{ field: 'from', message: `required with to: ${PERIOD_HELP}` }]);
    if (!q.to) throw new ValidationError([{ field: 'to', message: `required with from: ${PERIOD_HELP}` }]);
    period = rangePeriod(q.from, q.to, tz);
  } else throw new ValidationError([{ field: 'period', message: `required: ${PERIOD_HELP}` }]);
  return json(200, await engineerReport(principal, period));
});

export const handler = middy(reports).use(injectLambdaContext(logger));
