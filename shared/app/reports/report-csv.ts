import type { DissatisfiedComment } from '#shared/app/reports/comments';
import type { EngineerDetail } from '#shared/app/reports/engineer-detail';
import type { EngineerReport } from '#shared/app/reports/engineer-report';
import type { ReasonKey, TotalsFigures } from '#shared/app/reports/figures';
import type { RegionReport, TeamReport } from '#shared/app/reports/rollups';
import { type KindGroup, kindGroups } from '#shared/domain/kind-groups';
import type { Flag } from '#shared/domain/score';
import type { Cell, Column, HeaderLang, Table } from '#shared/http/csv';

/**
 * The reports as tables for CSV and Excel (one table each), with Chinese column headers by default and the JSON keys as
 * English headers. Rates are PERCENTAGES (0-100, two decimals; the English header ends in `Pct`),
 * averagePoints and score are on their 0-100 scale with two decimals; an empty cell means "no data"
 * (null in JSON), never 0.
 *
 * Each report is a `Table` (columns, rows, a Chinese sheet name): the CSV and the Excel workbook
 * (shared/http/xlsx.ts) are written from the same one, so a column added here appears in both. A
 * column whose English key ends in `Pct` is a percentage: the workbook stores it as a fraction
 * with a percent format.
 */

const pct = (rate: number | null): Cell => (rate === null ? null : Math.round(rate * 10_000) / 100);
const two = (x: number | null): Cell => (x === null ? null : Math.round(x * 100) / 100);

const flagNames: Record<Flag, string> = {
  below_target: '低于目标',
  insufficient_sample: '样本不足',
  low_response_rate: '回复率低',
};
export const reasonNames: Record<ReasonKey, string> = {
  late: '上门不准时',
  attitude: '服务态度',
  uniform: '未穿工装工牌',
  mess: '未清理现场',
  unsolved: '问题未解决',
  other: '其他',
};
const reasonOrder = Object.keys(reasonNames) as ReasonKey[];
const groupNames: Record<KindGroup, string> = {
  store_service: '营业厅服务',
  handset_sale: '终端销售',
  new_business: '新业务',
  field: '现场服务',
};

const col = <T>(zh: string, en: string, value: (row: T) => Cell): Column<T> => ({
  header: { zh, en },
  value,
  ...(en.endsWith('Pct') ? { kind: 'percent' as const } : {}),
});

