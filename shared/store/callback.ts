import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CallbackOutcome, CallbackStatus, CaseKind } from '#shared/domain/types';
import { allShardOf, allShards } from '#shared/store/all-shards';
import { putCaseCustomer } from '#shared/store/case-customer';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { caseRetentionTtl } from '#shared/store/retention';
import { getSurvey, type SurveyItem, surveyKey } from '#shared/store/survey';
import { ALL_INDEX, LIST_INDEX, REGION_INDEX } from '#shared/store/table';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';

/**
 * A callback case (回访, docs/domain.md section 6): opened by a dissatisfied rating, worked by a
 * callback agent, closed with an outcome; or opened by a complaint (`caseKind: 'complaint'`), which a
 * manager reviews before it is closed. One case per survey (caseId = surveyId). Storage only:
 * what opens a case, what a close or a review does (domain/case-loop.ts), who may see it and the
 * alerts it raises are in shared/domain/ and shared/app/callbacks/.
 *
 * Keys: pk=CALLBACK#{caseId}, sk=CALLBACK; while a contact is awaited (the first one, or the first
 * one of a round after a return to handling) the case sits in the due index at its deadline (the
 * scheduler makes it overdue); listing indexes: gsi2pk=CB#{status}#T#{team},
 * gsi3pk=CB#{status}#R#{region}, and for admins gsi4pk=CB#{status}#ALL#{shard} (shard =
 * hash(caseId) % ALL_SHARDS, store/all-shards.ts), all sorted by {openedAt}#{caseId} (the case's
 * list position). Every status change moves all three in the same conditional update. A case
 * written before gsi4 existed has no gsi4 keys until its next status change or the backfill
 * (`allListBackfillItem`, run by infra/ops/backfill-lists.ts).
 * A complaint's progress notice is an item of its own beside the case (store/case-progress.ts).
 * The case's entry in the customer index, for erasure, is an item of its own too (store/case-customer.ts).
 *
 * Every change an agent or a manager makes (close, review) is conditional on the case's `version`
 * (absent = 0) and raises it, so two racing changes never both apply (the loser answers 409).
 * The scheduler's overdue step is conditional on the same version, so it never applies to a round
 * begun since it read the case. TTL: `complaints.retentionDays` after opening, and again after the
 * final close (the archive), independently of the raw-survey retention.
 */

export type { CallbackStatus };

export interface CallbackHistoryEntry {
  at: string;
  by: string;
  action:
    | 'opened'
    | 'reasons'
    | 'note'
    | 'overdue'
    | 'closed'
    /** Closed `resolved_unsatisfied`: back to handling as round `round`. */
    | 'returned'
    /** Closed `resolved_unsatisfied` in the last round: escalated to the region. */
    | 'escalated'
    /** A complaint's handling done, proposed `outcome`: waits for review. */
    | 'submitted'
    /** Review approved: the complaint closed with the proposed outcome. */
    | 'approved'
    /** Review rejected: back to handling. */
    | 'rejected'
    /** The complaint's progress SMS went out. */
    | 'progress_notice';
  note?: string;
  outcome?: CallbackOutcome;
  round?: number;
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
  /** The handling round (absent = 1): raised by every `resolved_unsatisfied` close. */
  round?: number;
  /** The first contact of the current round once it was returned to handling or escalated (cleared then). */
  roundContactedAt?: string;
  /** A complaint in `pending_review`: the outcome its close proposed. */
  proposedOutcome?: CallbackOutcome;
  /** When the case first went overdue (kept through later rounds: it is counted once). */
  overdueAt?: string;
  closedBy?: string;
  escalatedAt?: string;
  reviewedAt?: string;
  reviewedBy?: string;
  /** Raised by every change an agent or a manager makes (optimistic concurrency); absent = 0. */
  version?: number;
  history: CallbackHistoryEntry[];
  ttl?: number;
  erasedAt?: string;
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3pk: string;
  gsi3sk: string;
  /** Absent on cases written before the admins' list existed (until their next change or the backfill). */
  gsi4pk?: string;
  gsi4sk?: string;
}

