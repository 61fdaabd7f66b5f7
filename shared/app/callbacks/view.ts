import { canSeeCase, mayWorkCallbacks, whenCaseUnseen } from '#shared/domain/access';
import { ForbiddenError, NotFoundError } from '#shared/domain/errors';
import { maskPhone } from '#shared/domain/phone';
import type { CaseKind } from '#shared/domain/types';
import type { Principal } from '#shared/http/auth';
import {
  type CallbackCase,
  type CallbackHistoryEntry,
  type CallbackRecord,
  callbackRecord,
  getCallback,
} from '#shared/store/callback';

/**
 * What a person reads of a case: no keys and no version, the phone masked unless they may call the
 * customer; `kind` is what opened the case (`dissatisfied` | `complaint`), `ticketKind` the ticket's.
 */
export type CallbackView = Omit<CallbackRecord, 'history' | 'kind' | 'caseKind' | 'version'> & {
  kind: CaseKind;
  ticketKind: string;
  history?: CallbackHistoryEntry[];
};

export function view(c: CallbackCase, fullPhone: boolean, withHistory: boolean): CallbackView {
  const { history, phone, kind, caseKind, version: _v, ...rest } = callbackRecord(c);
  return {
    ...rest,
    kind: caseKind ?? 'dissatisfied',
    ticketKind: kind,
    phone: fullPhone ? phone : maskPhone(phone),
    ...(withHistory ? { history } : {}),
  };
}

/** Callback cases are not for engineers: 403 (domain/access.ts). */
export function assertMayWorkCallbacks(p: Principal): void {
  if (!mayWorkCallbacks(p)) throw new ForbiddenError();
}

/** The case if the principal may see it; otherwise 403 (404 only for an admin). */
export async function caseFor(p: Principal, caseId: string): Promise<CallbackCase> {
  assertMayWorkCallbacks(p);
  const c = await getCallback(caseId);
  if (c && canSeeCase(p, c)) return c;
  if (whenCaseUnseen(p) === 'not_found') throw new NotFoundError(`no callback case ${caseId}`);
  throw new ForbiddenError();
}