/** The columns every report row shares: counts, rates, score, funnel, reasons, callbacks. */
function figureColumns<T>(get: (row: T) => TotalsFigures, lang: HeaderLang): Column<T>[] {
  const f = (zh: string, en: string, value: (x: TotalsFigures) => Cell) =>
    col<T>(zh, en, (r) => value(get(r)));
  return [
    f('监督得分', 'score', (x) => two(x.score)),
    f('满意率(%)', 'satisfactionRatePct', (x) => pct(x.satisfactionRate)),
    f('满意率下限(%)', 'satisfactionRateLowerBoundPct', (x) => pct(x.satisfactionRateLowerBound)),
    f('基本满意率(%)', 'basicallySatisfiedRatePct', (x) => pct(x.basicallySatisfiedRate)),
    f('不满意率(%)', 'dissatisfactionRatePct', (x) => pct(x.dissatisfactionRate)),
    f('平均分', 'averagePoints', (x) => two(x.averagePoints)),
    f('回复率(%)', 'responseRatePct', (x) => pct(x.responseRate)),
    f('首次联系及时率(%)', 'contactOnTimeRatePct', (x) => pct(x.contactOnTimeRate)),
    f('修复及时率(%)', 'repairOnTimeRatePct', (x) => pct(x.repairOnTimeRate)),
    f('上门准时率(%)', 'punctualityRatePct', (x) => pct(x.punctualityRate)),
    f('样本充足', 'sampleSufficient', (x) =>
      lang === 'zh' ? (x.sampleSufficient ? '是' : '否') : x.sampleSufficient,
    ),
    f('提示', 'flags', (x) => x.flags.map((fl) => (lang === 'zh' ? flagNames[fl] : fl)).join(';')),
    f('完成工单', 'completed', (x) => x.completed),
    f('已发送调查', 'surveyed', (x) => x.surveyed),
    f('评价数', 'responses', (x) => x.responses),
    f('满意', 'satisfied', (x) => x.satisfied),
    f('基本满意', 'basicallySatisfied', (x) => x.basicallySatisfied),
    f('不满意', 'dissatisfied', (x) => x.dissatisfied),
    f('未评分回复', 'unrated', (x) => x.funnel.unrated),
    f('已提醒', 'reminded', (x) => x.funnel.reminded),
    f('超时未答', 'expired', (x) => x.funnel.expired),
    f('退订', 'optedOut', (x) => x.funnel.optedOut),
    f('未送达', 'undelivered', (x) => x.funnel.undelivered),
    f('重开工单', 'reopened', (x) => x.funnel.reopened),
    f('已取消调查', 'cancelled', (x) => x.funnel.cancelled),
    f('未调查合计', 'suppressed', (x) => x.funnel.suppressed.total),
    f('未调查-已退订', 'suppressedOptedOut', (x) => x.funnel.suppressed.opted_out),
    f('未调查-近期已调查', 'suppressedRecentlySurveyed', (x) => x.funnel.suppressed.recently_surveyed),
    f('未调查-员工号码', 'suppressedStaffPhone', (x) => x.funnel.suppressed.staff_phone),
    f('未调查-类型不调查', 'suppressedKindNotSurveyed', (x) => x.funnel.suppressed.kind_not_surveyed),
    ...reasonOrder.map((k) => f(`原因-${reasonNames[k]}`, `reason_${k}`, (x) => x.reasons[k])),
    f('回访-已开启', 'callbacksOpened', (x) => x.callbacks.opened),
    f('回访-已超时', 'callbacksOverdue', (x) => x.callbacks.overdue),
    f('回访-已关闭', 'callbacksClosed', (x) => x.callbacks.closed),
    f('回访-解决且满意', 'callbacksResolvedSatisfied', (x) => x.callbacks.outcomes.resolved_satisfied),
    f('回访-解决仍不满意', 'callbacksResolvedUnsatisfied', (x) => x.callbacks.outcomes.resolved_unsatisfied),
    f('回访-联系不上', 'callbacksUnreachable', (x) => x.callbacks.outcomes.unreachable),
    f('维修完成', 'repairsCompleted', (x) => x.repairsCompleted),
    f('返修', 'repeatRepairs', (x) => x.repeatRepairs),
    f('返修率(%)', 'repeatRepairRatePct', (x) => pct(x.repeatRepairRate)),
    ...kindGroups.flatMap((g) => [
      f(`${groupNames[g]}-评价数`, `${g}_responses`, (x) => x.kindGroups[g].responses),
      f(`${groupNames[g]}-满意`, `${g}_satisfied`, (x) => x.kindGroups[g].satisfied),
      f(`${groupNames[g]}-满意率(%)`, `${g}_satisfactionRatePct`, (x) =>
        pct(x.kindGroups[g].satisfactionRate),
      ),
    ]),
    f('投诉', 'complaints', (x) => x.complaints),
    f('投诉-已办结', 'complaintsClosed', (x) => x.complaintsClosed),
    f('投诉-已超时', 'complaintsOverdue', (x) => x.complaintsOverdue),
    f('百单投诉率(件/百单)', 'complaintRate', (x) => two(x.complaintRate)),
  ];
}

type EngineerRow = EngineerReport['engineers'][number];

export function engineersTable(report: EngineerReport, lang: HeaderLang = 'zh'): Table<EngineerRow> {
  const cols: Column<EngineerRow>[] = [
    col('排名', 'rank', (r) => r.rank),
    col('工程师编号', 'engineerId', (r) => r.engineerId),
    col('姓名', 'name', (r) => r.name),
    col('班组', 'team', (r) => r.team),
    col('区域', 'region', (r) => r.region),
    ...figureColumns<EngineerRow>((r) => r, lang),
  ];
  return { sheet: '工程师排名', columns: cols, rows: report.engineers };
}

/** A rollup as one table: each team (region) row, then its engineers (ranked within it). */
interface RollupLine {
  level: 'team' | 'region' | 'engineer';
  rank: number;
  team: string;
  region: string;
  engineerId: string;
  name: string;
  figures: TotalsFigures;
}

