import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseKind } from '#shared/domain/complaints';
import type { CallbackOutcome } from '#shared/domain/types';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { retentionTtl } from '#shared/store/retention';
import { type SurveyItem, surveyKey } from '#shared/store/survey';
import { LIST_INDEX, REGION_INDEX } from '#shared/store/table';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';

/**
 * A callback case (回访, docs/domain.md section 6): opened by a dissatisfied rating, worked by a
 * callback agent, closed with an outcome. One case per survey (caseId = surveyId). Storage only:
 * what opens a case, who may see it and the alerts it raises are in shared/app/callbacks/.
 *
 * Keys: pk=CALLBACK#{caseId}, sk=CALLBACK; while no contact is recorded the case sits in the
 * due index at its deadline (the scheduler makes it overdue); listing indexes:
 * gsi2pk=CB#{status}#T#{team}, gsi3pk=CB#{status}#R#{region}, both sorted by {openedAt}#{caseId}
 * (the case's list position).
 */

export type CallbackStatus = 'open' | 'overdue' | 'closed';

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
  /** The survey whose answer opened the case; '' for a complaint no open survey owned (`CMP-...`). */
  surveyId: string;
  source: string;
  ticketId: string;
  /** The TICKET's kind (repair, install, ...); '' for a complaint attributed to no ticket. */
  kind: string;
  /** What opened the case: absent = 'dissatisfied' (a rating); 'complaint' (a complaint text). */
  caseKind?: CaseKind;
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
  /** The local day of the ticket's completion: the period whose reports count this case. */
  day: string;
  /** The customer's rating, when a rating opened the case or came with the complaint. */
  rating?: 1 | 2 | 3;
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

const teamList = (status: CallbackStatus, team: string) => `CB#${status}#T#${team}`;
const regionList = (status: CallbackStatus, region: string) => `CB#${status}#R#${region}`;

function listKeys(status: CallbackStatus, team: string, region: string, openedAt: string, caseId: string) {
  return {
    gsi2pk: teamList(status, team),
    gsi2sk: listPosition({ openedAt, caseId }),
    gsi3pk: regionList(status, region),
    gsi3sk: listPosition({ openedAt, caseId }),
  };
}

type StorageKeys = 'pk' | 'sk' | 'type' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'gsi3pk' | 'gsi3sk';
/** A case as read, without its storage keys (`closedBy`, `overdueAt` are set by close and overdue). */
export type CallbackRecord = Omit<CallbackCase, StorageKeys> & { overdueAt?: string; closedBy?: string };

/** The case without its keys, attributes in their stored order. */
export function callbackRecord(c: CallbackCase): CallbackRecord {
  const {
    pk: _pk,
    sk: _sk,
    type: _t,
    gsi1pk: _1p,
    gsi1sk: _1s,
    gsi2pk: _2p,
    gsi2sk: _2s,
    gsi3pk: _3p,
    gsi3sk: _3s,
    ...rest
  } = c;
  return rest;
}

export async function getCallback(caseId: string): Promise<CallbackCase | undefined> {
  const res = await ddb.send(
    new GetCommand({ TableName: TABLE, Key: callbackKey(caseId), ConsistentRead: true }),
  );
  return res.Item as CallbackCase | undefined;
}

/**
 * The item that opens the case for a rated survey, contact due by `deadline`; written in the
 * rating's own transaction (so a rating never lacks its case, and never has two).
 */
export function putNewCallback(
  survey: SurveyItem,
  rating: 1 | 2 | 3 | undefined,
  comment: string | undefined,
  reasons: number[] | undefined,
  at: Date,
  deadline: Date,
  caseKind: CaseKind = 'dissatisfied',
): TxItem {
  return putCase(
    {
      caseId: survey.surveyId,
      surveyId: survey.surveyId,
      source: survey.source,
      ticketId: survey.ticketId,
      kind: survey.kind,
      engineerId: survey.engineerId,
      engineerName: survey.engineerName,
      team: survey.team,
      region: survey.region,
      day: survey.day,
      phone: survey.phone,
      ...(rating ? { rating } : {}),
      ...(comment ? { comment } : {}),
      ...(reasons?.length ? { reasons } : {}),
      ...(caseKind === 'complaint' ? { caseKind } : {}),
    },
    at,
    deadline,
  );
}

