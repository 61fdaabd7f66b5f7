import type { Delta } from '#shared/domain/counters';
import { aggregateUpdates } from '#shared/store/aggregate';
import type { CallbackCase } from '#shared/store/callback';
import type { TxItem } from '#shared/store/tx';

/**
 * The aggregate items that count `delta` for a case: on the engineer and day the case is
 * attributed to (its survey's). A case attributed to no engineer (an unattributed complaint)
 * counts on no engineer's figures.
 */
export function caseAggregateUpdates(c: CallbackCase, delta: Delta): TxItem[] {
  if (!c.engineerId) return [];
  return aggregateUpdates(c.day, c, delta);
}
