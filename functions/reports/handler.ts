import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { principalFromEvent } from '#shared/auth';
import { config } from '#shared/config';
import { httpFunction, json, parseWith } from '#shared/http';
import { logger } from '#shared/log';
import { parsePeriod } from '#shared/time';
import { engineerReport } from '#shared/usecases/engineer-report';

const query = z.object({
  period: z.string({ message: 'required: a month 2026-11, an ISO week 2026-W47 or a day 2026-11-21' }),
});

/** GET /v1/reports/engineers?period=: per-engineer figures for a calendar period. */
export const reports = httpFunction(async (event) => {
  const principal = principalFromEvent(event);
  const q = parseWith(query, event.queryStringParameters ?? {});
  const period = parsePeriod(q.period, config.rules.timeZone);
  return json(200, await engineerReport(principal, period));
});

export const handler = middy(reports).use(injectLambdaContext(logger));
