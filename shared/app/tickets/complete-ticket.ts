import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, type FieldIssue, ValidationError } from '#shared/app/errors';
import { config } from '#shared/config/config';
import { normalizeCnMobile } from '#shared/domain/phone';
import type { Rules } from '#shared/domain/rules';
import { localDay, nextAllowedTime } from '#shared/domain/time';
import { type Timeliness, timeliness } from '#shared/domain/timeliness';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { now } from '#shared/runtime/clock';
import { newId } from '#shared/runtime/ids';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates, type Counts, type EngineerRef } from '#shared/store/aggregate';
import { ddb } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { getPhoneState, type PhoneState } from '#shared/store/phone-state';
import { customerKeys, retentionTtl } from '#shared/store/retention';
import {
  putSurvey,
  type SuppressionReason,
  type SurveyItem,
  suppressedDelta,
  surveyKey,
} from '#shared/store/survey';
import {
  acceptCompletion,
  countedFields,
  countedOf,
  getTicket,
  markPlanned,
  type TicketItem,
  type TicketResponse,
} from '#shared/store/ticket';
import { TxConditionFailed, transact } from '#shared/store/tx';
import { replyOnClose } from '#shared/store/work-order-reply';

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
  const fixed = staticSuppression(t, rules);
  if (fixed) return fixed;
  if (phone.optedOut) return 'opted_out';
  if (recentlySurveyed(phone, due, rules)) return 'recently_surveyed';
  return undefined;
}

export function recentlySurveyed(phone: PhoneState, at: Date, rules: Rules): boolean {
  if (!phone.lastSurveyedAt) return false;
  return at.getTime() - Date.parse(phone.lastSurveyedAt) < rules.survey.fatigueHours * 3_600_000;
}

/**
 * Whether a completion is one this ticket already has, decided by identity and never by comparing
 * the clocks of upstream systems (a reopen's date says nothing about which completion comes next):
 * - the same `completedAt` (as an instant) as the current completion or an earlier one (each ended
 *   by a reopen) is a repeat of it: `repeat` with that completion's first answer when its counted
 *   fields (`countedFields`) are identical, `conflict` naming those that differ otherwise;
 * - any other `completedAt` is a new completion: accepted (`new`) if the ticket is reopened, a
 *   `conflict` naming `completedAt` while it is completed (its reopen has not arrived, or never
 *   will: upstream retries a 409, and the retry is accepted once the reopen lands).
 * The phone is compared only with the current completion, and not once the customer is erased.
 */
export type CompletionMatch =
  | { kind: 'repeat'; response: TicketResponse }
  | { kind: 'conflict'; issues: FieldIssue[] }
  | { kind: 'not_reopened'; issues: FieldIssue[] }
  | { kind: 'new' };

export function matchCompletion(existing: TicketItem, t: TicketCompleted): CompletionMatch {
  const incoming = countedOf(t);
  const current = countedOf(existing.ticket);
  if ('erasedAt' in existing.ticket.customer) delete current['customer.phone'];
  const known = [
    { counted: current, response: existing.response },
    ...(existing.history ?? []).map((h) => ({ counted: h.counted, response: h.response })),
  ];
  const same = known.find((k) => k.counted.completedAt === incoming.completedAt);
  if (same) {
    const differ = countedFields.filter((f) => f in same.counted && same.counted[f] !== incoming[f]);
    if (differ.length === 0) return { kind: 'repeat', response: same.response };
    return {
      kind: 'conflict',
      issues: differ.map((field) => ({ field, message: 'differs from the completion already accepted' })),
    };
  }
  if (existing.state === 'reopened') return { kind: 'new' };
  return {
    kind: 'not_reopened',
    issues: [
      {
        field: 'completedAt',
        message: `the ticket is completed at ${current.completedAt} and not reopened: a new completion needs a reopen first`,
      },
    ],
  };
}

const conflict = (issues: FieldIssue[]) =>
  new ConflictError('a repeat of this completion differs in what was counted', issues);

/** A completion older than `rules.tickets.maxCompletionAgeDays` is never surveyed or counted. */
function tooOld(t: TicketCompleted, rules: Rules, at: Date): FieldIssue | undefined {
  const days = rules.tickets.maxCompletionAgeDays;
  if (Date.parse(t.completedAt) >= at.getTime() - days * 86_400_000) return undefined;
  return { field: 'completedAt', message: `must not be more than ${days} day${days === 1 ? '' : 's'} ago` };
}

