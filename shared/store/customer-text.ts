import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { allShardOf, allShards } from '#shared/store/all-shards';
import { ddb, TABLE } from '#shared/store/client';
import { customerKeys, retentionTtl } from '#shared/store/retention';
import { ALL_INDEX, DUE_INDEX, LIST_INDEX } from '#shared/store/table';
import type { TxItem } from '#shared/store/tx';

/**
 * A customer's text kept as it came (每诉必录: recorded, never dropped, docs/domain.md section 6):
 * every inbound SMS that is neither a rating nor an opt-out (nor the answer to the reasons
 * question, which the survey keeps), and every complaint, cleaned (domain/free-text.ts) before it
 * is stored. Written in the inbound message's own transaction, so a redelivery records nothing twice.
 *
 * Keys: pk=TEXT#{textId}, sk=TEXT, textId = the first 32 hex digits of SHA-256(inboundMessageId). Listed for managers by the team and by the region it
 * is attributed to (the open survey's, or the phone's last surveyed ticket's, or `_unattributed`):
 * gsi2 TEXTS#T#{team} / {receivedAt}#{textId} and gsi1 TEXTS#R#{region} / {receivedAt}#{textId}
 * (gsi1 also holds the due index under DUE#{slot}; these partitions are never read as due work);
 * every text for admins: gsi4 TEXTS#ALL#{shard} / {receivedAt}#{textId} (shard = hash(textId) %
 * ALL_SHARDS, store/all-shards.ts; texts written before it get it from `allTextsBackfillItem`);
 * found for erasure through gsi3 CUST#{phone} / {pk}.
 */
export interface CustomerTextItem {
  pk: string;
  sk: 'TEXT';
  type: 'text';
  textId: string;
  inboundMessageId: string;
  receivedAt: string;
  /** The customer's phone in full (E.164); masked wherever a person reads it. */
  phone: string;
  /** Cleaned (domain/free-text.ts). */
  text: string;
  /** A complaint (it opened or joined case `caseId`), or any other text. */
  textKind: 'complaint' | 'text';
  /** What the message came to (the inbound outcome: commented, reprompted, no_open_survey, ...). */
  outcome: string;
  surveyId?: string;
  caseId?: string;
  source: string;
  ticketId: string;
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
  ttl: number;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3pk: string;
  gsi3sk: string;
  /** Absent on texts written before the admins' list existed (until the backfill). */
  gsi4pk?: string;
  gsi4sk?: string;
}

export type NewCustomerText = Omit<
  CustomerTextItem,
  | 'pk'
  | 'sk'
  | 'type'
  | 'ttl'
  | 'gsi1pk'
  | 'gsi1sk'
  | 'gsi2pk'
  | 'gsi2sk'
  | 'gsi3pk'
  | 'gsi3sk'
  | 'gsi4pk'
  | 'gsi4sk'
>;

/** The id of the text an inbound message records: fixed by the message, so a redelivery finds it. */
export const textIdFor = (inboundMessageId: string): string =>
  createHash('sha256').update(inboundMessageId).digest('hex').slice(0, 32);

export const customerTextKey = (textId: string) => ({ pk: `TEXT#${textId}`, sk: 'TEXT' as const });

const teamList = (team: string) => `TEXTS#T#${team}`;
const regionList = (region: string) => `TEXTS#R#${region}`;
const allPartition = (shard: number) => `TEXTS#ALL#${shard}`;
const allList = (textId: string) => allPartition(allShardOf(textId));

/** Where a text sits in its lists ({receivedAt}#{textId}): newest first by it. */
export const textPosition = (t: Pick<CustomerTextItem, 'receivedAt' | 'textId'>): string =>
  `${t.receivedAt}#${t.textId}`;

const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[0-9a-f]{32}$/;
/** Is this a list position as `textPosition` makes them (for positions that come back from clients)? */
export const isTextPosition = (s: string): boolean => POSITION.test(s);