/** Who and what a new case is about (everything but its status, dates, history and keys). */
export type NewCase = Pick<
  CallbackCase,
  | 'caseId'
  | 'surveyId'
  | 'source'
  | 'ticketId'
  | 'kind'
  | 'engineerId'
  | 'engineerName'
  | 'team'
  | 'region'
  | 'day'
  | 'phone'
  | 'rating'
  | 'comment'
  | 'reasons'
  | 'caseKind'
>;

/**
 * The item that opens a case (a complaint with no open survey: caseId `CMP-...`, surveyId ''),
 * contact due by `deadline`, conditional on the case being new (a redelivery opens nothing).
 */
export function putCase(c: NewCase, at: Date, deadline: Date): TxItem {
  const openedAt = at.toISOString();
  const item: CallbackCase = {
    ...callbackKey(c.caseId),
    type: 'callback',
    ...c,
    status: 'open',
    openedAt,
    deadline: deadline.toISOString(),
    history: [{ at: openedAt, by: 'system', action: 'opened' }],
    ttl: retentionTtl(at),
    ...dueKeys(`CALLBACK#${c.caseId}`, deadline),
    ...listKeys('open', c.team, c.region, openedAt, c.caseId),
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * A dissatisfied case still being worked becomes a complaint (the customer complained in their
 * answer to the reasons question): `caseKind` set once, the reasons and comment recorded as
 * `addReasonsToCallback` does, and a history entry says so. Fails if it was closed, changed status
 * or became a complaint meanwhile.
 */
export function upgradeToComplaint(
  c: CallbackCase,
  answer: { reasons: number[]; comment: string | undefined },
  at: Date,
): TxItem {
  // A fixed note, never the customer's words: those are the case's comment (erasure removes it).
  const entry: CallbackHistoryEntry = {
    at: at.toISOString(),
    by: 'customer',
    action: 'note',
    note: '客户投诉',
  };
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(c.caseId),
      UpdateExpression:
        'SET caseKind = :complaint, reasons = :r, history = list_append(history, :h)' +
        (answer.comment ? ', #comment = :c' : ''),
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(caseKind) AND #status = :status',
      ExpressionAttributeNames: { '#status': 'status', ...(answer.comment ? { '#comment': 'comment' } : {}) },
      ExpressionAttributeValues: {
        ':complaint': 'complaint',
        ':r': answer.reasons,
        ':h': [entry],
        ':status': c.status,
        ...(answer.comment ? { ':c': answer.comment } : {}),
      },
    },
  };
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

/**
 * Appends a progress note while the case is still in `status`; the first note records the first
 * contact (`contactedAt`) and takes the case out of the due index, so it never becomes overdue.
 * False when the case is gone or its status changed meanwhile.
 */
export async function addCallbackNote(
  caseId: string,
  status: CallbackStatus,
  entry: CallbackHistoryEntry,
): Promise<boolean> {
  try {
    await transact([
      {
        Update: {
          TableName: TABLE,
          Key: callbackKey(caseId),
          UpdateExpression:
            'SET history = list_append(history, :h), contactedAt = if_not_exists(contactedAt, :at) ' +
            'REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk) AND #status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':h': [entry], ':at': entry.at, ':status': status },
        },
      },
    ]);
    return true;
  } catch (err) {
    if (err instanceof TxConditionFailed) return false;
    throw err;
  }
}

/**
 * The items that close an open or overdue case with its outcome (`entry`, action 'closed'): the
 * case moves to the closed lists and leaves the due index, and the outcome is recorded on the
 * survey beside the customer's rating, never replacing it. Either condition failing = closed already.
 */
export function closeCallbackItems(
  c: CallbackCase,
  entry: CallbackHistoryEntry & { outcome: CallbackOutcome },
): TxItem[] {
  const keys = listKeys('closed', c.team, c.region, c.openedAt, c.caseId);
  const items: TxItem[] = [
    {
      Update: {
        TableName: TABLE,
        Key: callbackKey(c.caseId),
        UpdateExpression:
          'SET #status = :closed, closedAt = :at, closedBy = :by, outcome = :outcome, ' +
          'history = list_append(history, :h), gsi2pk = :g2, gsi3pk = :g3 REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk) AND #status IN (:open, :overdue)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':closed': 'closed',
          ':open': 'open',
          ':overdue': 'overdue',
          ':at': entry.at,
          ':by': entry.by,
          ':outcome': entry.outcome,
          ':h': [entry],
          ':g2': keys.gsi2pk,
          ':g3': keys.gsi3pk,
        },
      },
    },
  ];
  // A complaint no survey owned has no survey to record the outcome on.
  if (!c.surveyId) return items;
  return [
    ...items,
    {
      Update: {
        TableName: TABLE,
        Key: surveyKey(c.surveyId),
        UpdateExpression: 'SET #callback = :cb',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#callback)',
        ExpressionAttributeNames: { '#callback': 'callback' },
        ExpressionAttributeValues: {
          ':cb': { outcome: entry.outcome, channel: 'phone', closedAt: entry.at, by: entry.by },
        },
      },
    },
  ];
}

