import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/app/errors';
import { deliverOutbox } from '#shared/app/sms/deliver-outbox';
import { config } from '#shared/config/config';
import { maskPhone } from '#shared/domain/phone';
import type { Alert } from '#shared/gateways/alerts';
import type { Principal } from '#shared/http/auth';
import { now } from '#shared/runtime/clock';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates, type Counter } from '#shared/store/aggregate';
import {
  type CallbackCase,
  type CallbackHistoryEntry,
  type CallbackOutcome,
  type CallbackStatus,
  callbackKey,
  getCallback,
  listKeys,
} from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { putAlert } from '#shared/store/outbox';
import { surveyKey } from '#shared/store/survey';
import { LIST_INDEX, REGION_INDEX } from '#shared/store/table';
import { TxConditionFailed, type TxItem, transact } from '#shared/store/tx';

/**
 * Working callback cases (回访, domain.md section 6): listing, reading, progress notes, closing
 * with an outcome, and the scheduler's step that makes an uncontacted case overdue.
 *
 * Access, enforced here:
 * - `admin`: every case; a list needs `team` or `region` (there is no index over all teams).
 * - `manager` and `agent`: cases whose team is in the token's teams or whose region is in its
 *   regions; both may add notes and close (the agent calls, the manager reviews). A list without
 *   filter covers every team and region of the token.
 * - `engineer`: nothing (403).
 * A case outside the principal's scope and a case that does not exist answer the same 403 to
 * anyone but an admin, so that ids cannot be probed. Only `agent` and `admin` see the customer's
 * full phone, and only on a single case; lists always show it masked.
 */

const outcomeCounter = {
  resolved_satisfied: 'callbacksResolvedSatisfied',
  resolved_unsatisfied: 'callbacksResolvedUnsatisfied',
  unreachable: 'callbacksUnreachable',
} as const satisfies Record<CallbackOutcome, Counter>;

type StoredCase = CallbackCase & { overdueAt?: string; closedBy?: string };
type StorageKeys = 'pk' | 'sk' | 'type' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'gsi3pk' | 'gsi3sk';

/** What a person reads of a case: no keys, the phone masked unless they may call the customer. */
export type CallbackView = Omit<StoredCase, StorageKeys | 'history'> & { history?: CallbackHistoryEntry[] };

function view(c: StoredCase, fullPhone: boolean, withHistory: boolean): CallbackView {
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
    history,
    phone,
    ...rest
  } = c;
  return {
    ...rest,
    phone: fullPhone ? phone : maskPhone(phone),
    ...(withHistory ? { history } : {}),
  };
}

function denyEngineer(p: Principal): void {
  if (p.role === 'engineer') throw new ForbiddenError();
}

function inScope(p: Principal, c: Pick<CallbackCase, 'team' | 'region'>): boolean {
  return p.role === 'admin' || p.teams.includes(c.team) || p.regions.includes(c.region);
}

/** The case if the principal may see it; otherwise 403 (404 only for an admin). */
async function caseFor(p: Principal, caseId: string): Promise<StoredCase> {
  denyEngineer(p);
  const c = (await getCallback(caseId)) as StoredCase | undefined;
  if (c && inScope(p, c)) return c;
  if (p.role === 'admin') throw new NotFoundError(`no callback case ${caseId}`);
  throw new ForbiddenError();
}

const seesFullPhone = (p: Principal) => p.role === 'admin' || p.role === 'agent';

// --- listing -------------------------------------------------------------------------------

export interface ListQuery {
  statuses: CallbackStatus[];
  team?: string;
  region?: string;
  limit: number;
  cursor?: string;
}

export interface ListPage {
  items: CallbackView[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  cursor?: string;
}

const SORT_KEY = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#[\w-]{1,128}$/;

function encodeCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ before: sortKey }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof parsed.before === 'string' && SORT_KEY.test(parsed.before)) return parsed.before;
  } catch {
    // fall through
  }
  throw new ValidationError([{ field: 'cursor', message: 'not a cursor this API returned' }]);
}

interface Partition {
  index: typeof LIST_INDEX | typeof REGION_INDEX;
  pkName: 'gsi2pk' | 'gsi3pk';
  skName: 'gsi2sk' | 'gsi3sk';
  pk: string;
  /** Only with both team and region: the region the team's cases must also be in. */
  region?: string;
}

const byTeam = (status: CallbackStatus, team: string): Partition => ({
  index: LIST_INDEX,
  pkName: 'gsi2pk',
  skName: 'gsi2sk',
  pk: `CB#${status}#T#${team}`,
});
const byRegion = (status: CallbackStatus, region: string): Partition => ({
  index: REGION_INDEX,
  pkName: 'gsi3pk',
  skName: 'gsi3sk',
  pk: `CB#${status}#R#${region}`,
});

