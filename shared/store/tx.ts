import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '#shared/store/client';

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
