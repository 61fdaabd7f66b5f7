import { normalizeCnMobile } from '#shared/domain/phone';
import type { Rules, TicketKind } from '#shared/domain/rules';
import type { SuppressionReason } from '#shared/domain/types';

/**
 * Whether a survey may go out (docs/domain.md section 4 and the carriers' rules): never for a kind of
 * work that is not surveyed or to a staff phone (decided from the completion alone, when it is
 * accepted), never to a number that opted out, and not twice to one phone within
 * `survey.fatigueHours` (decided on the phone's state when the survey is planned, and again when
 * it is about to be sent, since the phone may have changed in between).
 */

/** What of a completion the rules look at. */
export interface SurveyedTicket {
  kind: TicketKind;
  customer: { phone: string };
}

/** What of a phone's state the rules look at. */
export interface PhoneFacts {
  optedOut?: boolean;
  lastSurveyedAt?: string;
  openSurveyId?: string;
}

const staffSets = new WeakMap<readonly string[], Set<string>>();

/** The configured staff phones, normalised (once per rules object). */
function staffPhones(rules: Rules): Set<string> {
  const list = rules.survey.staffPhones;
  let set = staffSets.get(list);
  if (!set) {
    set = new Set(list.map((p) => normalizeCnMobile(p)).filter((p): p is string => p !== null));
    staffSets.set(list, set);
  }
  return set;
}

/** What can be decided from the completion alone, before the phone's state is read. */
export function staticSuppression(t: SurveyedTicket, rules: Rules): SuppressionReason | undefined {
  if (!rules.survey.kinds.includes(t.kind)) return 'kind_not_surveyed';
  if (staffPhones(rules).has(t.customer.phone)) return 'staff_phone';
  return undefined;
}

/** Whether the phone got a survey less than `survey.fatigueHours` before `at`. */
export function recentlySurveyed(phone: PhoneFacts, at: Date, rules: Rules): boolean {
  if (!phone.lastSurveyedAt) return false;
  return at.getTime() - Date.parse(phone.lastSurveyedAt) < rules.survey.fatigueHours * 3_600_000;
}

/** Why a survey planned for this completion, to go out at `due`, must not go out, if at all. */
export function suppressionFor(
  t: SurveyedTicket,
  phone: PhoneFacts,
  due: Date,
  rules: Rules,
): SuppressionReason | undefined {
  const fixed = staticSuppression(t, rules);
  if (fixed) return fixed;
  if (phone.optedOut) return 'opted_out';
  if (recentlySurveyed(phone, due, rules)) return 'recently_surveyed';
  return undefined;
}

/**
 * The check again when survey `surveyId` is about to be sent at `at`: the phone may have opted
 * out, or been surveyed by another survey, since it was planned.
 */
export function suppressionAtSend(
  phone: PhoneFacts,
  surveyId: string,
  at: Date,
  rules: Rules,
): SuppressionReason | undefined {
  if (phone.optedOut) return 'opted_out';
  if (phone.openSurveyId !== surveyId && recentlySurveyed(phone, at, rules)) return 'recently_surveyed';
  return undefined;
}