export const callbackKey = (caseId: string) => ({ pk: `CALLBACK#${caseId}`, sk: 'CALLBACK' as const });

const teamList = (status: CallbackStatus, team: string) => `CB#${status}#T#${team}`;
const regionList = (status: CallbackStatus, region: string) => `CB#${status}#R#${region}`;
const allList = (status: CallbackStatus, shard: number) => `CB#${status}#ALL#${shard}`;

function listKeys(status: CallbackStatus, team: string, region: string, openedAt: string, caseId: string) {
  return {
    gsi2pk: teamList(status, team),
    gsi2sk: listPosition({ openedAt, caseId }),
    gsi3pk: regionList(status, region),
    gsi3sk: listPosition({ openedAt, caseId }),
    gsi4pk: allList(status, allShardOf(caseId)),
    gsi4sk: listPosition({ openedAt, caseId }),
  };
}

type StorageKeys =
  | 'pk'
  | 'sk'
  | 'type'
  | 'gsi1pk'
  | 'gsi1sk'
  | 'gsi2pk'
  | 'gsi2sk'
  | 'gsi3pk'
  | 'gsi3sk'
  | 'gsi4pk'
  | 'gsi4sk';
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
    gsi4pk: _4p,
    gsi4sk: _4s,
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
 * The items that open the dissatisfied case of a survey, contact due by `deadline`; written in
 * the rating's own transaction (so a rating never lacks its case, and never has two). A complaint
 * opens with `putCase` (shared/app/callbacks/open-complaint.ts), with its progress notice.
 */
