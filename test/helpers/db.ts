import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';

/** Test-only: every item in this file's table (tests may Scan; request paths never do). */
export async function allItems(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

export async function countItems(prefix: string): Promise<number> {
  return (await allItems()).filter((i) => String(i.pk).startsWith(prefix)).length;
}