/**
 * The item that makes an uncontacted open case overdue at `at`, once: status and lists move to
 * overdue and the case leaves the due index. Its condition fails when someone got there first
 * (contact, close, overdue).
 */
export function markOverdueItem(c: CallbackCase, at: Date): TxItem {
  const iso = at.toISOString();
  const keys = listKeys('overdue', c.team, c.region, c.openedAt, c.caseId);
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(c.caseId),
      UpdateExpression:
        'SET #status = :overdue, overdueAt = :at, history = list_append(history, :h), ' +
        'gsi2pk = :g2, gsi3pk = :g3 REMOVE gsi1pk, gsi1sk',
      ConditionExpression: '#status = :open AND attribute_not_exists(contactedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':overdue': 'overdue',
        ':open': 'open',
        ':at': iso,
        ':h': [{ at: iso, by: 'system', action: 'overdue' } satisfies CallbackHistoryEntry],
        ':g2': keys.gsi2pk,
        ':g3': keys.gsi3pk,
      },
    },
  };
}

// --- listing ---------------------------------------------------------------------------------

/** One listing partition: a status of a team's cases (optionally only those also in a region), or of a region's. */
export type CaseListing =
  | { status: CallbackStatus; team: string; alsoInRegion?: string }
  | { status: CallbackStatus; region: string };

/** Where a case sits in every list it is in ({openedAt}#{caseId}): lists are newest first by it. */
export const listPosition = (c: Pick<CallbackCase, 'openedAt' | 'caseId'>): string =>
  `${c.openedAt}#${c.caseId}`;

const POSITION = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\w-]{1,128}$/;
/** Is this a list position as `listPosition` makes them (for positions that come back from clients)? */
export const isListPosition = (s: string): boolean => POSITION.test(s);

/** The newest `want` cases of one listing partition whose position is below `before`. */
export async function listCallbackCases(
  where: CaseListing,
  before: string | undefined,
  want: number,
): Promise<CallbackCase[]> {
  const byTeam = 'team' in where;
  const pkName = byTeam ? 'gsi2pk' : 'gsi3pk';
  const skName = byTeam ? 'gsi2sk' : 'gsi3sk';
  const pk = byTeam ? teamList(where.status, where.team) : regionList(where.status, where.region);
  const region = byTeam ? where.alsoInRegion : undefined;
  const out: CallbackCase[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: byTeam ? LIST_INDEX : REGION_INDEX,
        KeyConditionExpression: before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ...(region ? { FilterExpression: '#region = :region' } : {}),
        ExpressionAttributeNames: {
          '#pk': pkName,
          ...(before ? { '#sk': skName } : {}),
          ...(region ? { '#region': 'region' } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': pk,
          ...(before ? { ':before': before } : {}),
          ...(region ? { ':region': region } : {}),
        },
        ScanIndexForward: false,
        Limit: want,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...((res.Items ?? []) as CallbackCase[]));
    start = res.LastEvaluatedKey;
  } while (start && out.length < want);
  return out.slice(0, want);
}
