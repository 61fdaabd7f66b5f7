import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TicketKind } from '#shared/domain/rules';
import type { Timeliness } from '#shared/domain/timeliness';
import type { EngineerRef, SurveyStatus } from '#shared/domain/types';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { customerKeys, retentionTtl } from '#shared/store/retention';
import { type TxItem, updateIfExists } from '#shared/store/tx';

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
  /** This repair was repeated (返修): counted once as repeatRepairs on this survey's day and engineer. */
  repeat?: RepeatMark;
  /** This repair repeated an earlier one (the survey marked with `repeat`). */
  repeatOf?: RepairRef;
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

/** A repair completion, by its survey and ticket. */
export interface RepairRef {
  surveyId: string;
  source: string;
  ticketId: string;
}

/**
 * Why a repair counts as repeated: another repair of the phone within the window (`by`: that
 * repair), or a reopen of its ticket (`reopen`, at the reopen's time).
 */
export type RepeatMark = { kind: 'repair'; at: string; by: RepairRef } | { kind: 'reopen'; at: string };

export const surveyKey = (surveyId: string) => ({ pk: `SURVEY#${surveyId}`, sk: 'SURVEY' as const });

/** The index attributes of a stored survey: set by this module only. */
type IndexFields = 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'gsi3pk' | 'gsi3sk';
/** A survey as a use case sees it: its fields, without keys, type, TTL or index entries. */
export type NewSurvey = Omit<SurveyItem, 'pk' | 'sk' | 'type' | 'ttl' | IndexFields>;
/** A listing of the survey on gsi2 (one kind today: store/comment.ts); opaque to use cases. */
export interface SurveyListing {
  gsi2pk: string;
  gsi2sk: string;
}
/** What an update may set on a survey (never its keys or index entries). */
export type SurveyChange = Partial<Omit<NewSurvey, 'surveyId'>>;

/**
 * A planned survey as stored: due at `due` (in the due index) unless it is closed already,
 * findable for erasure through its customer's phone, and kept `retention.days` from the
 * completion's receipt.
 */
export function surveyItem(survey: NewSurvey, opts: { due?: Date; receivedAt: Date }): SurveyItem {
  return {
    ...surveyKey(survey.surveyId),
    type: 'survey',
    ...survey,
    ...(opts.due ? dueKeys(`SURVEY#${survey.surveyId}`, opts.due) : {}),
    ttl: retentionTtl(opts.receivedAt),
    ...customerKeys(survey.phone, `SURVEY#${survey.surveyId}`),
  };
}

export async function getSurvey(surveyId: string): Promise<SurveyItem | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: surveyKey(surveyId), ConsistentRead: true }),
  );
  return res.Item as SurveyItem | undefined;
}

/** A transaction item creating the survey (once). */
export function putSurvey(survey: SurveyItem): TxItem {
  return { Put: { TableName: TABLE, Item: survey, ConditionExpression: 'attribute_not_exists(pk)' } };
}

export interface SurveyUpdateOptions {
  /** Next due at this time (a Date), or out of the due index (null); unchanged if absent. */
  due?: Date | null;
  /** Only if the survey still has this many re-prompts. */
  expectReprompts?: number;
  /** Only if no reminder was recorded yet. */
  noReminderYet?: boolean;
  /** An index entry to add, from the module that owns it (e.g. `commentListing`, store/comment.ts). */
  listing?: SurveyListing;
  /** Only if the survey is not marked repeated yet (a repair counts as repeated once). */
  notRepeatedYet?: boolean;
}

/**
 * A conditional update of a survey: only applies while the survey is still in `from` status
 * (and, if given, still has the read number of re-prompts), so that concurrent actors never both win.
 */
export function updateSurvey(
  surveyId: string,
  from: SurveyStatus,
  set: SurveyChange,
  opts: SurveyUpdateOptions = {},
): TxItem {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':from': from };
  const sets: string[] = [];
  const removes: string[] = [];
  const fields: Record<string, unknown> = { ...set };
  if (opts.due) Object.assign(fields, dueKeys(`SURVEY#${surveyId}`, opts.due));
  if (opts.listing) Object.assign(fields, opts.listing);
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
  if (opts.notRepeatedYet) condition += ' AND attribute_not_exists(#repeat)';
  if (opts.notRepeatedYet) names['#repeat'] = 'repeat';
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

/**
 * A transaction item marking an earlier repair's survey as repeated, once: only if it exists and
 * is not marked yet, whatever its status (a suppressed or expired survey is a repair all the same).
 */
export function markRepeated(surveyId: string, mark: RepeatMark): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: surveyKey(surveyId),
      UpdateExpression: 'SET #repeat = :m',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#repeat)',
      ExpressionAttributeNames: { '#repeat': 'repeat' },
      ExpressionAttributeValues: { ':m': mark },
    },
  };
}

/**
 * Erasure: the survey keeps its rating and counts but loses the customer's phone (masked), its
 * free text and its customer index entry. Nothing happens if the survey does not exist.
 */
export async function maskSurvey(surveyId: string, masked: string, at: string): Promise<void> {
  await updateIfExists(
    surveyKey(surveyId),
    'SET phone = :m, erasedAt = :at REMOVE #comment, gsi3pk, gsi3sk',
    { '#comment': 'comment' },
    { ':m': masked, ':at': at },
  );
}
