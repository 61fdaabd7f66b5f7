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

/**
 * The sort-key bounds of the answers given in [from, to) (ISO instants): a cursor (the sort key of
 * the last answer seen) is only valid between them.
 */
export function commentBounds(from: string, to: string): { lo: string; hi: string } {
  return {
    lo: new Date(from).toISOString(),
    hi: `${new Date(Date.parse(to) - 1).toISOString()}#\uffff`,
  };
}

export interface CommentPage {
  items: SurveyItem[];
  /** The sort key (gsi2sk) of the last item when more follow, to pass as `after`; null at the end. */
  next: string | null;
}

/**
 * Up to `limit` of the engineer's dissatisfied answers given in [from, to) that `keep` accepts,
 * newest first, after the one whose sort key is `after` (a `next` of an earlier page).
 */
export async function listComments(
  engineerId: string,
  range: { from: string; to: string },
  opts: { limit: number; after?: string; keep?: (s: SurveyItem) => boolean },
): Promise<CommentPage> {
  const pk = commentPartition(engineerId);
  const { lo, hi } = commentBounds(range.from, range.to);
  const { limit, after, keep = () => true } = opts;
  let start: Record<string, unknown> | undefined = after
    ? { gsi2pk: pk, gsi2sk: after, ...surveyKey(after.slice(after.indexOf('#') + 1)) }
    : undefined;
  const items: SurveyItem[] = [];
  for (;;) {
    const res = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': pk, ':lo': lo, ':hi': hi },
        ScanIndexForward: false,
        // One more than needed: seeing it tells whether another page exists.
        Limit: limit - items.length + 1,
        ExclusiveStartKey: start,
      }),
    );
    const page = (res.Items ?? []) as SurveyItem[];
    for (const [i, s] of page.entries()) {
      if (!keep(s)) continue;
      items.push(s);
      if (items.length === limit) {
        const more = i < page.length - 1 || res.LastEvaluatedKey !== undefined;
        return { items, next: more ? (s.gsi2sk ?? '') : null };
      }
    }
    if (!res.LastEvaluatedKey) return { items, next: null };
    start = res.LastEvaluatedKey;
  }
}
