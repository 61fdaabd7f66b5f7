import { storeSettings } from '#shared/store/client';

/**
 * The DynamoDB TTL (epoch seconds) of a raw record holding personal data written at `at`:
 * deleted by DynamoDB `retention.days` later (docs/domain.md section 7). Aggregates never get one.
 */
export function retentionTtl(at: Date): number {
  return Math.floor(at.getTime() / 1000) + storeSettings().retentionDays * 86_400;
}

/**
 * The TTL of a callback or complaint case (the archive) as of `at`: `complaints.retentionDays`
 * later, independently of the raw-survey retention above (docs/domain.md section 6).
 */
export function caseRetentionTtl(at: Date): number {
  const s = storeSettings();
  return Math.floor(at.getTime() / 1000) + (s.caseRetentionDays ?? s.retentionDays) * 86_400;
}

/** The partition listing every raw record about one customer (for erasure: store/customer.ts). */
export const customerPartition = (phone: string) => `CUST#${phone}`;

/** The index entry that finds every raw record about one customer (for erasure). */
export function customerKeys(phone: string, sk: string): { gsi3pk: string; gsi3sk: string } {
  return { gsi3pk: customerPartition(phone), gsi3sk: sk };
}