/** The newest `want` cases of one listing partition older than `before`. */
async function queryPartition(
  part: Partition,
  before: string | undefined,
  want: number,
): Promise<StoredCase[]> {
  const out: StoredCase[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: part.index,
        KeyConditionExpression: before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ...(part.region ? { FilterExpression: '#region = :region' } : {}),
        ExpressionAttributeNames: {
          '#pk': part.pkName,
          ...(before ? { '#sk': part.skName } : {}),
          ...(part.region ? { '#region': 'region' } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': part.pk,
          ...(before ? { ':before': before } : {}),
          ...(part.region ? { ':region': part.region } : {}),
        },
        ScanIndexForward: false,
        Limit: want,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...((res.Items ?? []) as StoredCase[]));
    start = res.LastEvaluatedKey;
  } while (start && out.length < want);
  return out.slice(0, want);
}

/**
 * Cases by status, newest first, one Query per (status, team or region) merged; the cursor is the
 * sort key of the last case returned, so each page continues strictly below it.
 */
export async function listCallbacks(p: Principal, q: ListQuery): Promise<ListPage> {
  denyEngineer(p);
  const teams: string[] = [];
  const regions: string[] = [];
  let regionFilter: string | undefined;
  if (q.team !== undefined && q.region !== undefined) {
    if (!inScope(p, { team: q.team, region: q.region })) throw new ForbiddenError();
    teams.push(q.team);
    regionFilter = q.region;
  } else if (q.team !== undefined) {
    if (p.role !== 'admin' && !p.teams.includes(q.team)) throw new ForbiddenError();
    teams.push(q.team);
  } else if (q.region !== undefined) {
    if (p.role !== 'admin' && !p.regions.includes(q.region)) throw new ForbiddenError();
    regions.push(q.region);
  } else if (p.role === 'admin') {
    throw new ValidationError([
      { field: 'team', message: 'give team or region: cases are listed per team or per region' },
    ]);
  } else {
    teams.push(...new Set(p.teams));
    regions.push(...new Set(p.regions));
  }
  const before = q.cursor ? decodeCursor(q.cursor) : undefined;
  const partitions = q.statuses.flatMap((s) => [
    ...teams.map((t) => ({ ...byTeam(s, t), ...(regionFilter ? { region: regionFilter } : {}) })),
    ...regions.map((r) => byRegion(s, r)),
  ]);
  const want = q.limit + 1;
  const found = (await Promise.all(partitions.map((part) => queryPartition(part, before, want)))).flat();
  // A case found both by its team and by its region is listed once.
  const distinct = new Map(found.map((c) => [c.caseId, c]));
  const merged = [...distinct.values()].sort((a, b) =>
    a.gsi2sk < b.gsi2sk ? 1 : a.gsi2sk > b.gsi2sk ? -1 : 0,
  );
  const page = merged.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((c) => view(c, false, false)),
    ...(merged.length > q.limit && last ? { cursor: encodeCursor(last.gsi2sk) } : {}),
  };
}

// --- one case ------------------------------------------------------------------------------

export async function getCallbackCase(p: Principal, caseId: string): Promise<CallbackView> {
  return view(await caseFor(p, caseId), seesFullPhone(p), true);
}

/**
 * A progress note. The first one records the first contact (`contactedAt`) and takes the case
 * out of the due index, so it never becomes overdue; a case already past its deadline is made
 * overdue first (as the scheduler would have), and stays overdue until closed.
 */
export async function addCallbackNote(p: Principal, caseId: string, note: string): Promise<CallbackView> {
  for (let attempt = 1; ; attempt++) {
    const c = await caseFor(p, caseId);
    if (c.status === 'closed') throw new ConflictError('the callback case is closed');
    const at = now();
    if (attempt < 5 && isPastDeadline(c, at)) {
      await markOverdue(c, at);
      continue;
    }
    const entry: CallbackHistoryEntry = {
      at: at.toISOString(),
      by: p.subject,
      action: 'note',
      note,
    };
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
            ExpressionAttributeValues: { ':h': [entry], ':at': entry.at, ':status': c.status },
          },
        },
      ]);
    } catch (err) {
      // closed, or made overdue, since we read it: decide again
      if (err instanceof TxConditionFailed && attempt < 5) continue;
      throw err;
    }
    return getCallbackCase(p, caseId);
  }
}

