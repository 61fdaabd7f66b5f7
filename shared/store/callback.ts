import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config/config';
import { maskPhone } from '#shared/domain/phone';
import type { CallbackOutcome } from '#shared/domain/types';
import type { Alert } from '#shared/gateways/alerts';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { putAlert } from '#shared/store/outbox';
import { retentionTtl } from '#shared/store/retention';
import type { SurveyItem } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';

/**
 * A callback case (回访, domain.md section 6): opened by a dissatisfied rating, worked by a
 * callback agent, closed with an outcome. One case per survey (caseId = surveyId).
 *
 * Keys: pk=CALLBACK#{caseId}, sk=CALLBACK; while no contact is recorded the case sits in the
 * due index at its deadline (the scheduler makes it overdue); listing indexes:
 * gsi2pk=CB#{status}#T#{team}, gsi3pk=CB#{status}#R#{region}, both sorted by {openedAt}#{caseId}.
 */
export type CallbackStatus = 'open' | 'overdue' | 'closed';
export type { CallbackOutcome };

export interface CallbackHistoryEntry {
  at: string;
  by: string;
  action: 'opened' | 'reasons' | 'note' | 'overdue' | 'closed';
  note?: string;
  outcome?: CallbackOutcome;
}

export interface CallbackCase {
  pk: string;
  sk: 'CALLBACK';
  type: 'callback';
  caseId: string;
  surveyId: string;
  source: string;
  ticketId: string;
  kind: string;
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
  /** The local day of the ticket's completion: the period whose reports count this case. */
  day: string;
  rating: 1 | 2 | 3;
  reasons?: number[];
  comment?: string;
  /** The customer's phone in full (E.164): only in the case, for the callback agent. */
  phone: string;
  status: CallbackStatus;
  openedAt: string;
  deadline: string;
  contactedAt?: string;
  closedAt?: string;
  outcome?: CallbackOutcome;
  history: CallbackHistoryEntry[];
  ttl?: number;
  erasedAt?: string;
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3pk: string;
  gsi3sk: string;
}

export const callbackKey = (caseId: string) => ({ pk: `CALLBACK#${caseId}`, sk: 'CALLBACK' as const });

export function listKeys(
  status: CallbackStatus,
  team: string,
  region: string,
  openedAt: string,
  caseId: string,
) {
  return {
    gsi2pk: `CB#${status}#T#${team}`,
    gsi2sk: `${openedAt}#${caseId}`,
    gsi3pk: `CB#${status}#R#${region}`,
    gsi3sk: `${openedAt}#${caseId}`,
  };
}

export async function getCallback(caseId: string): Promise<CallbackCase | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: callbackKey(caseId), ConsistentRead: true }),
  );
  return res.Item as CallbackCase | undefined;
}

/** Does this rating open a callback case? */
export function opensCallback(rating: 1 | 2 | 3): boolean {
  return rating === 3 || (rating === 2 && config.rules.callbacks.openOnBasicallySatisfied);
}

const RATING_WORDS = { 1: '满意', 2: '基本满意', 3: '不满意' } as const;

/**
 * Items that open the case for a rated survey and alert the supervisors, in the rating's own
 * transaction (so a rating never lacks its case, and never has two).
 */
export function openCallback(
  survey: SurveyItem,
  rating: 1 | 2 | 3,
  comment: string | undefined,
  at: Date,
  reasons?: number[],
): TxItem[] {
  const openedAt = at.toISOString();
  const deadline = new Date(at.getTime() + config.rules.callbacks.contactWithinHours * 3_600_000);
  const caseId = survey.surveyId;
  const item: CallbackCase = {
    ...callbackKey(caseId),
    type: 'callback',
    caseId,
    surveyId: survey.surveyId,
    source: survey.source,
    ticketId: survey.ticketId,
    kind: survey.kind,
    engineerId: survey.engineerId,
    engineerName: survey.engineerName,
    team: survey.team,
    region: survey.region,
    day: survey.day,
    rating,
    ...(comment ? { comment } : {}),
    ...(reasons?.length ? { reasons } : {}),
    phone: survey.phone,
    status: 'open',
    openedAt,
    deadline: deadline.toISOString(),
    history: [{ at: openedAt, by: 'system', action: 'opened' }],
    ttl: retentionTtl(at),
    ...dueKeys(`CALLBACK#${caseId}`, deadline),
    ...listKeys('open', survey.team, survey.region, openedAt, caseId),
  };
  const alert: Alert = {
    kind: 'callback_opened',
    level: 'supervisors',
    team: survey.team,
    region: survey.region,
    caseId,
    subject: `回访提醒：客户评价${RATING_WORDS[rating]}`,
    message:
      `客户 ${maskPhone(survey.phone)} 对 ${survey.engineerName}（${survey.team}）的服务评价为${RATING_WORDS[rating]}，` +
      `工单 ${survey.ticketId}。请在 ${config.rules.callbacks.contactWithinHours} 小时内回访（案件 ${caseId}）。`,
  };
  return [
    { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    putAlert(`${caseId}#opened`, alert, at),
  ];
}

/** Adds the reasons and comment the customer gave after the rating to the case. */
export function addReasonsToCallback(
  caseId: string,
  reasons: number[],
  comment: string | undefined,
  at: Date,
): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(caseId),
      UpdateExpression:
        'SET reasons = :r, history = list_append(history, :h)' + (comment ? ', #comment = :c' : ''),
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':r': reasons,
        ':h': [{ at: at.toISOString(), by: 'customer', action: 'reasons' }],
        ...(comment ? { ':c': comment } : {}),
      },
      ...(comment ? { ExpressionAttributeNames: { '#comment': 'comment' } } : {}),
    },
  };
}
