import type { Deps } from '#shared/app/deps';
import { completionDelta, type Delta, repeatRepairDelta, suppressedDelta } from '#shared/domain/counters';
import { quietSendTime } from '#shared/domain/quiet-spread';
import { isLaterRepair, isRepairKind, repeatDecision } from '#shared/domain/repeat-repair';
import { suppressionFor } from '#shared/domain/suppression';
import { localDay } from '#shared/domain/time';
import { timeliness } from '#shared/domain/timeliness';
import type { EngineerRef } from '#shared/domain/types';
import type { TicketCompleted } from '#shared/http/schemas/ticket-completed';
import { logger } from '#shared/runtime/log';
import { aggregateUpdatesFor } from '#shared/store/aggregate';
import { awaitsAlert, cancelDispatchAlerts, getDispatch } from '#shared/store/dispatch';
import { getLastRepair, lastRepairUnchanged, saveLastRepair } from '#shared/store/last-repair';
import { getPhoneState } from '#shared/store/phone-state';
import {
  getSurvey,
  markRepeated,
  putSurvey,
  type RepairRef,
  type RepeatMark,
  type SurveyItem,
  surveyItem,
} from '#shared/store/survey';
import { markPlanned, type TicketItem } from '#shared/store/ticket';
import { type TxItem, transactOrFailed } from '#shared/store/tx';
import { workOrderReplyOnClose } from '#shared/store/work-order-reply';

/**
 * The step that plans an accepted completion, shared by the scheduler (its due tickets) and by
 * whatever must see a pending completion's survey first (a reopen, an erasure).
 */

export function engineerRef(t: TicketCompleted): EngineerRef {
  return {
    engineerId: t.engineer.id,
    engineerName: t.engineer.name,
    team: t.engineer.team,
    region: t.engineer.region,
  };
}

/** What planning a repair does about repeat repairs (返修, domain/repeat-repair.ts). */
interface RepeatPlan {
  /** Marks on the new survey: the repair it repeated, or the later repair that repeated it. */
  fields: { repeat?: RepeatMark; repeatOf?: RepairRef };
  /** Counted on the new survey's day and engineer (it was repeated: delivered out of order). */
  ownDelta: Delta;
  /** The earlier survey marked repeated, the phone's last-repair record, and their counts. */
  items: TxItem[];
  counts: { day: string; eng: EngineerRef; delta: Delta }[];
}

/**
 * A repair's place in its phone's repairs: the phone's last known repair (one GetItem, store/
 * last-repair.ts) decides, by `repeatDecision`, whether that one was repeated by this one (it is
 * marked, once, and counted on its own day and engineer), or this one by it (a completion
 * delivered after a later one); the record moves on to this repair when it is the later one.
 * Every write is conditional (the record as read, the earlier survey not marked yet), so a
 * duplicate or concurrent planning counts nothing twice: its transaction fails and is retried.
 * Not for other kinds, nor for a customer already erased (the phone is masked).
 */
async function planRepeat(deps: Deps, t: TicketCompleted, surveyId: string, at: Date): Promise<RepeatPlan> {
  const none: RepeatPlan = { fields: {}, ownDelta: {}, items: [], counts: [] };
  if (!isRepairKind(t.kind) || 'erasedAt' in t.customer) return none;
  const phone = t.customer.phone;
  const completedAt = new Date(t.completedAt).toISOString();
  const self: RepairRef = { surveyId, source: t.source, ticketId: t.ticketId };
  const last = await getLastRepair(phone);
  const next = { ...self, completedAt };
  if (!last || last.surveyId === surveyId) {
    return { ...none, items: [saveLastRepair(phone, last, next, at)] };
  }
  const decision = repeatDecision(last.completedAt, completedAt, deps.rules.repeatRepairDays);
  const moveOn = isLaterRepair(last.completedAt, completedAt);
  const record = moveOn ? saveLastRepair(phone, last, next, at) : lastRepairUnchanged(phone, last);
  const earlier: RepairRef = { surveyId: last.surveyId, source: last.source, ticketId: last.ticketId };
  if (decision === 'this_repeated') {
    return {
      fields: { repeat: { kind: 'repair', at: at.toISOString(), by: earlier } },
      ownDelta: repeatRepairDelta(),
      items: [record],
      counts: [],
    };
  }
  if (decision === 'previous_repeated') {
    const prev = await getSurvey(last.surveyId);
    if (prev && !prev.repeat) {
      return {
        fields: { repeatOf: earlier },
        ownDelta: {},
        items: [record, markRepeated(prev.surveyId, { kind: 'repair', at: at.toISOString(), by: self })],
        counts: [{ day: prev.day, eng: engineerRefOf(prev), delta: repeatRepairDelta() }],
      };
    }
  }
  return { ...none, items: [record] };
}

