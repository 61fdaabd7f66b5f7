/**
 * The vocabulary shared by rules, use cases and storage: pure types and their value lists, with
 * no dependency on how or where anything is stored.
 */

/** The engineer a completion, a survey and its figures belong to (as counted at the time). */
export interface EngineerRef {
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
}

export type SurveyStatus =
  | 'scheduled' // waiting for its send time (in the due index)
  | 'waiting' // due, but the phone has another survey open; queued on the phone
  | 'sent' // SMS committed; open for a reply until expiresAt (in the due index)
  | 'awaiting_reasons' // rated 2 or 3; open for the reasons until reasonsDueAt (in the due index)
  | 'answered'
  | 'cancelled' // the ticket was reopened before the survey was answered
  | 'expired'
  | 'suppressed'
  | 'opted_out'
  | 'undelivered'; // the provider reported the invitation or reminder undelivered

/** Surveys a customer's answer can still land on. */
export const OPEN_STATUSES: readonly SurveyStatus[] = ['sent', 'awaiting_reasons'];

/** Why a survey is never sent (each counted under its own counter). */
export const suppressionReasons = [
  'opted_out',
  'recently_surveyed',
  'staff_phone',
  'kind_not_surveyed',
] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

/** A rating on the three-point scale: 1 满意, 2 基本满意, 3 不满意. */
export type Rating = 1 | 2 | 3;

/** How a callback case was closed. */
export type CallbackOutcome = 'resolved_satisfied' | 'resolved_unsatisfied' | 'unreachable';

/** What opened a case: a 不满意 rating, or a customer's complaint (投诉). A stored case without one is `dissatisfied`. */
export type CaseKind = 'dissatisfied' | 'complaint';

/**
 * Where a callback or complaint case is (docs/domain.md section 6): `open` until the first contact
 * (`overdue` when none came by the deadline), `in_progress` when returned to handling (a new round
 * or a rejected review, with a new deadline; `overdue` again when nobody works it by then),
 * `pending_review` when a complaint's handling is done and a manager must review it, `escalated`
 * when the rounds ran out and the region took it over, `closed` for good.
 */
export const callbackStatuses = [
  'open',
  'overdue',
  'in_progress',
  'pending_review',
  'escalated',
  'closed',
] as const;
export type CallbackStatus = (typeof callbackStatuses)[number];
