import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { type SurveyItem, type SurveyListing, surveyKey } from '#shared/store/survey';
import { LIST_INDEX } from '#shared/store/table';

/**
 * An engineer's dissatisfied answers (rating 3), newest first: a sparse listing on the survey
 * items themselves, gsi2pk=COMMENTS#{engineerId}, gsi2sk={answeredAt}#{surveyId}, set in the
 * transaction that records the rating (`updateSurvey(..., { listing: commentListing(...) })`).
 */
export function commentListing(
  survey: { surveyId: string; engineerId: string },
  answeredAt: Date,
): SurveyListing {
  return {
    gsi2pk: commentPartition(survey.engineerId),
    gsi2sk: `${answeredAt.toISOString()}#${survey.surveyId}`,
  };
}

const commentPartition = (engineerId: string) => `COMMENTS#${engineerId}`;

const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[^#]+$/;

/** Positions of the answers given from `from` (inclusive) to `to` (exclusive), ISO-8601 instants. */
function bounds(range: { from: string; to: string }) {
  return {
    lo: new Date(range.from).toISOString(),
    hi: `${new Date(Date.parse(range.to) - 1).toISOString()}#\uffff`,
  };
}

/** Is this the position of an answer within the range (for positions that come back from clients)? */
export function isCommentPosition(position: string, range: { from: string; to: string }): boolean {
  const { lo, hi } = bounds(range);
  return POSITION.test(position) && position >= lo && position <= hi;
}

export interface CommentEntry {
  survey: SurveyItem;
  /** Where the answer sits in the engineer's list: continue after it with `after`. */
  position: string;
}

export interface CommentPage {
  entries: CommentEntry[];
  /** Present when the list may go on: pass it as `after` for the next page. */
  next?: string;
}

/**
 * One page of the engineer's dissatisfied answers within the range, newest first, at most `limit`,
 * continuing strictly after the position `after` when given (one Query).
 */
export async function listComments(
  engineerId: string,
  range: { from: string; to: string },
  limit: number,
  after?: string,
): Promise<CommentPage> {
  const pk = commentPartition(engineerId);
  const { lo, hi } = bounds(range);
  const res = await ddb.send(
    new QueryCommand({
      TableName: TABLE,
      IndexName: LIST_INDEX,
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': pk, ':lo': lo, ':hi': hi },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: after
        ? { gsi2pk: pk, gsi2sk: after, ...surveyKey(after.slice(after.indexOf('#') + 1)) }
        : undefined,
    }),
  );
  const entries = ((res.Items ?? []) as SurveyItem[]).map((survey) => ({
    survey,
    position: survey.gsi2sk ?? '',
  }));
  const next = res.LastEvaluatedKey?.gsi2sk;
  return { entries, ...(typeof next === 'string' ? { next } : {}) };
}