/** The item recording the text, for the inbound message's transaction (new only: a redelivery fails it). */
export function putCustomerText(t: NewCustomerText): TxItem {
  const key = customerTextKey(t.textId);
  const position = textPosition(t);
  const item: CustomerTextItem = {
    ...key,
    type: 'text',
    ...t,
    ttl: retentionTtl(new Date(t.receivedAt)),
    gsi1pk: regionList(t.region),
    gsi1sk: position,
    gsi2pk: teamList(t.team),
    gsi2sk: position,
    gsi4pk: allList(t.textId),
    gsi4sk: position,
    ...customerKeys(t.phone, key.pk),
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** One listing: a team's texts (optionally only those also in a region), a region's, or every text (admins). */
export type TextListing = { team: string; alsoInRegion?: string } | { region: string } | { all: true };

/**
 * The newest `want` texts of one listing received within [from, to) (ISO instants) whose position
 * is below `before` when given. One Query per page of the partition, never a Scan.
 */
export async function listCustomerTexts(
  where: TextListing,
  range: { from: string; to: string },
  before: string | undefined,
  want: number,
): Promise<CustomerTextItem[]> {
  if ('all' in where) {
    // every shard of gsi4, each its newest `want`: the caller merges them by position
    const shards = await Promise.all(
      allShards().map((shard) =>
        queryTexts(ALL_INDEX, 'gsi4pk', 'gsi4sk', allPartition(shard), undefined, range, before, want),
      ),
    );
    return shards.flat();
  }
  const byTeam = 'team' in where;
  return queryTexts(
    byTeam ? LIST_INDEX : DUE_INDEX,
    byTeam ? 'gsi2pk' : 'gsi1pk',
    byTeam ? 'gsi2sk' : 'gsi1sk',
    byTeam ? teamList(where.team) : regionList(where.region),
    byTeam ? where.alsoInRegion : undefined,
    range,
    before,
    want,
  );
}

async function queryTexts(
  indexName: string,
  pkName: string,
  skName: string,
  pk: string,
  region: string | undefined,
  range: { from: string; to: string },
  before: string | undefined,
  want: number,
): Promise<CustomerTextItem[]> {
  const lo = new Date(range.from).toISOString();
  const hi = `${new Date(Date.parse(range.to) - 1).toISOString()}#\uffff`;
  const upper = before !== undefined && before < hi ? before : hi;
  const out: CustomerTextItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ...(region !== undefined ? { FilterExpression: '#region = :region' } : {}),
        ExpressionAttributeNames: {
          '#pk': pkName,
          '#sk': skName,
          ...(region !== undefined ? { '#region': 'region' } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': pk,
          ':lo': lo,
          ':hi': upper,
          ...(region !== undefined ? { ':region': region } : {}),
        },
        ScanIndexForward: false,
        // one more than wanted: BETWEEN includes `before` itself, which is dropped below
        Limit: want + 1,
        ExclusiveStartKey: start,
      }),
    );
    for (const t of (res.Items ?? []) as CustomerTextItem[]) {
      if (before === undefined || textPosition(t) < before) out.push(t);
    }
    start = res.LastEvaluatedKey;
  } while (start && out.length < want);
  return out.slice(0, want);
}

/** Whether a raw item (as a Scan reads it) is a text missing its entry in the admins' list. */
export const lacksAllTextsEntry = (item: Record<string, unknown>): boolean =>
  item.type === 'text' && item.gsi4pk === undefined;

/** Gives a text written before the admins' list existed its gsi4 entry (if it is still there and lacks it). */
export function allTextsBackfillItem(t: Pick<CustomerTextItem, 'textId' | 'receivedAt'>): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: customerTextKey(t.textId),
      UpdateExpression: 'SET gsi4pk = :g4, gsi4sk = :g4s',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi4pk)',
      ExpressionAttributeValues: { ':g4': allList(t.textId), ':g4s': textPosition(t) },
    },
  };
}
