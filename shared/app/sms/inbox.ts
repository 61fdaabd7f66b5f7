import type { Deps } from '#shared/app/deps';
import { applyReceipt, type ReceiptOutcome } from '#shared/app/sms/receipts';
import { handleInboundSms, type InboundOutcome } from '#shared/app/surveys/handle-inbound-sms';
import { type InboundEvent, idForLog } from '#shared/domain/sms/inbound';
import { logger } from '#shared/runtime/log';
import {
  deferInbox,
  finishInbox,
  type InboxItem,
  inboxBatchId,
  leaseInbox,
  putInbox,
} from '#shared/store/sms-inbox';

/** A receipt waiting for our record of its send is looked at again this much later. */
const RETRY_MS = 60_000;
/** How long the fast path or a scheduler run holds an inbox item (real time). */
const LEASE_MS = 60_000;

/**
 * Accepts what a provider reported: ONE durable write (store/sms-inbox.ts: one item per batch, in
 * the due index from the start), and nothing else, so a callback can answer at once. The same
 * events accepted again are the same item; each event is handled once however it arrives
 * (`processInbox`: by the scheduler within a minute, sooner by the fast path).
 */
export async function acceptInbound(deps: Deps, events: InboundEvent[]): Promise<void> {
  const seen = new Set<string>();
  const unique = events.filter((e) => !seen.has(e.dedupId) && seen.add(e.dedupId));
  if (unique.length === 0) return;
  await putInbox(unique, deps.clock.now());
}

export type InboxOutcome = 'inboxHandled' | 'inboxDeferred' | 'skipped';

/**
 * Handles one accepted batch, if nobody else is on it: every reply through the same use case as an
 * SNS reply (same parsing, counted once by its dedup id), every receipt applied (receipts.ts). A
 * receipt that came before our record of the send, or an event whose handling failed, stays in
 * the item, due again a minute later; the rest of the batch is done.
 */
export async function processInbox(deps: Deps, batchId: string): Promise<InboxOutcome> {
  const nowMs = Date.now();
  const item = (await leaseInbox(batchId, nowMs, nowMs + LEASE_MS)) as InboxItem<InboundEvent> | undefined;
  if (!item) return 'skipped';
  const left: InboundEvent[] = [];
  for (const event of item.events ?? []) {
    try {
      const outcome = await handleEvent(deps, event, item.receivedAt);
      if (outcome === 'wait') left.push(event);
    } catch (err) {
      logger.error('inbound event failed; will retry', {
        dedupId: idForLog(event.dedupId),
        error: err as Error,
      });
      left.push(event);
    }
  }
  const at = deps.clock.now();
  if (left.length === 0) {
    await finishInbox(batchId, at);
    return 'inboxHandled';
  }
  await deferInbox(batchId, left, new Date(at.getTime() + RETRY_MS));
  return 'inboxDeferred';
}

/** The fast path: the inbox items among some keys (a DynamoDB Streams batch), each processed. */
export async function processInboxKeys(
  deps: Deps,
  keys: readonly { pk?: unknown; sk?: unknown }[],
): Promise<InboxOutcome[]> {
  const out: InboxOutcome[] = [];
  for (const key of keys) {
    const batchId = inboxBatchId(key);
    if (batchId) out.push(await processInbox(deps, batchId));
  }
  return out;
}

async function handleEvent(
  deps: Deps,
  event: InboundEvent,
  receivedAt: string,
): Promise<InboundOutcome | ReceiptOutcome> {
  if (event.kind === 'reply') {
    return handleInboundSms(deps, {
      originationNumber: event.phone,
      messageBody: event.text,
      inboundMessageId: event.dedupId,
    });
  }
  return applyReceipt(deps, event, receivedAt);
}
