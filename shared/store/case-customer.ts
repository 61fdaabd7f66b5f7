import { TABLE } from '#shared/store/client';
import { caseRetentionTtl, customerKeys } from '#shared/store/retention';
import type { TxItem } from '#shared/store/tx';

/**
 * A case's own entry in the customer index (erasure, store/customer.ts): pk=CALLBACK#{caseId},
 * sk=CUSTOMER, gsi3pk=CUST#{phone}, gsi3sk=CALLBACK#{caseId}, beside the case (whose gsi3 lists
 * it by region). A case is kept `complaints.retentionDays`, far longer than the survey and the
 * kept text it was otherwise found through (`retention.days`), so erasure finds every case of a
 * customer directly for as long as the case exists: the entry is written with the case and its
 * TTL follows the case's (again at the final close). Erasure masks the case, then deletes it.
 */
export interface CaseCustomerItem {
  pk: string;
  sk: 'CUSTOMER';
  type: 'case_customer';
  caseId: string;
  ttl: number;
  gsi3pk: string;
  gsi3sk: string;
}

export const caseCustomerKey = (caseId: string) => ({ pk: `CALLBACK#${caseId}`, sk: 'CUSTOMER' as const });

/** The entry of the case `caseId` of the customer `phone` (E.164), kept as long as a case written at `at`. */
export function putCaseCustomer(caseId: string, phone: string, at: Date): TxItem {
  const key = caseCustomerKey(caseId);
  const item: CaseCustomerItem = {
    ...key,
    type: 'case_customer',
    caseId,
    ttl: caseRetentionTtl(at),
    ...customerKeys(phone, key.pk),
  };
  return { Put: { TableName: TABLE, Item: item } };
}
