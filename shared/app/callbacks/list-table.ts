import type { CallbackView } from '#shared/app/callbacks/view';
import { reasonKeys } from '#shared/app/reports/figures';
import { reasonNames } from '#shared/app/reports/report-csv';
import type { CallbackOutcome } from '#shared/domain/types';
import type { Cell, Column, HeaderLang, Table } from '#shared/http/csv';
import type { CallbackStatus } from '#shared/store/callback';

/**
 * A page of the case list (GET /v1/callbacks) as a table, for CSV and Excel: the same cases and the
 * same (masked) phones as the JSON page. Chinese headers and values by default; `en` gives the JSON
 * keys and values. Times are ISO 8601 as in the JSON.
 */

const statusNames: Record<CallbackStatus, string> = {
  open: '待联系',
  overdue: '已超时',
  in_progress: '处理中',
  pending_review: '待审核',
  escalated: '已升级',
  closed: '已关闭',
};
const caseKindNames: Record<CallbackView['kind'], string> = { dissatisfied: '不满意', complaint: '投诉' };
const outcomeNames: Record<CallbackOutcome, string> = {
  resolved_satisfied: '解决且满意',
  resolved_unsatisfied: '解决仍不满意',
  unreachable: '联系不上',
};
const ratingNames: Record<1 | 2 | 3, string> = { 1: '满意', 2: '基本满意', 3: '不满意' };

export function callbackListTable(
  items: readonly CallbackView[],
  lang: HeaderLang = 'zh',
): Table<CallbackView> {
  const zh = lang === 'zh';
  const col = (zhName: string, en: string, value: (c: CallbackView) => Cell): Column<CallbackView> => ({
    header: { zh: zhName, en },
    value,
  });
  const reason = (n: number) => {
    const key = reasonKeys[n - 1];
    return key === undefined ? String(n) : zh ? reasonNames[key] : key;
  };
  const columns: Column<CallbackView>[] = [
    col('回访编号', 'caseId', (c) => c.caseId),
    col('状态', 'status', (c) => (zh ? statusNames[c.status] : c.status)),
    col('开启时间', 'openedAt', (c) => c.openedAt),
    col('联系期限', 'deadline', (c) => c.deadline),
    col('首次联系', 'contactedAt', (c) => c.contactedAt),
    col('关闭时间', 'closedAt', (c) => c.closedAt),
    col('回访结果', 'outcome', (c) => (c.outcome && zh ? outcomeNames[c.outcome] : c.outcome)),
    col('类型', 'kind', (c) => (zh ? caseKindNames[c.kind] : c.kind)),
    col('评价', 'rating', (c) => (zh && c.rating !== undefined ? ratingNames[c.rating] : c.rating)),
    col('原因', 'reasons', (c) => (c.reasons ?? []).map(reason).join(';')),
    col('意见', 'comment', (c) => c.comment),
    col('客户号码', 'phone', (c) => c.phone),
    col('工单号', 'ticketId', (c) => c.ticketId),
    col('来源', 'source', (c) => c.source),
    col('工单类型', 'ticketKind', (c) => c.ticketKind),
    col('工程师编号', 'engineerId', (c) => c.engineerId),
    col('工程师姓名', 'engineerName', (c) => c.engineerName),
    col('班组', 'team', (c) => c.team),
    col('区域', 'region', (c) => c.region),
    col('完工日', 'day', (c) => c.day),
  ];
  return { sheet: '回访记录', columns, rows: items };
}
