import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TicketKind } from '#shared/domain/rules';
import type { Timeliness } from '#shared/domain/timeliness';
import type { Counter, Counts, EngineerRef } from '#shared/store/aggregate';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import type { TxItem } from '#shared/store/tx';

export type SurveyStatus =
  | 'scheduled' // waiting for its send time (in the due index)
  | 'waiting' // due, but the phone has another survey open; queued on the phone
  | 'sent' // SMS committed; open for a reply until expiresAt (in the due index)
  | 'awaiting_reasons' // rated 2 or 3; open for the reasons until reasonsDueAt (in the due index)
  | 'answered'
  | 'cancelled' // the ticket was reopened before the survey was answered
  | 'expired'
  | 'suppressed'
  | 'opted_out';

export interface SurveyItem extends EngineerRef {
  pk: string;
  sk: 'SURVEY';
  type: 'survey';
  surveyId: string;
  source: string;
  ticketId: string;
  kind: TicketKind;
  segment: 'home' | 'enterprise';
  phone: string;
  status: SurveyStatus;
  reason?: string;
  /** Local day (Asia/Shanghai by default) of completedAt: the period the survey counts in. */
  day: string;
  completedAt: string;
  createdAt: string;
  dueAt?: string;
  sentAt?: string;
  expiresAt?: string;
  remindAt?: string;
  reminderSentAt?: string;
  reasonsDueAt?: string;
  reasons?: number[];
  reasonsAt?: string;
  answeredAt?: string;
  closedAt?: string;
  rating?: 1 | 2 | 3;
  comment?: string;
  reprompts: number;
  /** The completion's timeliness, as counted (kept per completion so aggregates can be recomputed). */
  timeliness?: Timeliness;
  /** Set when the ticket was reopened after this survey's completion. */
  reopenedAt?: string;
  /** Erased on the customer's request: phone masked, comment removed. */
  erasedAt?: string;
  ttl?: number;
  /** Finds the customer's records for erasure: CUST#{phone} / SURVEY#{surveyId}. */
  gsi3pk?: string;
  gsi3sk?: string;
  gsi1pk?: string;
  gsi1sk?: string;
  /** Dissatisfied answers, listed per engineer: COMMENTS#{engineerId} / {answeredAt}#{surveyId}. */
  gsi2pk?: string;
  gsi2sk?: string;
}

export const suppressionReasons = [
  'opted_out',
  'recently_surveyed',
  'staff_phone',
  'kind_not_surveyed',
] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

const suppressionCounter = {
  opted_out: 'suppressedOptedOut',
  recently_surveyed: 'suppressedRecentlySurveyed',
  staff_phone: 'suppressedStaffPhone',
  kind_not_surveyed: 'suppressedKindNotSurveyed',
} as const satisfies Record<SuppressionReason, Counter>;

/** The aggregate delta of one suppressed survey: the total and its reason. */
export function suppressedDelta(reason: SuppressionReason): Partial<Counts> {
  return { suppressed: 1, [suppressionCounter[reason]]: 1 };
}

/** Surveys a customer's reply can still land on. */
export const OPEN_STATUSES: readonly SurveyStatus[] = ['sent', 'awaiting_reasons'];

export const surveyKey = (surveyId: string) => ({ pk: `SURVEY#${surveyId}`, sk: 'SURVEY' as const });

export async function getSurvey(surveyId: string): Promise<SurveyItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: surveyKey(surveyId), ConsistentRead: true }),
  );
  return res.Item as SurveyItem | undefined;
}

export function putSurvey(survey: SurveyItem): TxItem {
  return { Put: { TableName: TABLE, Item: survey, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * A conditional update of a survey: only applies while the survey is still in `from` status
 * (and, if given, still has the read number of re-prompts), so that concurrent actors never both win.
 */
export function updateSurvey(
  surveyId: string,
  from: SurveyStatus,
  set: Partial<SurveyItem>,
  opts: { due?: Date | null; expectReprompts?: number; noReminderYet?: boolean } = {},
): TxItem {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':from': from };
  const sets: string[] = [];
  const removes: string[] = [];
  const fields: Record<string, unknown> = { ...set };
  if (opts.due) Object.assign(fields, dueKeys(`SURVEY#${surveyId}`, opts.due));
  if (opts.due === null) removes.push('gsi1pk', 'gsi1sk');
  Object.entries(fields).forEach(([k, v], i) => {
    if (v === undefined) return;
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    sets.push(`#f${i} = :v${i}`);
  });
  let condition = '#status = :from';
  if (opts.expectReprompts !== undefined) {
    names['#reprompts'] = 'reprompts';
    values[':rp'] = opts.expectReprompts;
    condition += ' AND #reprompts = :rp';
  }
  if (opts.noReminderYet) condition += ' AND attribute_not_exists(reminderSentAt)';
  return {
    Update: {
      TableName: TABLE,
      Key: surveyKey(surveyId),
      UpdateExpression: [
        sets.length ? `SET ${sets.join(', ')}` : '',
        removes.length ? `REMOVE ${removes.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' '),
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
