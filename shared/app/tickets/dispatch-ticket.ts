import type { Deps } from '#shared/app/deps';
import { dispatchAlertTimes } from '#shared/domain/dispatch-alerts';
import { ConflictError } from '#shared/domain/errors';
import { repairLimitHours } from '#shared/domain/timeliness';
import type { TicketDispatched } from '#shared/http/schemas/ticket-dispatched';
import { logger } from '#shared/runtime/log';
import {
  type DispatchResponse,
  dispatchCountedFields,
  dispatchCountedOf,
  dispatchItem,
  getDispatch,
  putDispatch,
} from '#shared/store/dispatch';

export interface DispatchTicketResult {
  created: boolean;
  response: DispatchResponse;
}

/** The answer to a new dispatch: the limit it is held to and when its alerts fall due. */
export function dispatchResponse(d: TicketDispatched, deps: Pick<Deps, 'rules'>): DispatchResponse {
  const limit = repairLimitHours(d, deps.rules);
  const base = { ticketId: d.ticketId, source: d.source, repairLimitHours: limit };
  if (limit === null) return { ...base, alerts: 'none' };
  return { ...base, alerts: 'scheduled', ...dispatchAlertTimes(d.reportedAt, limit) };
}

/**
 * The dispatch webhook (000 第二章: supervision while the work is under way): a new dispatch is
 * stored with ONE conditional write (nothing else is read or written on this path); when the
 * ticket has a repair limit (domain/timeliness.ts `repairLimitHours`, from `reportedAt`) it waits
 * in the due index for its half-time alert, which the scheduler sends, then the limit alert, each
 * only if no completion of the ticket exists by then (scheduler/dispatch-due.ts). The limit and
 * the alert times are fixed when the dispatch is accepted: a later change of RULES does not move
 * them, and the answer says what they are.
 *
 * A ticket has one dispatch: the same dispatch again gets the first answer (`created: false`), one
 * that differs in a counted field is a 409 naming those fields, and nothing changes.
 */
export async function acceptDispatch(deps: Deps, d: TicketDispatched): Promise<DispatchTicketResult> {
  const response = dispatchResponse(d, deps);
  for (let attempt = 1; ; attempt++) {
    if (await putDispatch(dispatchItem(d, response, deps.clock.now()))) break;
    const existing = await getDispatch(d.source, d.ticketId);
    if (!existing) {
      // Gone between the write and the read (its retention ended): write it again.
      if (attempt >= 3) throw new Error('the dispatch kept changing while it was accepted');
      continue;
    }
    const first = dispatchCountedOf(existing.dispatch);
    const incoming = dispatchCountedOf(d);
    const differ = dispatchCountedFields.filter((f) => first[f] !== incoming[f]);
    if (differ.length === 0) return { created: false, response: existing.response };
    throw new ConflictError(
      'the ticket was dispatched already, with other values',
      differ.map((field) => ({ field, message: 'differs from the dispatch already accepted' })),
    );
  }
  logger.info('dispatch accepted', {
    source: d.source,
    ticketId: d.ticketId,
    alerts: response.alerts,
    halfTimeAt: response.halfTimeAt,
  });
  return { created: true, response };
}
