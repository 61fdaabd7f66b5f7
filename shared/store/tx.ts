import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';

/**
 * Conditional writes: every place where a write's condition can fail maps the SDK's error to a
 * typed result here (a boolean for one item, TxConditionFailed for a transaction), so no caller
 * outside the store ever sees a DynamoDB exception.
 */

/**
 * One write of a transaction, built by the store module of its item type (`putSurvey`,
 * `aggregateUpdates`, ...); use cases pass these on to `transact` and never look inside.
 */
export type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A condition in the transaction did not hold; `failed` holds the indexes of the items whose did not. */
export class TxConditionFailed extends Error {
  constructor(readonly failed: number[]) {
    super(`transaction condition failed at item(s) ${failed.join(', ')}`);
    this.name = 'TxConditionFailed';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * All-or-nothing write of up to 100 items. Conflicts with concurrent transactions are retried
 * with jittered exponential backoff; a failed condition is reported as TxConditionFailed.
 */
export async function transact(items: TxItem[], attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const reasons = err.CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
      if (failed.length > 0) throw new TxConditionFailed(failed);
      const retryable = reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError');
      if (!retryable || attempt >= attempts) throw err;
      await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
    }
  }
}

/**
 * `transact`, with a failed condition as a result: true when written, false when a condition did
 * not hold (someone changed an item since it was read).
 */
export async function transactIf(items: TxItem[]): Promise<boolean> {
  try {
    await transact(items);
    return true;
  } catch (err) {
    if (err instanceof TxConditionFailed) return false;
    throw err;
  }
}

/**
 * `transact`, with failed conditions as a result: [] when written, else the indexes of the items
 * whose condition did not hold (so a caller can tell which change it lost to).
 */
export async function transactOrFailed(items: TxItem[]): Promise<number[]> {
  try {
    await transact(items);
    return [];
  } catch (err) {
    if (err instanceof TxConditionFailed) return err.failed;
    throw err;
  }
}

/** Runs one conditional single-item write: true when written, false when its condition did not hold. */
export async function writeIf(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Applies an update to an item if it exists (erasure: a survey need not have a case, a reply...). */
export async function updateIfExists(
  key: { pk: string; sk: string },
  update: string,
  names: Record<string, string>,
  values?: Record<string, unknown>,
): Promise<boolean> {
  return writeIf(() =>
    ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }),
    ),
  );
}
