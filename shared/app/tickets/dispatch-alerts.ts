import type { DispatchAlertKind } from '#shared/domain/dispatch-alerts';
import type { Rules } from '#shared/domain/rules';
import type { Alert } from '#shared/gateways/alerts';
import type { DispatchItem } from '#shared/store/dispatch';

/**
 * The alerts of dispatch-time supervision (docs/domain.md section 2), in Chinese, to the
 * engineer's team: half the repair limit passed with no completion, then the whole limit. No
 * personal data (the dispatch stores none). Sent through the outbox (store/outbox.ts `putAlert`) in
 * the transaction that records them on the dispatch (scheduler/dispatch-due.ts).
 */

/** Alert ids: one per ticket and kind, so each alert goes out once. */
export const dispatchAlertId = (item: DispatchItem, kind: DispatchAlertKind) =>
  `dispatch:${item.dispatch.source}:${item.dispatch.ticketId}#${kind}`;

function localTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: tz,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

export function dispatchAlert(item: DispatchItem, kind: DispatchAlertKind, rules: Rules): Alert {
  const d = item.dispatch;
  const limit = item.response.repairLimitHours as number;
  const who = `${d.engineer.name}（${d.engineer.team}）`;
  const reported = localTime(d.reportedAt, rules.timeZone);
  const base = {
    kind,
    level: 'supervisors' as const,
    team: d.engineer.team,
    region: d.engineer.region,
    ticketId: d.ticketId,
    source: d.source,
  };
  if (kind === 'half_time') {
    return {
      ...base,
      subject: `工单督办：${d.ticketId} 修复时限已过半`,
      message:
        `${who}处理的工单 ${d.ticketId}（${reported} 受理，修复时限 ${limit} 小时）已过时限一半，` +
        `尚未收到完工。请维护站督办，时限将于 ${localTime(item.response.limitAt as string, rules.timeZone)} 届满。`,
    };
  }
  return {
    ...base,
    subject: `工单超时：${d.ticketId} 已超过修复时限`,
    message:
      `${who}处理的工单 ${d.ticketId}（${reported} 受理）已超过修复时限 ${limit} 小时，` +
      '仍未收到完工。请维护站跟进处理。',
  };
}
