/**
 * The retry schedule of the reply to the work order (回复工单), in one pure function used both by
 * the scheduler's direct delivery (locally) and by the SQS consumer (on AWS).
 *
 * After the n-th failed attempt the next one waits BASE * 2^(n-1), capped at CAP, times a jitter
 * factor in [1 - JITTER, 1 + JITTER): 1 min, 2, 4, 8, 16, 32, then about an hour each. Retries stop
 * WINDOW after the first attempt: the last retry is held to exactly that moment, and when it fails
 * too the reply is dead (dead-letter).
 */
export const REPLY_BACKOFF = {
  baseMs: 60_000,
  capMs: 60 * 60_000,
  /** Relative jitter: a delay is its nominal value times [0.8, 1.2). */
  jitter: 0.2,
  windowMs: 24 * 3_600_000,
} as const;

/** Delay before the next attempt after `failures` failed attempts (>= 1); `random` in [0, 1). */
export function backoffDelayMs(failures: number, random: number = Math.random()): number {
  const { baseMs, capMs, jitter } = REPLY_BACKOFF;
  const n = Math.max(1, Math.floor(failures));
  // 2^(n-1) overflows to Infinity for large n: the cap still applies.
  const nominal = Math.min(capMs, baseMs * 2 ** (n - 1));
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(nominal * (1 - jitter + 2 * jitter * r));
}

/**
 * When to try again after a failed attempt at `failedAt`, the `failures`-th one, of a delivery first
 * attempted at `firstAttemptAt`; undefined when the window is over (dead-letter).
 */
export function nextAttemptAt(
  firstAttemptAt: Date,
  failures: number,
  failedAt: Date,
  random: number = Math.random(),
): Date | undefined {
  const deadline = firstAttemptAt.getTime() + REPLY_BACKOFF.windowMs;
  if (failedAt.getTime() >= deadline) return undefined;
  return new Date(Math.min(deadline, failedAt.getTime() + backoffDelayMs(failures, random)));
}

/**
 * The most attempts the schedule can make in its window (every delay at its shortest), plus the
 * first. The SQS queue's maxReceiveCount is derived from it, so that SQS never dead-letters a
 * message the schedule still wants to retry.
 */
export function maxAttempts(): number {
  const first = new Date(0);
  let at = first;
  let attempts = 1;
  for (let next = nextAttemptAt(first, 1, at, 0); next; next = nextAttemptAt(first, attempts, at, 0)) {
    at = next;
    attempts++;
  }
  return attempts;
}

/**
 * maxReceiveCount of the replies' SQS queue: every attempt the schedule can make, plus a few
 * receives that make none (a duplicate, a claim lost to another worker, a crashed run).
 */
export function replyQueueMaxReceives(): number {
  return maxAttempts() + 4;
}
