import { TZDate } from '@date-fns/tz';
import { isQuietTime, nextAllowedTime, type QuietHours } from '#shared/domain/time';

/**
 * Customer texts held over the quiet hours, spread over the first minutes after them (docs/domain.md
 * section 4): a night's surveys do not all fall due at 08:00:00 (millions at a national operator's
 * rate, past any provider's rate limit and any worker count), but at the end of the quiet window
 * plus an offset in [0, spreadMinutes) taken from a hash of the message's stable id (a survey id, a
 * case id). The same id always gets the same time, whenever in the night the deferral is computed
 * (at planning, at a send that slipped into the quiet hours, on a retry or a duplicate run), so the
 * due-index write stays idempotent. Pure, no clock.
 */

export interface SpreadQuietHours extends QuietHours {
  /** Minutes after the end of the quiet hours over which deferred texts are spread; 0 = all at the end. */
  spreadMinutes: number;
}

/**
 * The id's place in the spread window, in [0, 1): 32-bit FNV-1a over its UTF-16 units, finished
 * with murmur3's fmix32 so that ids differing in one character (sequential ids) land far apart.
 */
export function spreadFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** The first start of the quiet hours after `from` (a local wall-clock time, DST-aware). */
function nextQuietStart(from: Date, quiet: QuietHours, tz: string): Date {
  const [h, m] = quiet.start.split(':').map(Number) as [number, number];
  const local = new TZDate(from, tz);
  const on = (day: number) =>
    new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + day, h, m, tz);
  const today = on(0);
  return new Date((today.getTime() > from.getTime() ? today : on(1)).getTime());
}

/**
 * When a customer text due at `due` may go out: `due` itself outside the quiet hours; inside them,
 * the end of the quiet window plus `key`'s offset (whole seconds) in [0, spreadMinutes), the window
 * clipped so that it ends before the quiet hours start again (a DST day's shorter allowed hours).
 */
export function quietSendTime(due: Date, key: string, quiet: SpreadQuietHours, tz: string): Date {
  if (!isQuietTime(due, quiet, tz)) return due;
  const end = nextAllowedTime(due, quiet, tz);
  if (quiet.spreadMinutes <= 0) return end;
  const allowedMs = nextQuietStart(end, quiet, tz).getTime() - end.getTime();
  const windowSeconds = Math.floor(Math.min(quiet.spreadMinutes * 60_000, allowedMs) / 1000);
  return new Date(end.getTime() + Math.floor(spreadFraction(key) * windowSeconds) * 1000);
}
