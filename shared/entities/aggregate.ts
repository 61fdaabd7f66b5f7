import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/db/client';
import type { TxItem } from '#shared/db/tx';

/**
 * Per-engineer daily aggregates, one item per engineer and local day of completion, grouped by
 * month: pk=AGG#{yyyy-mm}, sk={dd}#{engineerId}. Reports read these, never raw responses, so a
 * month report costs at most one item per engineer per day whatever the number of responses.
 */
export const counters = [
  'completed',
  'reopened',
  'suppressed',
  'suppressedOptedOut',
  'suppressedRecentlySurveyed',
  'suppressedStaffPhone',
  'suppressedKindNotSurveyed',
  'cancelled',
  'surveyed',
  'reminded',
  'responses',
  'satisfied',
  'basicallySatisfied',
  'dissatisfied',
  'unrated',
  'expired',
  'optedOut',
  'contactOnTime',
  'contactApplicable',
  'repairOnTime',
  'repairApplicable',
  'punctual',
  'punctualApplicable',
  'reason1',
  'reason2',
  'reason3',
  'reason4',
  'reason5',
  'reason6',
  'callbacksOpened',
  'callbacksOverdue',
  'callbacksClosed',
  'callbacksResolvedSatisfied',
  'callbacksResolvedUnsatisfied',
  'callbacksUnreachable',
] as const;
export type Counter = (typeof counters)[number];
export type Counts = Record<Counter, number>;

export interface EngineerRef {
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
}

export interface AggregateItem extends EngineerRef, Partial<Counts> {
  day: string;
}

export function aggKey(day: string, engineerId: string) {
  return { pk: `AGG#${day.slice(0, 7)}`, sk: `${day.slice(8, 10)}#${engineerId}` };
}

/**
 * One engineer's days in order (ENGINEER_DAYS_INDEX, gsi3 overloaded): gsi3pk=AGGENG#{engineerId},
 * gsi3sk={yyyy-mm-dd}. Lets a report over any range read only that engineer's items.
 */
export function aggEngineerIndexKey(day: string, engineerId: string) {
  return { gsi3pk: `AGGENG#${engineerId}`, gsi3sk: day };
}

/** A transaction item adding `delta` to the engineer's counters for the day. */
export function addToAggregate(day: string, eng: EngineerRef, delta: Partial<Counts>): TxItem {
  const adds = Object.entries(delta).filter(([, v]) => v !== undefined && v !== 0);
  const values: Record<string, unknown> = {
    ':id': eng.engineerId,
    ':name': eng.engineerName,
    ':team': eng.team,
    ':region': eng.region,
    ':day': day,
    ':gpk': aggEngineerIndexKey(day, eng.engineerId).gsi3pk,
  };
  const names: Record<string, string> = { '#region': 'region', '#day': 'day' };
  const addParts = adds.map(([k, v], i) => {
    values[`:a${i}`] = v;
    names[`#c${i}`] = k;
    return `#c${i} :a${i}`;
  });
  return {
    Update: {
      TableName: TABLE,
      Key: aggKey(day, eng.engineerId),
      UpdateExpression:
        'SET engineerId = :id, engineerName = :name, team = :team, #region = :region, #day = :day, gsi3pk = :gpk, gsi3sk = :day' +
        (addParts.length ? ` ADD ${addParts.join(', ')}` : ''),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Every aggregate item for the given local days (grouped into one ranged Query per month). */
export async function queryAggregates(days: string[]): Promise<AggregateItem[]> {
  const byMonth = new Map<string, string[]>();
  for (const d of days) {
    const m = d.slice(0, 7);
    byMonth.set(m, [...(byMonth.get(m) ?? []), d]);
  }
  const out: AggregateItem[] = [];
  await Promise.all(
    [...byMonth.entries()].map(async ([month, ds]) => {
      const sorted = [...ds].sort();
      const first = (sorted[0] as string).slice(8, 10);
      const last = (sorted[sorted.length - 1] as string).slice(8, 10);
      let start: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': `AGG#${month}`,
              ':from': `${first}#`,
              ':to': `${last}#\uffff`,
            },
            ExclusiveStartKey: start,
          }),
        );
        out.push(...((res.Items ?? []) as AggregateItem[]));
        start = res.LastEvaluatedKey;
      } while (start);
    }),
  );
  return out;
}
