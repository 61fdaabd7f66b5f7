import { complaintAlert, complaintAlertId } from '#shared/app/callbacks/alerts';
import { contactDeadline } from '#shared/domain/callbacks';
import { progressNoticeAt } from '#shared/domain/case-loop';
import { attributable, UNATTRIBUTED } from '#shared/domain/complaints';
import { complaintUpgradeDelta, type Delta } from '#shared/domain/counters';
import type { Rules } from '#shared/domain/rules';
import { localDay } from '#shared/domain/time';
import { type CallbackCase, type NewCase, putCase, upgradeToComplaint } from '#shared/store/callback';
import { putCaseProgress } from '#shared/store/case-progress';
import { putAlert } from '#shared/store/outbox';
import type { PhoneState } from '#shared/store/phone-state';
import { getSurvey } from '#shared/store/survey';
import type { TxItem } from '#shared/store/tx';

/**
 * Complaint intake (docs/domain.md section 6): who a complaint belongs to, and the items that open
 * its case with the supervisors' alert, for the inbound message's own transaction (the caller adds
 * the counters, merged with whatever else it counts for the same engineer and day).
 */

/** Whom a complaint or a kept text belongs to: a survey's ticket and engineer, or nobody. */
export interface Owner {
  surveyId?: string;
  source: string;
  ticketId: string;
  /** The ticket's kind; '' when unattributed. */
  kind: string;
  engineerId: string;
  engineerName: string;
  team: string;
  region: string;
  /** The local day the complaint counts on. */
  day: string;
}

/** The owner of a text with an open survey: that survey's ticket, counted on the survey's day. */
export function surveyOwner(s: Required<Owner>): Owner {
  return {
    surveyId: s.surveyId,
    source: s.source,
    ticketId: s.ticketId,
    kind: s.kind,
    engineerId: s.engineerId,
    engineerName: s.engineerName,
    team: s.team,
    region: s.region,
    day: s.day,
  };
}

/**
 * The owner of a text that arrives with no open survey: the phone's most recently surveyed ticket
 * if it was surveyed within 30 days (one keyed read: the phone state names it), counted on the day
 * the text arrives; else nobody (team and region `_unattributed`, visible to admins only).
 */
export async function ownerWithoutSurvey(rules: Rules, state: PhoneState, at: Date): Promise<Owner> {
  const day = localDay(at, rules.timeZone);
  if (state.lastSurveyId && attributable(state.lastSurveyedAt, at)) {
    const s = await getSurvey(state.lastSurveyId);
    if (s) {
      const { surveyId: _attributedTo, ...owner } = surveyOwner(s);
      return { ...owner, day };
    }
  }
  return {
    source: '',
    ticketId: '',
    kind: '',
    engineerId: '',
    engineerName: '',
    team: UNATTRIBUTED,
    region: UNATTRIBUTED,
    day,
  };
}

/**
 * The case (kind complaint), its `complaint_opened` alert, contact due within the configured
 * hours, and its one progress notice, due `complaints.progressNoticeHours` later (domain/case-loop.ts
 * `progressNoticeAt`). Every path that makes a complaint case goes through here or `upgradeComplaint`.
 */
export function openComplaint(rules: Rules, c: Omit<NewCase, 'caseKind'>, at: Date): TxItem[] {
  const complaint: NewCase = { ...c, caseKind: 'complaint' };
  return [
    ...putCase(complaint, at, contactDeadline(rules, at)),
    putAlert(complaintAlertId(c.caseId), complaintAlert(complaint, rules), at),
    putCaseProgress(c.caseId, progressNoticeAt(rules, at, c.caseId), at),
  ];
}

/**
 * A dissatisfied case still being worked becomes a complaint (the customer complained in the
 * answer to the reasons question): the case changed (store `upgradeToComplaint`), the
 * `complaint_opened` alert, the progress notice due `complaints.progressNoticeHours` after the
 * complaint, and what the caller counts for it (merged with the rest of its transaction's delta).
 */
export function upgradeComplaint(
  rules: Rules,
  open: CallbackCase,
  answer: { reasons: number[]; comment: string | undefined },
  at: Date,
): { items: TxItem[]; delta: Delta } {
  return {
    items: [
      upgradeToComplaint(open, answer, at),
      putAlert(complaintAlertId(open.caseId), complaintAlert(open, rules), at),
      putCaseProgress(open.caseId, progressNoticeAt(rules, at, open.caseId), at),
    ],
    delta: complaintUpgradeDelta(open),
  };
}
