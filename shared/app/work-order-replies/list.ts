import { listReplies, type ReplyRecord, type ReplyStatus } from '#shared/store/work-order-reply';

/** A reply as operators read it (locally GET /local/work-order-replies). */
export type ReplyView = ReplyRecord;

/** Replies in the given status (all statuses when none), newest first within each status. */
export async function listWorkOrderReplies(status?: ReplyStatus, limit = 200): Promise<ReplyView[]> {
  return await listReplies(status, limit);
}