/**
 * Closes the case with its outcome, once: the case moves to the closed lists, the outcome is
 * recorded on the survey beside the customer's rating (never replacing it), and counted in the
 * aggregates of the survey's day, all in one transaction. A second close answers 409.
 */
export async function closeCallback(
  p: Principal,
  caseId: string,
  input: { outcome: CallbackOutcome; note: string },
): Promise<CallbackView> {
  const c = await caseFor(p, caseId);
  if (c.status === 'closed') throw new ConflictError('the callback case is already closed');
  const at = now();
  // Not contacted by its deadline: it was overdue, whether or not the scheduler has run yet.
  if (isPastDeadline(c, at)) await markOverdue(c, at);
  const iso = at.toISOString();
  const entry: CallbackHistoryEntry = {
    at: iso,
    by: p.subject,
    action: 'closed',
    outcome: input.outcome,
    note: input.note,
  };
  const keys = listKeys('closed', c.team, c.region, c.openedAt, c.caseId);
  try {
    await transact([
      {
        Update: {
          TableName: TABLE,
          Key: callbackKey(caseId),
          UpdateExpression:
            'SET #status = :closed, closedAt = :at, closedBy = :by, outcome = :outcome, ' +
            'history = list_append(history, :h), gsi2pk = :g2, gsi3pk = :g3 REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:open, :overdue)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':closed': 'closed',
            ':open': 'open',
            ':overdue': 'overdue',
            ':at': iso,
            ':by': p.subject,
            ':outcome': input.outcome,
            ':h': [entry],
            ':g2': keys.gsi2pk,
            ':g3': keys.gsi3pk,
          },
        },
      },
      {
        Update: {
          TableName: TABLE,
          Key: surveyKey(c.surveyId),
          UpdateExpression: 'SET #callback = :cb',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#callback)',
          ExpressionAttributeNames: { '#callback': 'callback' },
          ExpressionAttributeValues: {
            ':cb': { outcome: input.outcome, channel: 'phone', closedAt: iso, by: p.subject },
          },
        },
      },
      ...aggregateUpdates(c.day, c, { callbacksClosed: 1, [outcomeCounter[input.outcome]]: 1 }),
    ]);
  } catch (err) {
    if (err instanceof TxConditionFailed) throw new ConflictError('the callback case is already closed');
    throw err;
  }
  logger.info('callback case closed', { caseId, outcome: input.outcome });
  return getCallbackCase(p, caseId);
}

// --- overdue (scheduler) ---------------------------------------------------------------------

const RATING_WORDS = { 1: '满意', 2: '基本满意', 3: '不满意' } as const;

/**
 * Makes an uncontacted open case overdue, once: status and lists move to overdue, the case leaves
 * the due index, the engineer's day counts it, and one escalation alert to the region level is
 * queued in the same transaction. False when someone got there first (contact, close, overdue).
 */
async function markOverdue(c: CallbackCase, at: Date): Promise<boolean> {
  const iso = at.toISOString();
  const keys = listKeys('overdue', c.team, c.region, c.openedAt, c.caseId);
  const alertId = `${c.caseId}#overdue`;
  const alert: Alert = {
    kind: 'callback_overdue',
    level: 'region',
    team: c.team,
    region: c.region,
    caseId: c.caseId,
    subject: `回访超时：${c.region} ${c.team} 案件未按时联系客户`,
    message:
      `客户 ${maskPhone(c.phone)} 对 ${c.engineerName}（${c.team}）的服务评价为${RATING_WORDS[c.rating]}，` +
      `工单 ${c.ticketId}。回访案件 ${c.caseId} 已超过 ${config.rules.callbacks.contactWithinHours} 小时` +
      '仍未联系客户，请区域负责人督促跟进。',
  };
  const items: TxItem[] = [
    {
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
    },
    ...aggregateUpdates(c.day, c, { callbacksOverdue: 1 }),
    putAlert(alertId, alert, at),
  ];
  try {
    await transact(items);
  } catch (err) {
    if (err instanceof TxConditionFailed) return false;
    throw err;
  }
  await deliverOutbox(alertId);
  return true;
}

const isPastDeadline = (c: CallbackCase, at: Date) =>
  c.status === 'open' && !c.contactedAt && Date.parse(c.deadline) <= at.getTime();

/** The scheduler's step for a callback case in the due index (see run-due-work.ts). */
export async function callbackDue(item: CallbackCase, at: Date): Promise<string> {
  if (!isPastDeadline(item, at)) return 'skipped';
  return (await markOverdue(item, at)) ? 'callbacksOverdue' : 'skipped';
}
