/**
 * The clock all domain logic reads (deps.clock). On AWS it is the real time; the local system
 * uses a pinnable one (POST /local/clock) so that scheduling, quiet hours and expiry can be
 * walked through by hand.
 */
export interface Clock {
  now(): Date;
}

export interface PinnableClock extends Clock {
  pin(at: Date | undefined): void;
  isPinned(): boolean;
}

export const systemClock: Clock = { now: () => new Date() };

export function pinnableClock(): PinnableClock {
  let pinned: Date | undefined;
  return {
    now: () => (pinned ? new Date(pinned.getTime()) : new Date()),
    pin(at) {
      pinned = at ? new Date(at.getTime()) : undefined;
    },
    isPinned: () => pinned !== undefined,
  };
}