export function putNewCallback(
  survey: SurveyItem,
  rating: 1 | 2 | 3 | undefined,
  comment: string | undefined,
  reasons: number[] | undefined,
  at: Date,
  deadline: Date,
): TxItem[] {
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
 * The items that open a case (a complaint with no open survey: caseId `CMP-...`, surveyId ''),
 * contact due by `deadline`, conditional on the case being new (a redelivery opens nothing): the
 * case and its entry in the customer index (store/case-customer.ts), kept as long as the case.
 */
export function putCase(c: NewCase, at: Date, deadline: Date): TxItem[] {
  const openedAt = at.toISOString();
  const item: CallbackCase = {
    ...callbackKey(c.caseId),
    type: 'callback',
    ...c,
    status: 'open',
    openedAt,
    deadline: deadline.toISOString(),
    history: [{ at: openedAt, by: 'system', action: 'opened' }],
    ttl: caseRetentionTtl(at),
    ...dueKeys(`CALLBACK#${c.caseId}`, deadline),
    ...listKeys('open', c.team, c.region, openedAt, c.caseId),
  };
  return [
    { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    putCaseCustomer(c.caseId, c.phone, at),
  ];
}

/**
 * A dissatisfied case still being worked becomes a complaint (the customer complained in their
 * answer to the reasons question): `caseKind` set once, the reasons and comment recorded as
 * `addReasonsToCallback` does, and a history entry says so; the version is raised, so a change read
 * before (an agent's close, the scheduler's overdue step) fails and decides again on the complaint.
 * Fails if it was closed, changed status or version, went overdue or became a complaint meanwhile
 * (so that what the caller counts, domain/counters.ts `complaintUpgradeDelta`, matches the case).
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
  const values: Record<string, unknown> = {
    ':complaint': 'complaint',
    ':r': answer.reasons,
    ':h': [entry],
    ':status': c.status,
    ':nextVersion': (c.version ?? 0) + 1,
    ...(answer.comment ? { ':c': answer.comment } : {}),
  };
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(c.caseId),
      UpdateExpression:
        'SET caseKind = :complaint, reasons = :r, history = list_append(history, :h), version = :nextVersion' +
        (answer.comment ? ', #comment = :c' : ''),
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(caseKind) AND #status = :status AND ' +
        `${c.overdueAt ? 'attribute_exists(overdueAt)' : 'attribute_not_exists(overdueAt)'} AND ${versionIs(c, values)}`,
      ExpressionAttributeNames: { '#status': 'status', ...(answer.comment ? { '#comment': 'comment' } : {}) },
      ExpressionAttributeValues: values,
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
 * contact (`contactedAt`; `roundContactedAt` the first of a round after a return to handling) and
 * takes the case out of the due index, so it never becomes overdue.
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
            'SET history = list_append(history, :h), contactedAt = if_not_exists(contactedAt, :at), ' +
            'roundContactedAt = if_not_exists(roundContactedAt, :at) REMOVE gsi1pk, gsi1sk',
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

/** The condition that the case is still at the version it was read at (absent = 0). */
function versionIs(c: CallbackCase, values: Record<string, unknown>): string {
  if (c.version === undefined) return 'attribute_not_exists(version)';
  values[':version'] = c.version;
  return 'version = :version';
}

/**
 * One change an agent or a manager makes to a case, as a transaction item: the case moves to
 * `to` (status and list entries), `entry` is appended to its history, `set` attributes are set and
 * `remove` ones removed, the version is raised; `due` puts the case (back) in the due index at
 * that time, otherwise it leaves it. Conditional on the case still being at the version read and
 * in one of `from`: either failing means someone else changed it first.
 */
function caseChange(
  c: CallbackCase,
  change: {
    from: readonly CallbackStatus[];
    to: CallbackStatus;
    entry: CallbackHistoryEntry;
    set?: Record<string, unknown>;
    remove?: readonly string[];
    due?: Date;
    /** Also conditional on the case not being erased meanwhile (it was not when read). */
    notErased?: boolean;
  },
): TxItem {
  const keys = listKeys(change.to, c.team, c.region, c.openedAt, c.caseId);
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':to': change.to,
    ':h': [change.entry],
    ':g2': keys.gsi2pk,
    ':g3': keys.gsi3pk,
    ':g4': keys.gsi4pk,
    ':g4s': keys.gsi4sk,
    ':nextVersion': (c.version ?? 0) + 1,
  };
  const sets = [
    '#status = :to',
    'history = list_append(history, :h)',
    'gsi2pk = :g2',
    'gsi3pk = :g3',
    'gsi4pk = :g4',
    'gsi4sk = :g4s',
    'version = :nextVersion',
  ];
  Object.entries(change.set ?? {}).forEach(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  const removes = (change.remove ?? []).map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  if (change.due) {
    const due = dueKeys(`CALLBACK#${c.caseId}`, change.due);
    values[':g1p'] = due.gsi1pk;
    values[':g1s'] = due.gsi1sk;
    sets.push('gsi1pk = :g1p', 'gsi1sk = :g1s');
  } else {
    removes.push('gsi1pk', 'gsi1sk');
  }
  const from = change.from.map((s, i) => {
    values[`:from${i}`] = s;
    return `:from${i}`;
  });
  const condition =
    `attribute_exists(pk) AND #status IN (${from.join(', ')}) AND ${versionIs(c, values)}` +
    (change.notErased ? ' AND attribute_not_exists(erasedAt)' : '');
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(c.caseId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The items that end a case for good with its outcome (`entry`: action 'closed' from an agent's
 * close, 'approved' from a complaint's review): the case moves to the closed lists and leaves the
 * due index, its archive (and its customer-index entry, unless the customer was erased) is kept
 * `complaints.retentionDays` from now, and the outcome is recorded on the survey beside the
 * customer's rating, never replacing it. A case outlives its survey (`retention.days`): when the
 * survey is gone, the case closes without it. A condition failing = someone changed the case
 * first (or the survey expired between the read and the write: the next attempt closes without it).
 */
export async function closeCallbackItems(
  c: CallbackCase,
  entry: CallbackHistoryEntry & { outcome: CallbackOutcome },
  from: readonly CallbackStatus[],
  extra: Record<string, unknown> = {},
): Promise<TxItem[]> {
  const at = new Date(entry.at);
  const survey = c.surveyId ? await getSurvey(c.surveyId) : undefined;
  return [
    caseChange(c, {
      from,
      to: 'closed',
      entry,
      set: {
        closedAt: entry.at,
        closedBy: entry.by,
        outcome: entry.outcome,
        ttl: caseRetentionTtl(at),
        ...extra,
      },
      remove: ['proposedOutcome'],
      notErased: !c.erasedAt,
    }),
    ...(c.erasedAt ? [] : [putCaseCustomer(c.caseId, c.phone, at)]),
    ...(survey
      ? [
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
          } satisfies TxItem,
        ]
      : []),
  ];
}

/**
 * Back to handling (`in_progress`), contact due again by `deadline`: after a `resolved_unsatisfied`
 * close (`entry` action 'returned', the next round) or a rejected review ('rejected', same round).
 */
export function returnToHandlingItem(
  c: CallbackCase,
  entry: CallbackHistoryEntry,
  from: readonly CallbackStatus[],
  deadline: Date,
  round: number,
): TxItem {
  return caseChange(c, {
    from,
    to: 'in_progress',
    entry,
    set: { deadline: deadline.toISOString(), round },
    remove: ['roundContactedAt', 'proposedOutcome'],
    due: deadline,
  });
}

/** Still unhappy after the last round: the case goes to the region (`escalated`), out of the due index. */
export function escalateItem(
  c: CallbackCase,
  entry: CallbackHistoryEntry,
  from: readonly CallbackStatus[],
): TxItem {
  return caseChange(c, {
    from,
    to: 'escalated',
    entry,
    set: { escalatedAt: entry.at },
    remove: ['roundContactedAt'],
  });
}

/** A complaint's handling is done with `outcome` proposed: it waits for a manager's review. */
export function submitForReviewItem(
  c: CallbackCase,
  entry: CallbackHistoryEntry & { outcome: CallbackOutcome },
  from: readonly CallbackStatus[],
): TxItem {
  return caseChange(c, { from, to: 'pending_review', entry, set: { proposedOutcome: entry.outcome } });
}

/** Who reviewed a complaint and when (set with the review's own change). */
export const reviewFields = (at: string, by: string) => ({ reviewedAt: at, reviewedBy: by });

/**
 * A rejected review: back to handling with a new deadline, the reviewer recorded.
 */
export function rejectReviewItem(c: CallbackCase, entry: CallbackHistoryEntry, deadline: Date): TxItem {
  return caseChange(c, {
    from: ['pending_review'],
    to: 'in_progress',
    entry,
    set: { deadline: deadline.toISOString(), round: c.round ?? 1, ...reviewFields(entry.at, entry.by) },
    remove: ['roundContactedAt', 'proposedOutcome'],
    due: deadline,
  });
}

/** An approved review: the complaint is closed for good with its proposed outcome, the reviewer recorded. */
export function approveReviewItems(
  c: CallbackCase,
  entry: CallbackHistoryEntry & { outcome: CallbackOutcome },
): Promise<TxItem[]> {
  return closeCallbackItems(c, entry, ['pending_review'], reviewFields(entry.at, entry.by));
}

/**
 * The item that makes a case awaiting its contact (`open`, or `in_progress` after a return)
 * overdue at `at`: status and lists move to overdue, `overdueAt` keeps the first time it ever
 * went overdue, and the case leaves the due index. Its condition fails when someone got there
 * first (contact, close, overdue, a new round since the case was read).
 */
export function markOverdueItem(c: CallbackCase, at: Date): TxItem {
  const iso = at.toISOString();
  const keys = listKeys('overdue', c.team, c.region, c.openedAt, c.caseId);
  const values: Record<string, unknown> = {
    ':overdue': 'overdue',
    ':from': c.status,
    ':at': iso,
    ':h': [{ at: iso, by: 'system', action: 'overdue' } satisfies CallbackHistoryEntry],
    ':g2': keys.gsi2pk,
    ':g3': keys.gsi3pk,
    ':g4': keys.gsi4pk,
    ':g4s': keys.gsi4sk,
  };
  const contact = c.status === 'open' ? 'contactedAt' : 'roundContactedAt';
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(c.caseId),
      UpdateExpression:
        'SET #status = :overdue, overdueAt = if_not_exists(overdueAt, :at), history = list_append(history, :h), ' +
        'gsi2pk = :g2, gsi3pk = :g3, gsi4pk = :g4, gsi4sk = :g4s REMOVE gsi1pk, gsi1sk',
      ConditionExpression:
        `#status = :from AND attribute_not_exists(${contact}) AND ` +
        `${c.overdueAt ? 'attribute_exists(overdueAt)' : 'attribute_not_exists(overdueAt)'} AND ${versionIs(c, values)}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Appends a system entry (the complaint's progress notice) to a case that is not closed and not
 * erased; its condition failing means the notice is no longer wanted.
 */
export function appendWhileUnclosedItem(caseId: string, entry: CallbackHistoryEntry): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(caseId),
      UpdateExpression: 'SET history = list_append(history, :h)',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :closed AND attribute_not_exists(erasedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':h': [entry], ':closed': 'closed' },
    },
  };
}

// --- listing ---------------------------------------------------------------------------------

/**
 * One listing: a status of a team's cases (optionally only those also in a region), of a region's,
 * or of every case (`all`: the admins' list, every shard of gsi4 read together).
 */
export type CaseListing =
  | { status: CallbackStatus; team: string; alsoInRegion?: string }
  | { status: CallbackStatus; region: string }
  | { status: CallbackStatus; all: true };

/** What a list keeps of the cases it reads (a FilterExpression on the index query). */
export interface CaseFilter {
  caseKind?: CaseKind;
  engineerId?: string;
}

/** What one listing read: the cases kept, and, unless it was read to its end, how far it was read. */
export interface CaseListRead {
  items: CallbackCase[];
  /**
   * The position of the last case evaluated when the listing was not read to its end: every case
   * at or above it was (kept or filtered out), none below it.
   */
  readTo?: string;
}

/** Where a case sits in every list it is in ({openedAt}#{caseId}): lists are newest first by it. */
export const listPosition = (c: Pick<CallbackCase, 'openedAt' | 'caseId'>): string =>
  `${c.openedAt}#${c.caseId}`;

const POSITION = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\w-]{1,128}$/;
/** Is this a list position as `listPosition` makes them (for positions that come back from clients)? */
export const isListPosition = (s: string): boolean => POSITION.test(s);

/** A Query page of a filtered listing reads at most this many cases. */
const FILTERED_PAGE = 100;

/**
 * The newest cases of one listing whose position is below `before`, newest first, kept by
 * `filter`: read until `want` are kept, the listing ends, or `budget` cases were evaluated
 * (then `readTo` says how far). An `all` listing reads its shards in parallel, each with its share
 * of the budget; `readTo` is then the highest of theirs (everything above it was read in all).
 */
export async function listCallbackCases(
  where: CaseListing,
  before: string | undefined,
  want: number,
  filter: CaseFilter = {},
  budget: number = want,
): Promise<CaseListRead> {
  if ('all' in where) {
    const share = Math.max(want, Math.ceil(budget / allShards().length));
    const reads = await Promise.all(
      allShards().map((shard) =>
        queryListing(
          ALL_INDEX,
          'gsi4pk',
          'gsi4sk',
          allList(where.status, shard),
          before,
          want,
          filter,
          share,
        ),
      ),
    );
    const stops = reads.flatMap((r) => (r.readTo ? [r.readTo] : []));
    const readTo = stops.sort().at(-1);
    return { items: reads.flatMap((r) => r.items), ...(readTo ? { readTo } : {}) };
  }
  if ('team' in where) {
    const pk = teamList(where.status, where.team);
    const f = where.alsoInRegion !== undefined ? { ...filter, region: where.alsoInRegion } : filter;
    return queryListing(LIST_INDEX, 'gsi2pk', 'gsi2sk', pk, before, want, f, budget);
  }
  const pk = regionList(where.status, where.region);
  return queryListing(REGION_INDEX, 'gsi3pk', 'gsi3sk', pk, before, want, filter, budget);
}

function filterExpression(filter: CaseFilter & { region?: string }) {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (filter.region !== undefined) {
    terms.push('#region = :region');
    names['#region'] = 'region';
    values[':region'] = filter.region;
  }
  if (filter.caseKind !== undefined) {
    // absent = dissatisfied (a rating opened it)
    terms.push(
      filter.caseKind === 'dissatisfied'
        ? '(attribute_not_exists(#caseKind) OR #caseKind = :caseKind)'
        : '#caseKind = :caseKind',
    );
    names['#caseKind'] = 'caseKind';
    values[':caseKind'] = filter.caseKind;
  }
  if (filter.engineerId !== undefined) {
    terms.push('#engineerId = :engineerId');
    names['#engineerId'] = 'engineerId';
    values[':engineerId'] = filter.engineerId;
  }
  return terms.length ? { expression: terms.join(' AND '), names, values } : undefined;
}

async function queryListing(
  indexName: string,
  pkName: string,
  skName: string,
  pk: string,
  before: string | undefined,
  want: number,
  filter: CaseFilter & { region?: string },
  budget: number,
): Promise<CaseListRead> {
  const f = filterExpression(filter);
  const out: CallbackCase[] = [];
  let read = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: indexName,
        KeyConditionExpression: before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ...(f ? { FilterExpression: f.expression } : {}),
        ExpressionAttributeNames: { '#pk': pkName, ...(before ? { '#sk': skName } : {}), ...f?.names },
        ExpressionAttributeValues: { ':pk': pk, ...(before ? { ':before': before } : {}), ...f?.values },
        ScanIndexForward: false,
        Limit: f ? Math.max(1, Math.min(FILTERED_PAGE, budget - read)) : want - out.length,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...((res.Items ?? []) as CallbackCase[]));
    read += res.ScannedCount ?? res.Items?.length ?? 0;
    start = res.LastEvaluatedKey;
  } while (start && out.length < want && read < budget);
  const readTo = start?.[skName];
  return { items: out, ...(typeof readTo === 'string' ? { readTo } : {}) };
}

// --- the backfill of the admins' list (operations: infra/ops/backfill-lists.ts) ---------------

/** Whether a raw item (as a Scan reads it) is a case missing its entry in the admins' list. */
export const lacksAllListEntry = (item: Record<string, unknown>): boolean =>
  item.type === 'callback' && item.gsi4pk === undefined;

/**
 * Gives a case written before the admins' list existed its gsi4 entry for the status it was read
 * in; conditional on that status and on the entry still missing (a change since wrote it itself).
 */
export function allListBackfillItem(c: Pick<CallbackCase, 'caseId' | 'status' | 'openedAt'>): TxItem {
  const keys = listKeys(c.status, '', '', c.openedAt, c.caseId);
  return {
    Update: {
      TableName: TABLE,
      Key: callbackKey(c.caseId),
      UpdateExpression: 'SET gsi4pk = :g4, gsi4sk = :g4s',
      ConditionExpression: 'attribute_exists(pk) AND #status = :status AND attribute_not_exists(gsi4pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':g4': keys.gsi4pk, ':g4s': keys.gsi4sk, ':status': c.status },
    },
  };
}
