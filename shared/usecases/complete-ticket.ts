import { now } from '#shared/clock';
import { config } from '#shared/config';
import { dueKeys } from '#shared/db/due';
import { TxConditionFailed, transact } from '#shared/db/tx';
import { addToAggregate, type Counts, type EngineerRef } from '#shared/entities/aggregate';
import { getPhoneState, type PhoneState } from '#shared/entities/phone-state';
import {
  putSurvey,
  type SuppressionReason,
  type SurveyItem,
  suppressedDelta,
  surveyKey,
} from '#shared/entities/survey';
import { getTicket, putCompletion, type TicketItem, type TicketResponse } from '#shared/entities/ticket';
import { replyOnClose } from '#shared/entities/work-order-reply';
import { newId } from '#shared/ids';
import { logger } from '#shared/log';
import { normalizeCnMobile } from '#shared/phone';
import { customerKeys, retentionTtl } from '#shared/retention';
import type { Rules } from '#shared/rules';
import type { TicketCompleted } from '#shared/schemas/ticket-completed';
import { localDay, nextAllowedTime } from '#shared/time';
import { type Timeliness, timeliness } from '#shared/timeliness';

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

/** The aggregate delta of one completion: the count and its timeliness figures. */
export function completionDelta(tl: Timeliness): Partial<Counts> {
  const tri = (v: boolean | null) => ({ applicable: v === null ? 0 : 1, yes: v === true ? 1 : 0 });
  const c = tri(tl.contactOnTime);
  const r = tri(tl.repairOnTime);
  const p = tri(tl.punctual);
  return {
    completed: 1,
    contactApplicable: c.applicable,
    contactOnTime: c.yes,
    repairApplicable: r.applicable,
    repairOnTime: r.yes,
    punctualApplicable: p.applicable,
    punctual: p.yes,
  };
}

const staffPhones = new Set(
  config.rules.survey.staffPhones.map((p) => normalizeCnMobile(p)).filter((p): p is string => p !== null),
);

/** Why a survey must not go out for this ticket, if at all (domain.md section 4 and the carriers' rules). */
export function suppressionFor(
  t: TicketCompleted,
  phone: PhoneState,
  due: Date,
  rules: Rules,
): SuppressionReason | undefined {
  if (!rules.survey.kinds.includes(t.kind)) return 'kind_not_surveyed';
  if (staffPhones.has(t.customer.phone)) return 'staff_phone';
  if (phone.optedOut) return 'opted_out';
  if (recentlySurveyed(phone, due, rules)) return 'recently_surveyed';
  return undefined;
}

export function recentlySurveyed(phone: PhoneState, at: Date, rules: Rules): boolean {
  if (!phone.lastSurveyedAt) return false;
  return at.getTime() - Date.parse(phone.lastSurveyedAt) < rules.survey.fatigueHours * 3_600_000;
}

/** A reopened ticket's earlier completion delivered again: not a new completion. */
function isRepeat(existing: TicketItem, t: TicketCompleted): boolean {
  if (existing.state === 'completed') return true;
  return Date.parse(t.completedAt) <= Date.parse(existing.reopenedAt ?? existing.ticket.completedAt);
}

/**
 * A completed ticket: stored once per completion, with its timeliness, its survey scheduled
 * (or suppressed) and the engineer's figures raised, all in one transaction. A repeat of the
 * same completion changes nothing and gets the first answer back.
 */
export async function completeTicket(t: TicketCompleted): Promise<CompleteTicketResult> {
  const existing = await getTicket(t.source, t.ticketId);
  if (existing && isRepeat(existing, t)) return { created: false, response: existing.response };

  const at = now();
  const { rules } = config;
  const phone = await getPhoneState(t.customer.phone);
  const completed = new Date(t.completedAt);
  const delayMs = rules.survey.delayMinutes[t.kind] * 60_000;
  const due = nextAllowedTime(new Date(completed.getTime() + delayMs), rules.sms.quietHours, rules.timeZone);
  const reason = suppressionFor(t, phone, due < at ? at : due, rules);

  const surveyId = newId();
  const day = localDay(completed, rules.timeZone);
  const eng = engineerRef(t);
  const tl = timeliness(t, rules);
  const response: TicketResponse = reason
    ? { surveyId, status: 'suppressed', reason }
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
    status: reason ? 'suppressed' : 'scheduled',
    ...(reason
      ? { reason, closedAt: at.toISOString() }
      : { dueAt: due.toISOString(), ...dueKeys(`SURVEY#${surveyId}`, due) }),
    day,
    completedAt: completed.toISOString(),
    createdAt: at.toISOString(),
    reprompts: 0,
    timeliness: tl,
    ttl: retentionTtl(at),
    ...customerKeys(t.customer.phone, `SURVEY#${surveyId}`),
  };

  try {
    await transact([
      putCompletion(existing, t, tl, response, at.toISOString()),
      putSurvey(survey),
      addToAggregate(day, eng, { ...completionDelta(tl), ...(reason ? suppressedDelta(reason) : {}) }),
      ...(reason ? replyOnClose(survey, { status: 'suppressed', reason }, at) : []),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed && err.failed.includes(0)) {
      const winner = await getTicket(t.source, t.ticketId);
      if (winner && isRepeat(winner, t)) return { created: false, response: winner.response };
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
