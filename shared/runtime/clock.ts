/**
 * The clock all domain logic reads. On AWS it is the real time; the local system can pin it
 * (POST /local/clock) so that scheduling, quiet hours and expiry can be walked through by hand.
 */
let pinned: Date | undefined;

export function now(): Date {
  return pinned ? new Date(pinned.getTime()) : new Date();
}

export function pinClock(at: Date | undefined): void {
  pinned = at ? new Date(at.getTime()) : undefined;
}

export function isClockPinned(): boolean {
  return pinned !== undefined;
}