/** What can be decided from the ticket alone, before the phone's state is read. */
function staticSuppression(t: TicketCompleted, rules: Rules): SuppressionReason | undefined {
  if (!rules.survey.kinds.includes(t.kind)) return 'kind_not_surveyed';
  if (staffPhones.has(t.customer.phone)) return 'staff_phone';
  return undefined;
}

/**
 * The completion webhook: a new completion is accepted with ONE conditional write of the ticket
 * (nothing else is read or written on this path), which the next scheduler run plans
 * (`planTicket`). A repeat of the same completion changes nothing and gets the first answer back
 * (409 if it differs in what was counted: `matchCompletion`); the next completion after a reopen
 * is accepted the same way, conditional on the reopen. A completion older than
 * `rules.tickets.maxCompletionAgeDays` is refused (400 naming `completedAt`).
 */
export async function acceptTicket(t: TicketCompleted): Promise<CompleteTicketResult> {
  const { rules } = config;
  const old = tooOld(t, rules, now());
  if (old) {
    // Too old to accept, but a repeat of a completion accepted in time still gets its answer.
    const existing = await getTicket(t.source, t.ticketId);
    const match = existing ? matchCompletion(existing, t) : undefined;
    if (match?.kind === 'repeat') return { created: false, response: match.response };
    if (match?.kind === 'conflict') throw conflict(match.issues);
    throw new ValidationError([old]);
  }
  const reason = staticSuppression(t, rules);
  const response: TicketResponse = reason
    ? { surveyId: newId(), status: 'suppressed', reason }
    : { surveyId: newId(), status: 'scheduled' };
  let previous: TicketItem | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new PutCommand(acceptCompletion(previous, t, response, now())));
      break;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) || attempt >= 3) throw err;
      // A ticket of that id exists: a repeat (answered as the first time), or a new completion
      // after a reopen (accepted on the state just read; a race sends us round again).
      previous = await getTicket(t.source, t.ticketId);
      if (!previous) continue;
      const match = matchCompletion(previous, t);
      if (match.kind === 'repeat') return { created: false, response: match.response };
      if (match.kind === 'conflict') throw conflict(match.issues);
      if (match.kind === 'not_reopened') {
        throw new ConflictError('the ticket is completed and not reopened', match.issues);
      }
    }
  }
  logger.info('ticket accepted', {
    source: t.source,
    ticketId: t.ticketId,
    surveyId: response.surveyId,
    status: response.status,
  });
  return { created: true, response };
}

/**
 * Plans an accepted completion (the scheduler, or first thing when a pending ticket is reopened
 * or its customer erased): its survey scheduled or suppressed on the phone's fresh state, and the
 * engineer's figures raised, in one transaction conditional on the completion not being planned
 * yet, so concurrent runs plan it once. Returns the survey, or undefined if another run won.
 */
export async function planTicket(item: TicketItem, at: Date): Promise<SurveyItem | undefined> {
  if (item.plannedAt) return undefined;
  const { rules } = config;
  const t = item.ticket;
  const phone = await getPhoneState(t.customer.phone);
  const completed = new Date(t.completedAt);
  const delayMs = rules.survey.delayMinutes[t.kind] * 60_000;
  const due = nextAllowedTime(new Date(completed.getTime() + delayMs), rules.sms.quietHours, rules.timeZone);
  const reason = suppressionFor(t, phone, due < at ? at : due, rules);
  const { surveyId } = item.response;
  const day = localDay(completed, rules.timeZone);
  const eng = engineerRef(t);
  const tl = timeliness(t, rules);
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
    ttl: retentionTtl(new Date(item.receivedAt)),
    ...customerKeys(t.customer.phone, `SURVEY#${surveyId}`),
  };
  try {
    await transact([
      markPlanned(item, at),
      putSurvey(survey),
      ...aggregateUpdates(day, eng, { ...completionDelta(tl), ...(reason ? suppressedDelta(reason) : {}) }),
      ...(reason ? replyOnClose(survey, { status: 'suppressed', reason }, at) : []),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed) return undefined; // planned by another run
    throw err;
  }
  logger.info('ticket planned', { source: t.source, ticketId: t.ticketId, surveyId, status: survey.status });
  return survey;
}

/** Plans the ticket now if it is accepted but not planned yet (before a reopen or an erasure). */
export async function planIfPending(source: string, ticketId: string, at: Date): Promise<void> {
  const item = await getTicket(source, ticketId);
  if (item && !item.plannedAt) await planTicket(item, at);
}
