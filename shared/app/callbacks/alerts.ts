import { caseMessageId } from '#shared/domain/case-loop';
import { maskPhone } from '#shared/domain/phone';
import type { Rules } from '#shared/domain/rules';
import type { CaseKind } from '#shared/domain/types';
import type { Alert } from '#shared/gateways/alerts';
import type { CallbackCase, NewCase } from '#shared/store/callback';
import type { SurveyItem } from '#shared/store/survey';

/**
 * The supervisors' alerts a callback case raises (docs/domain.md section 6), in Chinese, the phone
 * masked: one when the case opens (to the team's supervisors), one each time it goes overdue
 * (escalated to the region), one when its handling rounds ran out (to the region). Sent through the outbox (store/outbox.ts `putAlert`), in the transaction of the
 * change that raises them.
 */
const RATING_WORDS = { 1: '满意', 2: '基本满意', 3: '不满意' } as const;

/** Alert ids: one per cause (and per occurrence of it: case-loop.ts caseMessageId), so a cause alerts once. */
export const openedAlertId = (caseId: string) => `${caseId}#opened`;
export const overdueAlertId = (c: Pick<CallbackCase, 'caseId' | 'history'>) =>
  caseMessageId(c.caseId, 'overdue', c.history.filter((h) => h.action === 'overdue').length);
export const escalatedAlertId = (c: Pick<CallbackCase, 'caseId' | 'history'>) =>
  caseMessageId(c.caseId, 'escalated', c.history.filter((h) => h.action === 'escalated').length);
/** A complaint case's alert: its own id, so a dissatisfied case that becomes a complaint alerts again, once. */
export const complaintAlertId = (caseId: string) => `${caseId}#complaint`;

/**
 * The supervisors' alert of a complaint case (alert kind `complaint_opened`): to the team's
 * supervisors, or for a complaint attributed to no engineer, to the admins (team and region
 * `_unattributed`). The customer's words are not in it (free text, possibly personal): the case has them.
 */
export function complaintAlert(c: NewCase, rules: Rules): Alert {
  const who = c.engineerId ? `对 ${c.engineerName}（${c.team}）的服务` : '（无法关联到近期服务工单）';
  return {
    kind: 'complaint_opened',
    level: 'supervisors',
    team: c.team,
    region: c.region,
    caseId: c.caseId,
    subject: '投诉提醒：客户来信投诉',
    message:
      `客户 ${maskPhone(c.phone)} ${who}提出投诉${c.ticketId ? `，工单 ${c.ticketId}` : ''}。` +
      `请在 ${rules.callbacks.contactWithinHours} 小时内联系客户（案件 ${c.caseId}）。`,
  };
}

/** What the customer said, in the alerts' words: the rating, or the complaint. */
const said = (c: { rating?: 1 | 2 | 3 | undefined; caseKind?: CaseKind | undefined }) =>
  c.caseKind === 'complaint'
    ? '提出投诉'
    : `的服务评价为${c.rating !== undefined ? RATING_WORDS[c.rating] : '不满意'}`;

export function openedAlert(
  survey: SurveyItem,
  rating: 1 | 2 | 3 | undefined,
  rules: Rules,
  caseKind?: CaseKind,
): Alert {
  const caseId = survey.surveyId;
  const complaint = caseKind === 'complaint';
  return {
    kind: 'callback_opened',
    level: 'supervisors',
    team: survey.team,
    region: survey.region,
    caseId,
    subject: complaint ? '投诉提醒：客户提出投诉' : `回访提醒：客户评价${RATING_WORDS[rating ?? 3]}`,
    message:
      `客户 ${maskPhone(survey.phone)} 对 ${survey.engineerName}（${survey.team}）${said({ rating, caseKind })}，` +
      `工单 ${survey.ticketId}。请在 ${rules.callbacks.contactWithinHours} 小时内回访（案件 ${caseId}）。`,
  };
}

export function overdueAlert(c: CallbackCase, rules: Rules): Alert {
  return {
    kind: 'callback_overdue',
    level: 'region',
    team: c.team,
    region: c.region,
    caseId: c.caseId,
    subject: `回访超时：${c.region} ${c.team} 案件未按时联系客户`,
    message:
      `客户 ${maskPhone(c.phone)} 对 ${c.engineerName}（${c.team}）${said(c)}，` +
      `工单 ${c.ticketId}。回访案件 ${c.caseId} 已超过 ${rules.callbacks.contactWithinHours} 小时` +
      '仍未联系客户，请区域负责人督促跟进。',
  };
}

/** The case was worked `rounds` rounds and the customer is still not satisfied: the region takes it over. */
export function escalatedAlert(c: CallbackCase, rounds: number): Alert {
  return {
    kind: 'callback_escalated',
    level: 'region',
    team: c.team,
    region: c.region,
    caseId: c.caseId,
    subject: `回访升级：${c.region} ${c.team} 案件经 ${rounds} 轮处理客户仍不满意`,
    message:
      `客户 ${maskPhone(c.phone)} 对 ${c.engineerName}（${c.team}）${said(c)}，工单 ${c.ticketId}。` +
      `案件 ${c.caseId} 已处理 ${rounds} 轮，客户仍不满意，请区域负责人接手处理。`,
  };
}