const engineerRefOf = (s: EngineerRef): EngineerRef => ({
  engineerId: s.engineerId,
  engineerName: s.engineerName,
  team: s.team,
  region: s.region,
});

/**
 * Plans an accepted completion: its survey scheduled or suppressed on the phone's fresh state
 * (domain/suppression.ts), and the engineer's figures raised (first contact timed from the
 * dispatch when known), the dispatch's alerts still to come cancelled, in one transaction
 * conditional on the completion not being planned yet, so concurrent runs plan it once. A repair
 * also settles its repeat repairs in it (`planRepeat`). Returns the survey, or undefined if another
 * run won. When only another condition failed (another repair of the phone planned at the same
 * time, the dispatch changed), it plans again at once on the fresh state (the ticket stays due if
 * it never gets through).
 */
export async function planTicket(deps: Deps, item: TicketItem, at: Date): Promise<SurveyItem | undefined> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const planned = await planOnce(deps, item, at);
    if (planned !== 'retry') return planned;
  }
  return undefined;
}

async function planOnce(deps: Deps, item: TicketItem, at: Date): Promise<SurveyItem | undefined | 'retry'> {
  if (item.plannedAt) return undefined;
  const { rules } = deps;
  const t = item.ticket;
  const phone = await getPhoneState(t.customer.phone);
  const completed = new Date(t.completedAt);
  const delayMs = rules.survey.delayMinutes[t.kind] * 60_000;
  const { surveyId } = item.response;
  const due = quietSendTime(
    new Date(completed.getTime() + delayMs),
    surveyId,
    rules.sms.quietHours,
    rules.timeZone,
  );
  const reason = suppressionFor(t, phone, due < at ? at : due, rules);
  const day = localDay(completed, rules.timeZone);
  const eng = engineerRef(t);
  // The ticket's dispatch, if it came: first contact is timed from it (unless the completion
  // says when it was dispatched), and its alerts still to come are cancelled with the planning.
  const dispatch = await getDispatch(t.source, t.ticketId);
  const dispatchedAt = t.dispatchedAt ?? dispatch?.dispatch.dispatchedAt;
  const tl = timeliness(dispatchedAt ? { ...t, dispatchedAt } : t, rules);
  const repeat = await planRepeat(deps, t, surveyId, at);
  const survey = surveyItem(
    {
      surveyId,
      source: t.source,
      ticketId: t.ticketId,
      kind: t.kind,
      segment: t.segment,
      ...eng,
      phone: t.customer.phone,
      status: reason ? 'suppressed' : 'scheduled',
      ...(reason ? { reason, closedAt: at.toISOString() } : { dueAt: due.toISOString() }),
      day,
      completedAt: completed.toISOString(),
      createdAt: at.toISOString(),
      reprompts: 0,
      timeliness: tl,
      ...repeat.fields,
    },
    { ...(reason ? {} : { due }), receivedAt: new Date(item.receivedAt) },
  );
  const planned = await transactOrFailed([
    markPlanned(item, at),
    putSurvey(survey),
    ...repeat.items,
    ...aggregateUpdatesFor([
      ...repeat.counts,
      {
        day,
        eng,
        delta: {
          ...completionDelta(tl, t.kind),
          ...(reason ? suppressedDelta(reason) : {}),
          ...repeat.ownDelta,
        },
      },
    ]),
    ...(reason ? workOrderReplyOnClose(survey, { status: 'suppressed', reason }, at) : []),
    ...(dispatch && awaitsAlert(dispatch) ? [cancelDispatchAlerts(dispatch, at)] : []),
  ]);
  if (planned.length > 0) return planned.includes(0) ? undefined : 'retry'; // 0: planned by another run
  logger.info('ticket planned', { source: t.source, ticketId: t.ticketId, surveyId, status: survey.status });
  return survey;
}
