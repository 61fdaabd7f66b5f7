import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { retentionTtl } from '#shared/store/retention';
import { updateSurvey } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';

/**
 * What the system knows about one customer phone: the survey open on it (at most one, so a
 * reply can always be matched), the surveys queued behind it, and whether it opted out.
 * Every change is conditional on `version`, so concurrent actors serialise on the phone.
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
  lastNoticeAt?: string;
  ttl?: number;
}

export const phoneKey = (phone: string) => ({ pk: `PHONE#${phone}`, sk: 'PHONE' as const });

export async function getPhoneState(phone: string): Promise<PhoneState> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: phoneKey(phone), ConsistentRead: true }),
  );
  return (res.Item as PhoneState | undefined) ?? { ...phoneKey(phone), phone, version: 0, waiting: [] };
}

/** A transaction item replacing the phone state, valid only if nobody changed it since it was read. */
export function savePhoneState(read: PhoneState, next: Omit<PhoneState, 'pk' | 'sk' | 'version'>): TxItem {
  const { ttl: _old, ...rest } = next;
  // An opted-out number is kept for good (honouring the opt-out needs it); others expire.
  const item: PhoneState = {
    ...rest,
    ...phoneKey(read.phone),
    version: read.version + 1,
    ...(next.optedOut ? {} : { ttl: retentionTtl(new Date()) }),
  };
  return {
    Put: {
      TableName: TABLE,
      Item: item,
      ConditionExpression: read.version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
      ...(read.version === 0 ? {} : { ExpressionAttributeValues: { ':v': read.version } }),
    },
  };
}

/**
 * A transaction item that only asserts the phone is as read (same version, or still absent): a
 * decision that changes nothing on the phone must still have been taken on its current state.
 */
export function phoneUnchanged(read: PhoneState): TxItem {
  return {
    ConditionCheck: {
      TableName: TABLE,
      Key: phoneKey(read.phone),
      ConditionExpression: read.version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
      ...(read.version === 0 ? {} : { ExpressionAttributeValues: { ':v': read.version } }),
    },
  };
}

/** Items handing the turn to the first queued survey (made due at `at`) and saving `next` as the phone. */
function handTurn(read: PhoneState, next: Omit<PhoneState, 'pk' | 'sk' | 'version'>, at: Date): TxItem[] {
  const [head, ...rest] = next.waiting;
  const items: TxItem[] = [savePhoneState(read, { ...next, waiting: rest })];
  if (head)
    items.push(updateSurvey(head, 'waiting', { status: 'scheduled', dueAt: at.toISOString() }, { due: at }));
  return items;
}

function stateOf(s: PhoneState): Omit<PhoneState, 'pk' | 'sk' | 'version'> {
  const { pk: _pk, sk: _sk, version: _v, ...rest } = s;
  return rest;
}

/**
 * The phone's part of closing its open survey, for the same transaction as whatever closed it:
 * the phone is freed and the turn goes to the first queued survey (made due now). Always
 * conditional on the phone as read, also when it has nothing to change.
 *
 * The invariant these helpers keep, each time in ONE transaction with the survey's own status
 * change and conditional on the phone's version: a survey is `waiting` exactly when its id is in
 * its phone's queue, and a phone with a queue has a survey open, or has just handed the turn to
 * the queue's former head (`scheduled`, due now), which either gets sent (and opens) or, closing
 * unsent, hands the turn on (`leaveTurn`).
 */
export function releasePhone(state: PhoneState, surveyId: string, at: Date): TxItem[] {
  if (state.openSurveyId !== surveyId) return [phoneUnchanged(state)];
  const { openSurveyId: _closed, ...keep } = stateOf(state);
  return handTurn(state, keep, at);
}

/**
 * The phone's part of closing a survey that was never sent (cancelled by a reopen or an erasure,
 * suppressed by the scheduler), for the same transaction as the survey's change: a queued survey
 * leaves the queue; one that held the turn (the phone is free with surveys queued) hands it to the
 * next; otherwise the phone is only asserted unchanged.
 */
export function leaveTurn(state: PhoneState, surveyId: string, at: Date): TxItem[] {
  if (state.waiting.includes(surveyId)) {
    return [
      savePhoneState(state, { ...stateOf(state), waiting: state.waiting.filter((id) => id !== surveyId) }),
    ];
  }
  if (!state.openSurveyId && state.waiting.length > 0) return handTurn(state, stateOf(state), at);
  return [phoneUnchanged(state)];
}