const levelNames: Record<RollupLine['level'], string> = { team: '班组', region: '区域', engineer: '工程师' };

function rollupTable(sheet: string, lines: RollupLine[], lang: HeaderLang): Table<RollupLine> {
  const cols: Column<RollupLine>[] = [
    col('层级', 'level', (r) => (lang === 'zh' ? levelNames[r.level] : r.level)),
    col('排名', 'rank', (r) => r.rank),
    col('区域', 'region', (r) => r.region),
    col('班组', 'team', (r) => r.team),
    col('工程师编号', 'engineerId', (r) => r.engineerId),
    col('姓名', 'name', (r) => r.name),
    ...figureColumns<RollupLine>((r) => r.figures, lang),
  ];
  return { sheet, columns: cols, rows: lines };
}

const engineerLine = (e: EngineerRow): RollupLine => ({
  level: 'engineer',
  rank: e.rank,
  team: e.team,
  region: e.region,
  engineerId: e.engineerId,
  name: e.name,
  figures: e,
});

export function teamsTable(report: TeamReport, lang: HeaderLang = 'zh'): Table<RollupLine> {
  const lines = report.teams.flatMap((t): RollupLine[] => [
    {
      level: 'team',
      rank: t.rank,
      team: t.team,
      region: t.regions.join(';'),
      engineerId: '',
      name: '',
      figures: t,
    },
    ...t.engineers.map(engineerLine),
  ]);
  return rollupTable('班组汇总', lines, lang);
}

export function regionsTable(report: RegionReport, lang: HeaderLang = 'zh'): Table<RollupLine> {
  const lines = report.regions.flatMap((r): RollupLine[] => [
    {
      level: 'region',
      rank: r.rank,
      team: r.teams.join(';'),
      region: r.region,
      engineerId: '',
      name: '',
      figures: r,
    },
    ...r.engineers.map(engineerLine),
  ]);
  return rollupTable('区域汇总', lines, lang);
}

interface TrendLine {
  id: string;
  from: string;
  to: string;
  figures: TotalsFigures;
}

/** The engineer's range: a total line (the whole range), then one line per trend bucket. */
export function engineerTrendTable(d: EngineerDetail, lang: HeaderLang = 'zh'): Table<TrendLine> {
  const lines: TrendLine[] = [
    { id: d.period.id, from: d.period.from, to: d.period.to, figures: d },
    ...d.trend.map((b) => ({ id: b.id, from: b.from, to: b.to, figures: b })),
  ];
  const cols: Column<TrendLine>[] = [
    col('工程师编号', 'engineerId', () => d.engineerId),
    col('姓名', 'name', () => d.name),
    col('班组', 'team', () => d.team),
    col('区域', 'region', () => d.region),
    col('时段', 'period', (l) => l.id),
    col('开始', 'from', (l) => l.from),
    col('结束(不含)', 'to', (l) => l.to),
    ...figureColumns<TrendLine>((l) => l.figures, lang),
  ];
  return { sheet: '工程师趋势', columns: cols, rows: lines };
}

/** The current page of dissatisfied answers (phones already masked). */
export function engineerCommentsTable(
  d: EngineerDetail,
  lang: HeaderLang = 'zh',
): Table<DissatisfiedComment> {
  const cols: Column<DissatisfiedComment>[] = [
    col('评价时间', 'answeredAt', (c) => c.answeredAt),
    col('工程师编号', 'engineerId', () => d.engineerId),
    col('来源', 'source', (c) => c.source),
    col('工单号', 'ticketId', (c) => c.ticketId),
    col('工单类型', 'kind', (c) => c.kind),
    col('评分', 'rating', (c) => c.rating),
    col('原因', 'reasons', (c) => c.reasons.map((k) => (lang === 'zh' ? reasonNames[k] : k)).join(';')),
    col('意见', 'comment', (c) => c.comment),
    col('客户号码', 'phone', (c) => c.phone),
    col('调查编号', 'surveyId', (c) => c.surveyId),
  ];
  return { sheet: '不满意评价', columns: cols, rows: d.comments.items };
}
