import { now } from '#shared/clock';
import { config } from '#shared/config';
import { dueKeys } from '#shared/db/due';
import { TxConditionFailed, transact } from '#shared/db/tx';
import { addToAggregate, type EngineerRef } from '#shared/entities/aggregate';
import { getPhoneState } from '#shared/entities/phone-state';
import { putSurvey, type SurveyItem, surveyKey } from '#shared/entities/survey';
import { getTicket, putTicket, type TicketResponse } from '#shared/entities/ticket';
import { newId } from '#shared/ids';
import { logger } from '#shared/log';
import type { TicketCompleted } from '#shared/schemas/ticket-completed';
import { localDay, nextAllowedTime } from '#shared/time';

export interface CompleteTicketResult {
  created: boolean;
  response: TicketResponse;
}

export function engineerRef(t: TicketCompleted): EngineerRef {
  return {
    engineerId: t.engineer.id,
    engineerName: t.engineer.name,
    team: t.engineer.team,
    region: t.engineer.region,
  };
}

/**
 * A completed ticket: stored once per source + ticketId, with its survey scheduled (or suppressed)
 * and the engineer's `completed` count raised, all in one transaction. A repeat of the same
 * ticket changes nothing and gets the first answer back.
 */
export async function completeTicket(t: TicketCompleted): Promise<CompleteTicketResult> {
  const existing = await getTicket(t.source, t.ticketId);
  if (existing) return { created: false, response: existing.response };

  const at = now();
  const { rules } = config;
  const phone = await getPhoneState(t.customer.phone);
  const suppressedReason = phone.optedOut ? 'opted_out' : undefined;

  const surveyId = newId();
  const completed = new Date(t.completedAt);
  const day = localDay(completed, rules.timeZone);
  const delayMs = rules.survey.delayMinutes[t.kind] * 60_000;
  const due = nextAllowedTime(new Date(completed.getTime() + delayMs), rules.sms.quietHours, rules.timeZone);
  const eng = engineerRef(t);

  const response: TicketResponse = suppressedReason
    ? { surveyId, status: 'suppressed', reason: suppressedReason }
    : { surveyId, status: 'scheduled' };
  const survey: SurveyItem = {
    ...surveyKey(surveyId),
    type: 'survey',
    surveyId,
    source: t.source,
    ticketId: t.ticketId,
    kind: t.kind,
    segment: t.segment,
    ...eng,
    phone: t.customer.phone,
    status: suppressedReason ? 'suppressed' : 'scheduled',
    ...(suppressedReason
      ? { reason: suppressedReason, closedAt: at.toISOString() }
      : { dueAt: due.toISOString() }),
    day,
    completedAt: completed.toISOString(),
    createdAt: at.toISOString(),
    reprompts: 0,
  };
  const dueIndex = suppressedReason ? {} : dueKeys(`SURVEY#${surveyId}`, due);

  try {
    await transact([
      putTicket(t, response, at.toISOString()),
      putSurvey({ ...survey, ...dueIndex }),
      addToAggregate(day, eng, { completed: 1, ...(suppressedReason ? { suppressed: 1 } : {}) }),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed && err.failed.includes(0)) {
      const first = await getTicket(t.source, t.ticketId);
      if (first) return { created: false, response: first.response };
    }
    throw err;
  }
  logger.info('ticket accepted', {
    source: t.source,
    ticketId: t.ticketId,
    surveyId,
    status: response.status,
  });
  return { created: true, response };
}
