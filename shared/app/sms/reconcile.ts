import type { InboundEvent } from '#shared/domain/sms/inbound';
import type { SmsPuller } from '#shared/gateways/sms-pull';
import { logger } from '#shared/runtime/log';

/**
 * The inbox's way in (shared/app/sms/inbox.ts): one durable write of the events, idempotent by
 * `dedupId`, so what the push callbacks already stored is not counted again.
 */
export type AcceptInbound = (events: InboundEvent[]) => Promise<void>;

export interface ReconcileOptions {
  /** Messages asked for per pull; default (and at most) what the source gives: MNS 16, Tencent 100. */
  batchSize?: number;
  /** Pulls per source and run at most; what is left waits for the next run. Default 10. */
  maxBatches?: number;
  /** Epoch ms after which no new pull starts (the scheduler's deadline). */
  stopBy?: number;
  /**
   * Attempts at accepting a batch that the provider will not hand out again (Tencent). Default 3.
   * A batch that can be pulled again (MNS) is tried once and left in its queue when that fails.
   */
  acceptAttempts?: number;
  /** Wait before the n-th retry of such an acceptance: n * this. Default 200 ms. */
  retryDelayMs?: number;
}

/** What one source gave in one run. */
export interface SourceResult {
  /** Provider messages received. */
  received: number;
  /** Events handed to the inbox and accepted. */
  accepted: number;
  /** Messages that could not be read (logged and acknowledged). */
  unreadable: number;
  /** Set when the source stopped on an error (the message only; the rest of the run went on). */
  error?: string;
  /** Events pulled from a source that does not hand them out again and not accepted (Tencent). */
  notAccepted?: number;
}

export type ReconcileResult = Record<string, SourceResult>;

/**
 * The scheduled reconcile: pulls from every configured source (Aliyun's MNS queues SmsUp and
 * SmsReport, Tencent's PullSmsReplyStatus and PullSmsSendStatus) what the push callbacks may have
 * missed, in batches until a source is empty, `maxBatches` were read or `stopBy` has passed, and
 * hands each batch to the inbox; a batch is acknowledged to the provider only after it was
 * accepted. Sources run side by side and independently: an error in one is logged and counted,
 * and the others go on. Never throws.
 */
export async function reconcileSms(
  pullers: readonly SmsPuller[],
  accept: AcceptInbound,
  opts: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const entries = await Promise.all(
    pullers.map(async (p) => [p.source, await reconcileSource(p, accept, opts)] as const),
  );
  return Object.fromEntries(entries);
}

async function reconcileSource(
  puller: SmsPuller,
  accept: AcceptInbound,
  opts: ReconcileOptions,
): Promise<SourceResult> {
  const {
    batchSize = puller.maxBatch,
    maxBatches = 10,
    stopBy = Number.POSITIVE_INFINITY,
    acceptAttempts = 3,
    retryDelayMs = 200,
  } = opts;
  const result: SourceResult = { received: 0, accepted: 0, unreadable: 0 };
  try {
    for (let n = 0; n < maxBatches && Date.now() < stopBy; n++) {
      const batch = await puller.pull(batchSize);
      if (batch.received === 0) break;
      result.received += batch.received;
      result.unreadable += batch.unreadable;
      if (batch.events.length > 0) {
        const attempts = puller.consumedOnPull ? Math.max(1, acceptAttempts) : 1;
        try {
          await acceptWithRetries(accept, batch.events, attempts, retryDelayMs);
        } catch (err) {
          if (puller.consumedOnPull) {
            // Tencent will not hand these out again; its push callbacks are their other way in.
            result.notAccepted = (result.notAccepted ?? 0) + batch.events.length;
            logger.error('pulled SMS events not accepted; the provider will not hand them out again', {
              source: puller.source,
              count: batch.events.length,
              error: err as Error,
            });
            continue;
          }
          // Not acknowledged: the queue hands the batch out again after its visibility timeout.
          throw err;
        }
        result.accepted += batch.events.length;
      }
      await batch.ack();
    }
  } catch (err) {
    result.error = errorText(err);
    logger.error('SMS reconcile of one source failed; the next run tries again', {
      source: puller.source,
      error: err as Error,
    });
  }
  return result;
}

/** `code: message` (Tencent's errors carry their API code), or `name: message`. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${typeof code === 'string' && code ? code : err.name}: ${err.message}`;
}

async function acceptWithRetries(
  accept: AcceptInbound,
  events: InboundEvent[],
  attempts: number,
  retryDelayMs: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await accept(events);
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
    }
  }
}

/** The run's totals, for the scheduler's result and log (no source, nothing added). */
export function reconcileTotals(result: ReconcileResult): Record<string, number> {
  const sources = Object.values(result);
  if (sources.length === 0) return {};
  const sum = (f: (s: SourceResult) => number) => sources.reduce((n, s) => n + f(s), 0);
  return {
    smsPulled: sum((s) => s.received),
    smsPullAccepted: sum((s) => s.accepted),
    smsPullUnreadable: sum((s) => s.unreadable),
    smsPullNotAccepted: sum((s) => s.notAccepted ?? 0),
    smsPullFailedSources: sum((s) => (s.error ? 1 : 0)),
  };
}
