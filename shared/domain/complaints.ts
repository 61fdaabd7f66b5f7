import { createHash } from 'node:crypto';
import type { Rules } from '#shared/domain/rules';

/**
 * Complaint intake (投诉, docs/domain.md section 6; 004 4.6.1 每诉必录, 首问负责): which customer
 * text is a complaint, where a complaint with no open survey belongs, and the id of its case.
 * Pure: no storage, no clock.
 */

/** What kind of case a callback case is: opened by a 不满意 rating, or by a complaint. */
export type { CaseKind } from '#shared/domain/types';

/** Team and region of a case (or a kept text) that belongs to no engineer: listed for admins only. */
export const UNATTRIBUTED = '_unattributed';

/** A complaint with no open survey goes to the phone's last surveyed ticket if surveyed within this. */
export const ATTRIBUTION_DAYS = 30;

const DIGITS_ONLY = /^[\s\p{P}\p{Z}\p{N}~]*$/u;

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/**
 * A keyword said not to be meant: right after a negation (不是投诉, 不想投诉, 我不会去举报, 没有要投诉,
 * 并非投诉, 别投诉, 不打12300), with at most a helper verb between (要 想 去 再 找 打 会). Only the
 * words just before the keyword count: 不满意要投诉 is a complaint (不 belongs to 满意).
 */
const NEGATED =
  /(?:不是|不想|不要|不会|不用|不必|不再|并不|并非|没有|没想|无意|别|不)(?:要|想|去|再|找|打|会)?$/u;

/**
 * Does `keyword` occur in `text` (both folded), meant? A keyword starting or ending in a digit must
 * not touch another digit, and an occurrence right after a negation does not count.
 */
function occurs(text: string, keyword: string): boolean {
  const leadDigit = /^\d/.test(keyword);
  const tailDigit = /\d$/.test(keyword);
  for (let i = text.indexOf(keyword); i >= 0; i = text.indexOf(keyword, i + 1)) {
    const before = text[i - 1] ?? '';
    const after = text[i + keyword.length] ?? '';
    if (leadDigit && /\d/.test(before)) continue;
    if (tailDigit && /\d/.test(after)) continue;
    if (NEGATED.test(text.slice(Math.max(0, i - 4), i))) continue;
    return true;
  }
  return false;
}

/**
 * Whether a customer's text expresses a complaint: it contains one of `complaints.keywords`
 * (NFKC-folded, so full-width and case do not matter), not negated (不是投诉). Never from digits alone: a text of only
 * digits, spaces and punctuation ("3", "12300", "1 3") is a rating, reasons or nothing, and a
 * numeric keyword (12300) counts only as a number of its own, never inside a longer one (a phone
 * number such as 13812300000).
 */
export function complaintIntent(rules: Rules, text: string): boolean {
  const folded = fold(text);
  if (DIGITS_ONLY.test(folded)) return false;
  return rules.complaints.keywords.some((k) => {
    const kw = fold(k);
    return kw !== '' && occurs(folded, kw);
  });
}

/** Whether the phone's last survey, sent at `surveyedAt`, is recent enough at `at` to own a complaint. */
export function attributable(surveyedAt: string | undefined, at: Date): boolean {
  if (!surveyedAt) return false;
  const age = at.getTime() - Date.parse(surveyedAt);
  return age >= 0 && age <= ATTRIBUTION_DAYS * 86_400_000;
}

/**
 * The case id of a complaint that no open survey owns: deterministic from the inbound message id,
 * so a redelivered message finds the same case (and opens nothing new).
 */
export function complaintCaseId(inboundMessageId: string): string {
  return `CMP-${createHash('sha256').update(inboundMessageId).digest('hex').slice(0, 32)}`;
}
