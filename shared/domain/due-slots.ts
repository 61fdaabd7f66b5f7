/**
 * How the due index's slots are shared among the due workers (the scheduler's fan-out): worker g
 * of n reads the slots s with s % n === g. Every slot belongs to exactly one group for any n, so
 * each tick's groups cover all slots whatever the worker count; a changed count only changes which
 * worker reads a slot from the next tick on (an item is never bound to a worker, only to its slot).
 */
export function slotGroups(workers: number, slotCount: number): number[][] {
  if (!Number.isInteger(slotCount) || slotCount < 1) throw new RangeError(`slotCount ${slotCount}`);
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers ${workers}`);
  const n = Math.min(workers, slotCount);
  return Array.from({ length: n }, (_, g) =>
    Array.from({ length: Math.ceil((slotCount - g) / n) }, (_, i) => g + i * n),
  );
}

/** A group's name (its SQS message group): the worker count and its index, e.g. `3of8`. */
export const slotGroupId = (index: number, workers: number): string => `${index + 1}of${workers}`;
