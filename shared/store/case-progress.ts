import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, TABLE } from '#shared/store/client';
import { dueKeys } from '#shared/store/due';
import { caseRetentionTtl } from '#shared/store/retention';
import { type TxItem, writeIf } from '#shared/store/tx';

/**
 * A complaint's one progress notice (docs/domain.md section 6, seed 003: not finished within 24
 * hours -> tell the customer how it is going), as a due item of its own beside the case, so that
 * it falls due independently of the case's contact deadline: pk=CALLBACK#{caseId}, sk=PROGRESS,
 * in the due index at the time it is due until it is sent or no longer wanted. No personal data:
 * the phone is read off the case when it is sent. Kept as long as the case.
 */
export interface CaseProgressItem {
  pk: string;
  sk: 'PROGRESS';
  type: 'case_progress';
  caseId: string;
  status: 'pending' | 'sent' | 'skipped';
  dueAt: string;
  doneAt?: string;
  ttl: number;
  gsi1pk?: string;
  gsi1sk?: string;
}

export const caseProgressKey = (caseId: string) => ({ pk: `CALLBACK#${caseId}`, sk: 'PROGRESS' as const });
const dueId = (caseId: string) => `CALLBACK#${caseId}#PROGRESS`;

/** The notice of a complaint opened at `at`, due at `dueAt`; written with the case (once). */
export function putCaseProgress(caseId: string, dueAt: Date, at: Date): TxItem {
  const item: CaseProgressItem = {
    ...caseProgressKey(caseId),
    type: 'case_progress',
    caseId,
    status: 'pending',
    dueAt: dueAt.toISOString(),
    ttl: caseRetentionTtl(at),
    ...dueKeys(dueId(caseId), dueAt),
  };
  return { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The pending notice done (`sent`, or `skipped`: no longer wanted), out of the due index; fails when done already. */
export function finishCaseProgressItem(caseId: string, status: 'sent' | 'skipped', at: Date): TxItem {
  return {
    Update: {
      TableName: TABLE,
      Key: caseProgressKey(caseId),
      UpdateExpression: 'SET #status = :done, doneAt = :at REMOVE gsi1pk, gsi1sk',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': status, ':at': at.toISOString(), ':pending': 'pending' },
    },
  };
}

/** Moves a pending notice to a later time (out of the quiet hours); false when it is no longer pending. */
export function deferCaseProgress(caseId: string, to: Date): Promise<boolean> {
  const due = dueKeys(dueId(caseId), to);
  return writeIf(() =>
    ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: caseProgressKey(caseId),
        UpdateExpression: 'SET dueAt = :due, gsi1pk = :p, gsi1sk = :s',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':due': to.toISOString(),
          ':p': due.gsi1pk,
          ':s': due.gsi1sk,
          ':pending': 'pending',
        },
      }),
    ),
  );
}
