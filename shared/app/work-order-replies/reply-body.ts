import type { WorkOrderReplyPayload } from '#shared/store/work-order-reply';

/** The JSON body of the reply to the work order, fields in a fixed order (the same bytes on every attempt). */
export function replyBody(p: WorkOrderReplyPayload): string {
  return JSON.stringify({
    ticketId: p.ticketId,
    surveyId: p.surveyId,
    status: p.status,
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p.rating !== undefined ? { rating: p.rating } : {}),
    ...(p.reasons !== undefined ? { reasons: p.reasons } : {}),
    ...(p.comment !== undefined ? { comment: p.comment } : {}),
    closedAt: p.closedAt,
  });
}
