/**
 * The stranded-work checks of the audit (`npm run verify`): single items (`strandedWork`) and the
 * phones' queues (`strandedInQueues`). Pure: the caller reads the table and passes what it found.
 */

/**
 * Work the system accepted and has not done in time: a completion never planned, or anything in
 * the due index (store/due.ts) whose time passed more than the allowed age ago. The
 * scheduler takes what is due every minute, so either means an item nobody reads (a stranded
 * one), or a scheduler that is not running.
 */
export interface Stranded {
  pk: string;
  sk: string;
  type: string;
  /** When it was accepted (never planned) or fell due (a queued survey: its original due time). */
  since: string;
  message:
    | 'accepted, never planned'
    | 'due, not handled'
    | "waiting, not in its phone's queue"
    | 'waiting behind no open survey';
}

/** Default age past which accepted or due work counts as stranded (`--stale-after`, minutes). */
export const STALE_AFTER_MINUTES = 15;

/**
 * What the stranded check reads of one stored item: its key and type, a ticket's reception and
 * planning, and, when the item is in the due index, the time it falls due there (the store reads
 * that off the index entry: store/due.ts `dueTimeOf`).
 */
export interface WorkItem {
  pk: string;
  sk: string;
  type: string;
  receivedAt?: unknown;
  plannedAt?: unknown;
  /** When the item falls due in the due index (ISO time); undefined when it is not in it. */
  dueAt?: string | undefined;
}

/** Whether one item is stranded at `at` (see Stranded); pure. */
export function strandedWork(
  item: WorkItem,
  at: Date,
  staleAfterMs = STALE_AFTER_MINUTES * 60_000,
): Stranded | undefined {
  const edge = at.getTime() - staleAfterMs;
  const base = { pk: item.pk, sk: item.sk, type: item.type };
  if (item.type === 'ticket' && !item.plannedAt && typeof item.receivedAt === 'string') {
    if (Date.parse(item.receivedAt) <= edge)
      return { ...base, since: item.receivedAt, message: 'accepted, never planned' };
    return undefined;
  }
  if (item.dueAt !== undefined && Date.parse(item.dueAt) <= edge)
    return { ...base, since: item.dueAt, message: 'due, not handled' };
  return undefined;
}

/** A survey's part in its phone's turn order (the fields the queue check reads). */
export interface QueuedSurvey {
  pk: string;
  sk: string;
  surveyId: string;
  phone: string;
  status: string;
  dueAt?: string;
}

/** A phone state's turn order. */
export interface PhoneQueue {
  phone: string;
  openSurveyId?: string;
  waiting: string[];
}

/**
 * Queued surveys nobody will ever send (a customer never surveyed): `waiting` but not in its
 * phone's queue, or queued on a phone where no survey holds the turn (none open, none released
 * from the queue and about to be sent). Such a survey is in no due index: only this finds it.
 */
export function strandedInQueues(surveys: QueuedSurvey[], phones: PhoneQueue[]): Stranded[] {
  const byPhone = new Map(phones.map((p) => [p.phone, p]));
  const open = new Set(
    surveys.filter((s) => s.status === 'sent' || s.status === 'awaiting_reasons').map((s) => s.surveyId),
  );
  const released = new Set(surveys.filter((s) => s.status === 'scheduled').map((s) => s.phone));
  const out: Stranded[] = [];
  for (const s of surveys) {
    if (s.status !== 'waiting') continue;
    const phone = byPhone.get(s.phone);
    const base = { pk: s.pk, sk: s.sk, type: 'survey', since: s.dueAt ?? '' };
    if (!phone?.waiting.includes(s.surveyId)) {
      out.push({ ...base, message: "waiting, not in its phone's queue" });
    } else if (!(phone.openSurveyId && open.has(phone.openSurveyId)) && !released.has(s.phone)) {
      out.push({ ...base, message: 'waiting behind no open survey' });
    }
  }
  return out;
}
