import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';

/**
 * The whole-table read of the offline audit (`npm run verify`): operations tooling only, never a
 * request path (those Query by key). What each item is, the store says (shared/store/item-kind.ts).
 */

/**
 * Reads every item with a parallel Scan of `segments` segments (consistent reads), handing each
 * page's items to `onItems` as it arrives (so a caller can stream a large table through).
 */
export async function scanTable(
  segments: number,
  onItems: (items: Record<string, unknown>[]) => void,
): Promise<void> {
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const res = await ddb.send(
          new ScanCommand({
            TableName: TABLE,
            Segment: segment,
            TotalSegments: segments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        onItems(res.Items ?? []);
        start = res.LastEvaluatedKey;
      } while (start);
    }),
  );
}
