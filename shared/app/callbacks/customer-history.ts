import { type CallbackView, caseFor, view } from '#shared/app/callbacks/view';
import { canSeeCase, canSeeFigures, seesFullPhone } from '#shared/domain/access';
import type { CaseKind } from '#shared/domain/types';
import type { Principal } from '#shared/http/auth';
import { type CallbackCase, getCallback } from '#shared/store/callback';
import { customerCaseListing } from '#shared/store/customer';

/**
 * The customer's previous surveys and cases, shown beside a case in the callback workbench: read
 * through the customer index (gsi3 CUST#{phone}, store/customer.ts), never a Scan; only what the
 * viewer may see (domain/access.ts: a survey as figures, a case as a case); newest first, at most
 * CUSTOMER_HISTORY_MAX entries. The case itself and the survey that opened it are not repeated.
 * An erased case (phone masked) has no history: nothing is listed under a masked number.
 */
export interface CustomerHistoryEntry {
  kind: 'survey' | 'case';
  /** The survey id, or the case id (a survey's case has the survey's id). */
  id: string;
  /** A survey: the ticket's completion; a case: its opening. */
  at: string;
  rating?: 1 | 2 | 3;
  /** The survey's status (sent, answered, expired, ...) or the case's (open ... closed). */
  status: string;
  /** A case: what opened it. */
  caseKind?: CaseKind;
  engineerName: string;
  ticketId: string;
}

export const CUSTOMER_HISTORY_MAX = 20;
/** How many surveys and texts of one phone are read at most to pick the newest from. */
const READ_MAX = 100;

export type CallbackCaseDetail = CallbackView & { customerHistory: CustomerHistoryEntry[] };

/** GET /v1/callbacks/{id}: the case with its history and the customer's history. */
export async function getCallbackCaseDetail(p: Principal, caseId: string): Promise<CallbackCaseDetail> {
  const c = await caseFor(p, caseId);
  return { ...view(c, seesFullPhone(p), true), customerHistory: await customerHistory(p, c) };
}

export async function customerHistory(p: Principal, c: CallbackCase): Promise<CustomerHistoryEntry[]> {
  if (c.erasedAt || c.phone.includes('*')) return [];
  const { surveys, textCaseIds } = await customerCaseListing(c.phone, READ_MAX);
  const others = surveys.filter((s) => s.surveyId !== c.surveyId && s.surveyId !== c.caseId);
  const entries: CustomerHistoryEntry[] = others
    .filter((s) => canSeeFigures(p, s))
    .map((s) => ({
      kind: 'survey',
      id: s.surveyId,
      at: s.completedAt,
      ...(s.rating ? { rating: s.rating } : {}),
      status: s.status,
      engineerName: s.engineerName,
      ticketId: s.ticketId,
    }));
  // A survey's case has the survey's id; a complaint no survey owned is found through its text.
  const newestSurveys = [...others].sort((a, b) => cmpDesc(a.completedAt, b.completedAt));
  // Only the newest can make the list: at most CUSTOMER_HISTORY_MAX of each are looked up.
  const caseIds = [
    ...new Set([
      ...newestSurveys.slice(0, CUSTOMER_HISTORY_MAX).map((s) => s.surveyId),
      ...textCaseIds.slice(0, CUSTOMER_HISTORY_MAX),
    ]),
  ].filter((id) => id !== c.caseId);
  const cases = await Promise.all(caseIds.map((id) => getCallback(id)));
  for (const k of cases) {
    if (!k || !canSeeCase(p, k)) continue;
    entries.push({
      kind: 'case',
      id: k.caseId,
      at: k.openedAt,
      ...(k.rating ? { rating: k.rating } : {}),
      status: k.status,
      caseKind: k.caseKind ?? 'dissatisfied',
      engineerName: k.engineerName,
      ticketId: k.ticketId,
    });
  }
  return entries.sort((a, b) => cmpDesc(a.at, b.at)).slice(0, CUSTOMER_HISTORY_MAX);
}

const cmpDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
