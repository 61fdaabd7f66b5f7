import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { retentionTtl } from '#shared/store/retention';
import { updateSurvey } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';

/**
 * What the system knows about one customer phone: the survey open on it (at most one, so a
 * reply can always be matched), the surveys queued behind it, and whether it opted out.
 * Every change is conditional on `version`, so concurrent actors serialise on the phone.
 *
 * The queue's invariant, kept by the operations below and by nothing else (the phone item is
 * never saved from outside this module): a survey is `waiting` exactly when its id is in its
 * phone's queue, and a phone with a queue has a survey open, or has just handed the turn to the
 * queue's former head (`scheduled`, due now), which either gets sent (`openOnPhone`) or, closing
 * unsent, hands the turn on (`leaveQueue`). Each operation returns the transaction items of the
 * phone AND of every survey whose place in the queue changes, for ONE transaction with the
 * change that caused it, conditional on the phone's version as read.
 */
export interface PhoneState {
  pk: string;
  sk: 'PHONE';
  phone: string;
  version: number;
  openSurveyId?: string;
  waiting: string[];
  optedOut?: boolean;
  optedOutAt?: string;
  lastSurveyedAt?: string;
  /** The survey sent at `lastSurveyedAt`: who a complaint with no open survey belongs to (domain/complaints.ts). */
  lastSurveyId?: string;
  lastNoticeAt?: string;
  ttl?: number;
}

type State = Omit<PhoneState, 'pk' | 'sk' | 'version'>;

export const phoneKey = (phone: string) => ({ pk: `PHONE#${phone}`, sk: 'PHONE' as const });

/** Whether a raw item (as a Scan reads it) is a phone state. */
export const isPhoneState = (raw: Record<string, unknown>): boolean =>
  String(raw.pk).startsWith(phoneKey('').pk) && raw.sk === phoneKey('').sk;

export async function getPhoneState(phone: string): Promise<PhoneState> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: phoneKey(phone), ConsistentRead: true }),
  );
  return (res.Item as PhoneState | undefined) ?? { ...phoneKey(phone), phone, version: 0, waiting: [] };
}

/** The phone's condition: nobody changed it since it was read (same version, or still absent). */
function asRead(read: PhoneState) {
  return {
    ConditionExpression: read.version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
    ...(read.version === 0 ? {} : { ExpressionAttributeValues: { ':v': read.version } }),
  };
}

/** A transaction item replacing the phone state, valid only if nobody changed it since it was read. */
function savePhoneState(read: PhoneState, next: State): TxItem {
  const { ttl: _old, ...rest } = next;
  // An opted-out number is kept for good (honouring the opt-out needs it); others expire.
  const item: PhoneState = {
    ...rest,
    ...phoneKey(read.phone),
    version: read.version + 1,
    ...(next.optedOut ? {} : { ttl: retentionTtl(new Date()) }),
  };
  return { Put: { TableName: TABLE, Item: item, ...asRead(read) } };
}

function stateOf(s: PhoneState): State {
  const { pk: _pk, sk: _sk, version: _v, ...rest } = s;
  return rest;
}

/**
 * A transaction item that only asserts the phone is as read: a decision that changes nothing on
 * the phone must still have been taken on its current state.
 */
export function phoneUnchanged(read: PhoneState): TxItem {
  return { ConditionCheck: { TableName: TABLE, Key: phoneKey(read.phone), ...asRead(read) } };
}

/** Items handing the turn to the first queued survey (made due at `at`) and saving `next` as the phone. */
function handTurn(read: PhoneState, next: State, at: Date): TxItem[] {
  const [head, ...rest] = next.waiting;
  const items: TxItem[] = [savePhoneState(read, { ...next, waiting: rest })];
  if (head) items.push(makeDue(head, at));
  return items;
}

/** A queued survey back to `scheduled`, due at `at` (it leaves the queue in the same transaction). */
function makeDue(surveyId: string, at: Date): TxItem {
  return updateSurvey(surveyId, 'waiting', { status: 'scheduled', dueAt: at.toISOString() }, { due: at });
}

/**
 * A due survey queues behind the survey open on the phone: it becomes `waiting` (out of the due
 * index) and joins the end of the queue.
 */
export function enqueue(state: PhoneState, surveyId: string): TxItem[] {
  return [
    updateSurvey(surveyId, 'scheduled', { status: 'waiting' }, { due: null }),
    savePhoneState(state, {
      ...stateOf(state),
      waiting: [...state.waiting.filter((s) => s !== surveyId), surveyId],
    }),
  ];
}

/** The phone's part of sending survey `surveyId` at `at`: it is the phone's open survey now. */
export function openOnPhone(state: PhoneState, surveyId: string, at: Date): TxItem {
  return savePhoneState(state, {
    ...stateOf(state),
    openSurveyId: surveyId,
    lastSurveyedAt: at.toISOString(),
    lastSurveyId: surveyId,
  });
}

/**
 * The phone's part of closing its open survey (answered, expired, opted out of, cancelled): the
 * phone is freed and the turn passes to the first queued survey (made due at `at`). Always
 * conditional on the phone as read, also when it has nothing to change.
 */
export function releaseTurn(state: PhoneState, surveyId: string, at: Date): TxItem[] {
  if (state.openSurveyId !== surveyId) return [phoneUnchanged(state)];
  const { openSurveyId: _closed, ...keep } = stateOf(state);
  return handTurn(state, keep, at);
}

/**
 * The phone's part of closing a survey that was never sent (cancelled by a reopen or an erasure,
 * suppressed by the scheduler): a queued survey leaves the queue; one that held the turn (the
 * phone is free with surveys queued) hands it to the next; otherwise the phone is only asserted
 * unchanged.
 */
export function leaveQueue(state: PhoneState, surveyId: string, at: Date): TxItem[] {
  if (state.waiting.includes(surveyId)) {
    return [
      savePhoneState(state, { ...stateOf(state), waiting: state.waiting.filter((id) => id !== surveyId) }),
    ];
  }
  if (!state.openSurveyId && state.waiting.length > 0) return handTurn(state, stateOf(state), at);
  return [phoneUnchanged(state)];
}

/**
 * The phone's part of an opt-out at `at`: the phone is marked opted out (kept for good), its open
 * survey let go (the caller closes it), and every queued survey goes back to the scheduler (due
 * at `at`), which suppresses it as opted out.
 */
export function optOutPhone(state: PhoneState, at: Date): TxItem[] {
  const { openSurveyId: _o, ...rest } = stateOf(state);
  return [
    ...state.waiting.map((id) => makeDue(id, at)),
    savePhoneState(state, { ...rest, waiting: [], optedOut: true, optedOutAt: at.toISOString() }),
  ];
}

/** Records that the "no open survey" notice was sent to the phone at `at` (it is rate-limited). */
export function noteNotice(state: PhoneState, at: Date): TxItem {
  return savePhoneState(state, { ...stateOf(state), lastNoticeAt: at.toISOString() });
}

/** Erasure: the phone's state goes, unconditionally (the caller keeps an opted-out one). */
export async function deletePhoneState(phone: string): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: TABLE, Key: phoneKey(phone) }));
}
