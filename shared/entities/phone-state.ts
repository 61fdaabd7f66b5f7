import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/db/client';
import type { TxItem } from '#shared/db/tx';
import { updateSurvey } from '#shared/entities/survey';
import { retentionTtl } from '#shared/retention';

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
 * Items that free the phone from its open survey and hand the turn to the first queued survey
 * (made due now), in the same transaction as whatever closed the survey.
 */
export function releasePhone(state: PhoneState, surveyId: string, at: Date): TxItem[] {
  if (state.openSurveyId !== surveyId) return [];
  const [next, ...rest] = state.waiting;
  const { openSurveyId: _closed, ...keep } = state;
  const items: TxItem[] = [savePhoneState(state, { ...keep, waiting: rest })];
  if (next)
    items.push(updateSurvey(next, 'waiting', { status: 'scheduled', dueAt: at.toISOString() }, { due: at }));
  return items;
}
