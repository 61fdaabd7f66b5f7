/*
 * The managers' dashboard (served by functions/dashboard as /dashboard/assets/dashboard.js).
 * Over 350 lines on purpose: the page is one plain script with no build step (one request, one
 * content hash in its URL); what it shares with the workbench (words, DOM of text only, the API
 * call, times, sign-in states, exports) is shared/web/pages.js (global `Pages`, loaded before it);
 * its parts are marked below: formatting, ranking, charts, callbacks, loading and session.
 *
 * The manager signs in through shared/web/signin.js (global `Auth`, loaded before this script): the
 * issuer's sign-in page on AWS, the development sign-in locally, or a pasted token; the token is kept
 * in sessionStorage (this tab only) until they sign out or it expires. The page then shows, for the
 * chosen month (default: the current month in Asia/Shanghai):
 * the ranking of their engineers (GET v1/reports/engineers?period=YYYY-MM), the satisfaction trend of
 * the last six months (the same report for each month, rolled up here), the reasons given by unhappy
 * customers, and the callback and complaint cases still to work (open, overdue, in progress,
 * pending review, escalated: GET v1/callbacks?status=...).
 *
 * Views (client-side routes in the URL's hash; the browser's Back button returns): the ranking (`#`),
 * one engineer (`#engineer/{id}`: figures, rank within the team, trend, reasons, dissatisfied
 * comments paged, open cases), the teams (`#teams`) and regions (`#regions`) and one team's or
 * region's engineers (`#team/{name}`, `#region/{name}`). The period picker chooses a month, an ISO
 * week or a date range for every view. An engineer (the report's `viewer` says so) sees only their
 * own page, whatever the hash asks for: no ranking, no colleagues, no cases.
 *
 * Every piece of data goes into the page as text (textContent), never as HTML. Plain browser script,
 * no build step; ECharts comes from dashboard/assets/echarts.min.js (global `echarts`): our build of
 * only the charts and components used here (echarts-entry.ts: add any new chart type or component there).
 */
(() => {
  const { ZONE, STATUS_TEXT, RATING_TEXT, el, badge, api, setStatus } = window.Pages;
  const TREND_MONTHS = 6;
  const FLAG_TEXT = {
    below_target: '低于目标',
    insufficient_sample: '样本不足',
    low_response_rate: '回复率低',
  };
  const REASONS = [
    ['late', '上门不准时'],
    ['attitude', '服务态度/用语'],
    ['uniform', '未着工装/工牌'],
    ['mess', '未清理现场'],
    ['unsolved', '问题未解决'],
    ['other', '其他'],
  ];

  const $ = (id) => document.getElementById(id);
  const target = Number(document.body.dataset.target);
  const minSample = Number(document.body.dataset.minSample);
  /** Each load gets a number; answers of an older load (month changed, signed out) are dropped. */
  let loadSeq = 0;
  /** Whom the reports are cut for ({ role, engineerId }: GET v1/reports/engineers `viewer`); null until known. */
  let viewer = null;
  /** The chosen period (periodOfMonth, periodOfWeek, periodOfRange); null: the current month. */
  let period = null;
  /** Dissatisfied comments per page on an engineer's page. */
  const COMMENTS_PAGE = 10;
  /** Pages (of 100) of an engineer's open cases read at most. */
  const ENGINEER_CASE_PAGES = 10;

  // ---------------------------------------------------------------------------------------------
  // Formatting

  const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
  /** A fraction as a percentage with one decimal; null (no data) as a dash. */
  const pct = (rate) => (isNum(rate) ? `${(rate * 100).toFixed(1)}%` : '—');
  const fixed1 = (x) => (isNum(x) ? x.toFixed(1) : '—');
  const count = (x) => (isNum(x) ? String(x) : '—');
  const fixed2 = (x) => (isNum(x) ? x.toFixed(2) : '—');
  /** A fraction as a percentage number with one decimal (chart data); null stays null. */
  const pct1 = (rate) => (isNum(rate) ? Math.round(rate * 1000) / 10 : null);

  /** An ISO time as `MM/DD hh:mm` in Beijing time. */
  const when = window.Pages.timeFormatter(false);

  /** `YYYY-MM` of now in Beijing time. */
  function currentMonth() {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' })
      .formatToParts(new Date())
      .reduce((acc, p) => Object.assign(acc, { [p.type]: p.value }), {});
    return `${parts.year}-${parts.month}`;
  }

  /** The `n` months ending with `period` (YYYY-MM), oldest first. */
  function monthsEndingAt(period, n) {
    const [y, m] = period.split('-').map(Number);
    const out = [];
    for (let i = n - 1; i >= 0; i--) {
      const idx = y * 12 + (m - 1) - i;
      out.push(`${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`);
    }
    return out;
  }

  /** Months the manager can pick: the last two years up to the current month, newest first. */
  const MONTH_CHOICES = 24;

  const monthLabel = (period) => {
    const [y, m] = period.split('-');
    return `${y}年${Number(m)}月`;
  };

  /** `11月`; January with its year (`2027年1月`) so that a turn of the year reads right. */
  const shortMonth = (period) =>
    period.endsWith('-01') ? monthLabel(period) : `${Number(period.slice(5))}月`;

  // ---------------------------------------------------------------------------------------------
  // Periods: a month, an ISO week or a date range, each as the reports' query and a Chinese label

  const DAY_MS = 86_400_000;
  const MAX_RANGE_DAYS = 366;
  const pad2 = (n) => String(n).padStart(2, '0');
  /** `YYYY-MM-DD` as a UTC date (calendar arithmetic only), or null when it is not a real date. */
  function dayDate(ymd) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd));
    if (!m) return null;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? d : null;
  }
  const ymdOf = (d) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const dayLabel = (ymd) =>
    `${Number(ymd.slice(0, 4))}年${Number(ymd.slice(5, 7))}月${Number(ymd.slice(8))}日`;

  /** Today `YYYY-MM-DD` in Beijing time. */
  function currentDay() {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
  }

  /** The ISO week `YYYY-Www` of a day. */
  function isoWeekOf(ymd) {
    const d = dayDate(ymd);
    const thursday = new Date(d.getTime() + (3 - ((d.getUTCDay() + 6) % 7)) * DAY_MS);
    const y = thursday.getUTCFullYear();
    const week = Math.floor((thursday.getTime() - Date.UTC(y, 0, 1)) / DAY_MS / 7) + 1;
    return `${y}-W${pad2(week)}`;
  }

  const periodOfMonth = (month) => ({
    kind: 'month',
    id: month,
    query: `period=${month}`,
    label: monthLabel(month),
    lastMonth: month,
  });

  /** An ISO week `YYYY-Www`, or a message when it is not one. */
  function periodOfWeek(value) {
    const m = /^(\d{4})-W(\d{2})$/.exec(String(value));
    if (!m) return { error: '请选择统计周。' };
    const y = Number(m[1]);
    const w = Number(m[2]);
    const jan4 = Date.UTC(y, 0, 4);
    const monday = new Date(jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (w - 1) * 7 * DAY_MS);
    const id = `${y}-W${pad2(w)}`;
    if (w < 1 || isoWeekOf(ymdOf(monday)) !== id) return { error: `${y}年没有第${w}周，请重新选择。` };
    const sunday = ymdOf(new Date(monday.getTime() + 6 * DAY_MS));
    const first = ymdOf(monday);
    return {
      kind: 'week',
      id,
      query: `period=${id}`,
      label: `${y}年第${w}周（${Number(first.slice(5, 7))}月${Number(first.slice(8))}日—${Number(sunday.slice(5, 7))}月${Number(sunday.slice(8))}日）`,
      lastMonth: sunday.slice(0, 7),
    };
  }

  /** The local days `from`..`to` (inclusive), or a message naming what is wrong. */
  function periodOfRange(from, to) {
    if (!from || !to) return { error: '请选择开始日期和结束日期。', field: from ? 'to' : 'from' };
    const a = dayDate(from);
    const b = dayDate(to);
    if (!a) return { error: '开始日期无效，请按 年-月-日 选择。', field: 'from' };
    if (!b) return { error: '结束日期无效，请按 年-月-日 选择。', field: 'to' };
    if (b < a) return { error: '结束日期不能早于开始日期。', field: 'to' };
    if ((b - a) / DAY_MS + 1 > MAX_RANGE_DAYS) {
      return { error: `日期范围最长 ${MAX_RANGE_DAYS} 天，请缩短范围。`, field: 'to' };
    }
    return {
      kind: 'range',
      id: `${from}..${to}`,
      query: `from=${from}&to=${to}`,
      label: `${dayLabel(from)}至${dayLabel(to)}`,
      lastMonth: to.slice(0, 7),
    };
  }

  const currentPeriod = () => period ?? periodOfMonth($('month').value || currentMonth());

  // ---------------------------------------------------------------------------------------------
  // DOM (text only: Pages.el, Pages.badge) and API (Pages.api: GET with the user's token)

  const emptyRow = (tbody, columns, text) => tbody.replaceChildren(window.Pages.emptyRow(columns, text));

  /** Thrown by api() on a 401 (signin.js has then signed the manager out, with a message). */
  const SIGNED_OUT = window.Auth.SIGNED_OUT;

  /** The engineer report of a month `YYYY-MM`, or of a period object (its query). */
  const engineersOf = (p) =>
    api(`v1/reports/engineers?${typeof p === 'string' ? `period=${encodeURIComponent(p)}` : p.query}`);
  const enc = encodeURIComponent;

  // ---------------------------------------------------------------------------------------------
  // Ranking

  /** A link to the engineer's page (#engineer/{id}), named by the engineer. */
  function engineerLink(id, text) {
    const a = el('a', text);
    a.href = `#engineer/${enc(id)}`;
    return a;
  }

  function engineerCell(e) {
    const td = el('td');
    const text = String(e.name || e.engineerId || '—');
    if (e.engineerId) td.append(engineerLink(String(e.engineerId), text));
    else td.textContent = text;
    return td;
  }

  function flagBadges(flags) {
    const td = el('td');
    for (const f of Array.isArray(flags) ? flags : []) {
      td.append(badge(FLAG_TEXT[f] ?? String(f), String(f).replace(/[^\w-]/g, '')));
    }
    return td;
  }

  function renderRanking(engineers) {
    const tbody = $('ranking').tBodies[0];
    if (engineers.length === 0) {
      emptyRow(tbody, 16, '所选周期暂无完工或评价数据');
      return;
    }
    const rows = [...engineers].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9));
    tbody.replaceChildren(
      ...rows.map((e) => {
        const tr = el('tr');
        tr.dataset.engineerId = String(e.engineerId ?? '');
        const flags = el('td');
        for (const f of Array.isArray(e.flags) ? e.flags : []) {
          const title =
            f === 'below_target'
              ? `满意率低于目标 ${pct(target)}`
              : f === 'insufficient_sample'
                ? `评价少于 ${minSample} 条，排名仅供参考`
                : f === 'low_response_rate'
                  ? '短信评价的回复比例偏低'
                  : undefined;
          flags.append(badge(FLAG_TEXT[f] ?? String(f), String(f).replace(/[^\w-]/g, ''), title));
        }
        tr.append(
          el('td', count(e.rank), 'num'),
          engineerCell(e),
          el('td', String(e.team ?? '—')),
          el('td', fixed1(e.score), 'num'),
          el('td', pct(e.satisfactionRate), 'num'),
          el('td', count(e.responses), 'num'),
          el('td', count(e.dissatisfied), 'num'),
          el('td', pct(e.responseRate), 'num'),
          el('td', pct(e.repairOnTimeRate), 'num'),
          el('td', pct(e.contactOnTimeRate), 'num'),
          el('td', pct(e.punctualityRate), 'num'),
          el('td', count(e.complaints), 'num'),
          el('td', count(e.complaintsClosed), 'num'),
          el('td', count(e.complaintsOverdue), 'num'),
          el('td', fixed2(e.complaintRate), 'num'),
          flags,
        );
        return tr;
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Kind groups and repeat repairs, per team (004 5.2: store visits, handset sales, new business)

  const GROUPS = ['store_service', 'handset_sale', 'new_business', 'field'];

  /** "96.0%（25）": the group's rate and responses, summed over the team's engineers. */
  function groupCell(g) {
    return g.responses > 0 ? `${pct(g.satisfied / g.responses)}（${g.responses}）` : '—';
  }

  /**
   * One row per team of the engineers on screen, shown when any team has responses outside field
   * service (a store team) or a repeat repair: each group's satisfaction and the repeat-repair rate.
   */
  function renderGroups(engineers) {
    const teams = new Map();
    for (const e of engineers) {
      const key = String(e.team ?? '—');
      const t = teams.get(key) ?? {
        team: key,
        groups: Object.fromEntries(GROUPS.map((g) => [g, { responses: 0, satisfied: 0 }])),
        repairs: 0,
        repeats: 0,
      };
      for (const g of GROUPS) {
        const src = e.kindGroups?.[g];
        if (isNum(src?.responses)) t.groups[g].responses += src.responses;
        if (isNum(src?.satisfied)) t.groups[g].satisfied += src.satisfied;
      }
      if (isNum(e.repairsCompleted)) t.repairs += e.repairsCompleted;
      if (isNum(e.repeatRepairs)) t.repeats += e.repeatRepairs;
      teams.set(key, t);
    }
    const rows = [...teams.values()].sort((a, b) => (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
    const shown = rows.some(
      (t) => t.repeats > 0 || GROUPS.some((g) => g !== 'field' && t.groups[g].responses > 0),
    );
    $('groups-card').hidden = !shown;
    if (!shown) {
      $('groups').tBodies[0].replaceChildren();
      return;
    }
    $('groups').tBodies[0].replaceChildren(
      ...rows.map((t) => {
        const tr = el('tr');
        tr.append(
          el('td', t.team),
          ...GROUPS.map((g) => el('td', groupCell(t.groups[g]), 'num')),
          el(
            'td',
            t.repairs > 0 ? `${pct(Math.min(1, t.repeats / t.repairs))}（${t.repeats}/${t.repairs}）` : '—',
            'num',
          ),
        );
        return tr;
      }),
    );
    $('groups-note').textContent =
      `每类满意率 = 该类满意评价数 ÷ 该类评价数，括号内为评价数；目标均为 ${pct(target)}。` +
      '返修率 = 返修数 ÷ 维修完成数（括号内），返修记在前一次维修的工程师名下。';
  }

  // ---------------------------------------------------------------------------------------------
  // Charts

  const resizeObserver =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver((entries) => {
          for (const entry of entries) window.echarts?.getInstanceByDom(entry.target)?.resize();
        })
      : undefined;

  function chart(id) {
    const dom = $(id);
    let c = window.echarts.getInstanceByDom(dom);
    if (!c) {
      c = window.echarts.init(dom, null, { renderer: 'canvas' });
      resizeObserver?.observe(dom);
    }
    return c;
  }

  const percentValue = (v) => (isNum(v) ? `${v.toFixed(1)}%` : '—');

  /** Satisfied / rated replies of all visible engineers in each month (null: no rated reply). */
  function trendOf(months, reports) {
    return months.map((period, i) => {
      const r = reports[i];
      if (r?.status !== 200 || !Array.isArray(r.data?.engineers)) return { period, rate: null, n: 0 };
      let n = 0;
      let satisfied = 0;
      for (const e of r.data.engineers) {
        if (!isNum(e.responses) || e.responses === 0 || !isNum(e.satisfactionRate)) continue;
        n += e.responses;
        satisfied += Math.round(e.satisfactionRate * e.responses);
      }
      return { period, rate: n > 0 ? satisfied / n : null, n };
    });
  }

  /**
   * A satisfaction trend (rate as a line, responses as bars): `trend` is [{ period, rate, n }] with
   * `category(t)` its axis label; the ranking's six months by default, an engineer's buckets otherwise.
   */
  function renderTrend(
    trend,
    chartId = 'trend-chart',
    labelId = 'trend-label',
    category = (t) => shortMonth(t.period),
  ) {
    const hasTarget = isNum(target) && target > 0;
    // The target is named in the heading: a label on the line would collide with the points' labels.
    $(labelId).textContent = hasTarget ? `（红色虚线为目标 ${pct(target)}）` : '';
    chart(chartId).setOption(
      {
        animationDuration: 400,
        color: ['#0b5cad', '#9fb8d6'],
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: ['满意率', '评价数'] },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: trend.map(category) },
        yAxis: [
          { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
          // Counts in the lower half, under the rates: max is twice the largest count.
          {
            type: 'value',
            minInterval: 1,
            max: (v) => Math.max(4, Math.ceil(v.max * 2)),
            splitLine: { show: false },
            axisLabel: { show: false },
          },
        ],
        series: [
          {
            name: '满意率',
            type: 'line',
            z: 3,
            data: trend.map((t) => pct1(t.rate)),
            connectNulls: false,
            symbolSize: 7,
            label: { show: true, formatter: (p) => percentValue(p.value) },
            tooltip: { valueFormatter: percentValue },
            markLine: hasTarget
              ? {
                  silent: true,
                  symbol: 'none',
                  lineStyle: { color: '#c0392b', type: 'dashed' },
                  label: { show: false },
                  data: [{ yAxis: pct1(target) }],
                }
              : undefined,
          },
          {
            name: '评价数',
            type: 'bar',
            yAxisIndex: 1,
            barMaxWidth: 28,
            data: trend.map((t) => t.n),
            tooltip: { valueFormatter: (v) => `${v} 条` },
          },
        ],
      },
      true,
    );
  }

  function renderReasons(engineers, chartId = 'reasons-chart', labelId = 'reasons-label') {
    const totals = REASONS.map(([key]) =>
      engineers.reduce((sum, e) => sum + (isNum(e.reasons?.[key]) ? e.reasons[key] : 0), 0),
    );
    const mentions = totals.reduce((a, b) => a + b, 0);
    $(labelId).textContent = `（共 ${mentions} 次提及）`;
    chart(chartId).setOption(
      {
        animationDuration: 400,
        color: ['#c0392b'],
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', inverse: true, data: REASONS.map(([, text]) => text) },
        series: [
          {
            name: '提及次数',
            type: 'bar',
            barMaxWidth: 22,
            data: totals,
            label: { show: true, position: 'right' },
          },
        ],
        graphic:
          mentions === 0
            ? [
                {
                  type: 'text',
                  left: 'center',
                  top: 'middle',
                  style: { text: '所选周期暂无不满意原因', fill: '#6b7280', fontSize: 14 },
                },
              ]
            : [],
      },
      true,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Callbacks

  function reasonsText(reasons) {
    if (!Array.isArray(reasons) || reasons.length === 0) return '—';
    return reasons
      .map((r) => {
        if (typeof r === 'number') return REASONS[r - 1]?.[1] ?? String(r);
        return REASONS.find(([key]) => key === r)?.[1] ?? String(r);
      })
      .join('、');
  }

  /**
   * Whether the viewer works cases in the callback workbench: every role but an engineer
   * (shared/domain/access.ts mayWorkCallbacks; the server decides, this only offers the link).
   */
  const mayWorkCases = () => viewer !== null && viewer.role !== 'engineer';

  /** A case's status as a badge in a cell: overdue and escalated in red, the others amber. */
  function statusCell(c) {
    const td = el('td');
    const urgent = c.status === 'overdue' || c.status === 'escalated';
    td.append(badge(STATUS_TEXT[c.status] ?? String(c.status), urgent ? 'overdue' : 'open'));
    return td;
  }

  /** A case's rating; a complaint may come without one: it reads 投诉 (with the rating when there is one). */
  function caseRating(c) {
    const rated = RATING_TEXT[c.rating] ?? (c.rating === undefined ? '' : String(c.rating));
    return c.kind === 'complaint' ? (rated ? `投诉·${rated}` : '投诉') : rated || '—';
  }

  /** The case's number, a link that opens the case in the callback workbench (`workbench#case/{id}`). */
  function caseCell(c) {
    const id = String(c.caseId ?? '');
    if (!id || !mayWorkCases()) return el('td', id || '—');
    const td = el('td');
    const a = el('a', id, 'case-link');
    a.href = `workbench#case/${enc(id)}`;
    a.title = '在回访工作台处理此案件';
    td.append(a);
    return td;
  }

  function callbacksUnavailable(text) {
    $('callbacks-note').textContent = text;
    $('callbacks-wrap').hidden = true;
    $('callbacks-label').textContent = '';
  }

  async function loadCallbacks(seq) {
    let answers;
    try {
      answers = await Promise.all([
        api('v1/callbacks?status=overdue,escalated'),
        api('v1/callbacks?status=open,in_progress,pending_review'),
      ]);
    } catch (err) {
      if (err === SIGNED_OUT) throw err;
      if (seq === loadSeq) callbacksUnavailable('回访记录暂时无法加载，请稍后刷新页面。');
      return;
    }
    if (seq !== loadSeq) return;
    const failed = answers.find((a) => a.status !== 200 || !Array.isArray(a.data?.items));
    if (failed) {
      callbacksUnavailable(
        failed.status === 403 || failed.status === 404
          ? '回访记录暂不可用：该功能尚未开放，或您的账号无权查看回访记录。'
          : '回访记录暂时无法加载，请稍后刷新页面。',
      );
      return;
    }
    const seen = new Set();
    const items = answers
      .flatMap((a) => a.data.items)
      .filter((c) => !seen.has(c.caseId) && seen.add(c.caseId))
      .sort((a, b) => {
        const over = (c) => (c.status === 'overdue' || c.status === 'escalated' ? 0 : 1);
        return over(a) - over(b) || String(a.deadline).localeCompare(String(b.deadline));
      });
    const overdue = items.filter((c) => c.status === 'overdue').length;
    // The list API gives no total: without a cursor both lists were read to their end (a true
    // total); with one, only this page is on screen and more are left.
    const more = answers.some((a) => typeof a.data.cursor === 'string' && a.data.cursor);
    $('callbacks-wrap').hidden = false;
    $('callbacks-label').textContent = more
      ? `（本页 ${items.length} 条，其中已超时 ${overdue} 条；还有更多）`
      : `（共 ${items.length} 条，其中已超时 ${overdue} 条）`;
    const note = $('callbacks-note');
    note.replaceChildren();
    if (more) {
      note.append('仅显示最紧急和最近的一页记录，更多记录');
      if (mayWorkCases()) {
        const a = el('a', '请在回访工作台查看');
        a.href = 'workbench';
        note.append(a, '。');
      } else note.append('请在回访系统中查看。');
    }
    const tbody = $('callbacks').tBodies[0];
    if (items.length === 0) {
      emptyRow(tbody, 10, '目前没有待回访的客户');
      return;
    }
    tbody.replaceChildren(
      ...items.map((c) => {
        const tr = el('tr');
        tr.dataset.caseId = String(c.caseId ?? '');
        const rating = el('td');
        rating.append(badge(caseRating(c), `rating-${Number(c.rating) || 0}`));
        tr.append(
          statusCell(c),
          el('td', when(c.deadline)),
          el('td', String(c.engineerName ?? '—')),
          el('td', String(c.team ?? '—')),
          rating,
          el('td', reasonsText(c.reasons)),
          el('td', c.comment ? String(c.comment) : '—', 'wrap'),
          el('td', String(c.phone ?? '—')),
          el('td', when(c.openedAt)),
          caseCell(c),
        );
        return tr;
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // One engineer: figures, rank within the team, trend, reasons, dissatisfied comments, open cases

  const FIGURES = [
    ['综合评分', (d) => fixed1(d.score)],
    ['满意率', (d) => pct(d.satisfactionRate)],
    ['评价数', (d) => count(d.responses)],
    [
      '满意 / 基本满意 / 不满意',
      (d) => `${count(d.satisfied)} / ${count(d.basicallySatisfied)} / ${count(d.dissatisfied)}`,
    ],
    ['回复率', (d) => pct(d.responseRate)],
    ['修复及时率', (d) => pct(d.repairOnTimeRate)],
    ['首次联系及时率', (d) => pct(d.contactOnTimeRate)],
    ['守约率', (d) => pct(d.punctualityRate)],
    ['完工数', (d) => count(d.completed)],
    ['投诉', (d) => count(d.complaints)],
    ['百单投诉率', (d) => fixed2(d.complaintRate)],
  ];

  /** "班组内第 3 名 / 共 8 名": a place and a head count, never a colleague. */
  function rankText(r) {
    if (!r || !isNum(r.rank) || !isNum(r.of)) return '所选周期内暂无班组排名。';
    return `班组内第 ${r.rank} 名 / 共 ${r.of} 名${r.sampleSufficient === false ? `（评价少于 ${minSample} 条，排名仅供参考）` : ''}`;
  }

  /** "第47周" or "11月" for a trend bucket id (`2026-W47`, `2026-11`). */
  const bucketLabel = (t) => {
    const w = /-W(\d{2})$/.exec(String(t.period));
    return w ? `第${Number(w[1])}周` : shortMonth(String(t.period));
  };

  function clearEngineer() {
    $('eng-title').textContent = '工程师';
    $('eng-rank').textContent = '';
    $('eng-figures').replaceChildren();
    $('eng-note').textContent = '';
    $('eng-comments-label').textContent = '';
    $('eng-comments').tBodies[0].replaceChildren();
    $('eng-more').hidden = true;
    $('eng-cases').tBodies[0].replaceChildren();
    $('eng-cases-label').textContent = '';
    $('eng-cases-note').textContent = '';
    for (const id of ['eng-trend-chart', 'eng-reasons-chart'])
      window.echarts?.getInstanceByDom($(id))?.clear();
  }

  function commentRows(items) {
    return items.map((c) => {
      const tr = el('tr');
      tr.dataset.surveyId = String(c.surveyId ?? '');
      tr.append(
        el('td', when(c.answeredAt)),
        el('td', String(c.ticketId ?? '—')),
        el('td', reasonsText(c.reasons)),
        el('td', c.comment ? String(c.comment) : '—', 'wrap'),
        el('td', String(c.phone ?? '—')),
      );
      return tr;
    });
  }

  /** The next page of dissatisfied comments (the button holds its cursor). */
  let commentsNext = null;

  async function moreComments(engineerId) {
    const seq = loadSeq;
    const cursor = commentsNext;
    if (!cursor) return;
    $('eng-more').disabled = true;
    try {
      const res = await api(
        `v1/reports/engineers/${enc(engineerId)}?${currentPeriod().query}&limit=${COMMENTS_PAGE}&cursor=${enc(cursor)}`,
      );
      if (seq !== loadSeq) return;
      if (res.status !== 200 || !Array.isArray(res.data?.comments?.items)) {
        setStatus('更多评价暂时无法加载，请稍后重试。');
        return;
      }
      const tbody = $('eng-comments').tBodies[0];
      tbody.append(...commentRows(res.data.comments.items));
      showCommentsMore(res.data.comments.nextCursor, tbody.rows.length);
    } catch (err) {
      if (err !== SIGNED_OUT && seq === loadSeq) setStatus('网络异常，更多评价未能加载。');
    } finally {
      $('eng-more').disabled = false;
    }
  }

  function showCommentsMore(next, shown) {
    commentsNext = typeof next === 'string' && next ? next : null;
    $('eng-more').hidden = commentsNext === null;
    $('eng-comments-label').textContent = commentsNext
      ? `（已显示 ${shown} 条，还有更多）`
      : `（共 ${shown} 条）`;
  }

  async function loadEngineer(seq, engineerId, own) {
    clearEngineer();
    $('eng-back-wrap').hidden = own;
    $('eng-cases-card').hidden = own;
    if (!engineerId) {
      setStatus('此账号未关联工程师编号，请联系管理员。');
      return true;
    }
    const p = currentPeriod();
    const res = await api(`v1/reports/engineers/${enc(engineerId)}?${p.query}&limit=${COMMENTS_PAGE}`);
    if (seq !== loadSeq) return false;
    if (res.status === 403 || res.status === 404) {
      setStatus(res.status === 404 ? '未找到该工程师的数据。' : '无权查看该工程师的数据。');
      return true;
    }
    if (res.status !== 200 || !res.data) {
      setStatus(`数据暂时无法加载（HTTP ${res.status}），请稍后刷新页面。`);
      return false;
    }
    const d = res.data;
    $('eng-title').textContent = `${d.name || d.engineerId}${d.team ? `（${d.team}）` : ''} · ${p.label}`;
    $('eng-rank').textContent = rankText(d.rankInTeam);
    $('eng-figures').replaceChildren(
      ...FIGURES.map(([term, value]) => {
        const div = el('div');
        div.append(el('dt', term), el('dd', value(d)));
        return div;
      }),
    );
    const flags = (Array.isArray(d.flags) ? d.flags : []).map((f) => FLAG_TEXT[f] ?? String(f));
    $('eng-note').textContent =
      `${flags.length ? `提示：${flags.join('、')}。` : ''}目标满意率 ${pct(target)}；“—”表示没有数据。`;
    const trend = (Array.isArray(d.trend) ? d.trend : []).map((t) => ({
      period: t.id,
      rate: isNum(t.satisfactionRate) ? t.satisfactionRate : null,
      n: isNum(t.responses) ? t.responses : 0,
    }));
    renderTrend(trend, 'eng-trend-chart', 'eng-trend-label', bucketLabel);
    renderReasons([d], 'eng-reasons-chart', 'eng-reasons-label');
    const items = Array.isArray(d.comments?.items) ? d.comments.items : [];
    const tbody = $('eng-comments').tBodies[0];
    if (items.length === 0) emptyRow(tbody, 5, '所选周期没有不满意评价');
    else tbody.replaceChildren(...commentRows(items));
    showCommentsMore(d.comments?.nextCursor, items.length);
    setStatus('');
    if (!own) await loadEngineerCases(seq, d);
    return true;
  }

  /**
   * The engineer's cases still to work: GET v1/callbacks asked for the engineer (`engineerId`), an
   * admin naming the engineer's team; kept to the engineer here too, so that a list API without the
   * filter shows the same.
   */
  async function loadEngineerCases(seq, d) {
    const scope = viewer?.role === 'admin' && d.team ? `&team=${enc(d.team)}` : '';
    const path = `v1/callbacks?status=open,overdue,in_progress,pending_review,escalated&limit=100&engineerId=${enc(d.engineerId)}${scope}`;
    // Pages are read while the API gives a cursor (a page may be short, even empty, under the
    // engineer filter), up to ENGINEER_CASE_PAGES requests: never "none" while some are unread.
    const read = [];
    let cursor;
    let requests = 0;
    let res;
    do {
      try {
        res = await api(cursor ? `${path}&cursor=${enc(cursor)}` : path);
      } catch (err) {
        if (err === SIGNED_OUT) throw err;
        res = { status: 0 };
      }
      if (seq !== loadSeq) return;
      if (res.status !== 200 || !Array.isArray(res.data?.items)) break;
      requests++;
      read.push(...res.data.items);
      cursor = typeof res.data.cursor === 'string' && res.data.cursor ? res.data.cursor : undefined;
    } while (cursor && requests < ENGINEER_CASE_PAGES);
    const tbody = $('eng-cases').tBodies[0];
    if (res.status !== 200 || !Array.isArray(res.data?.items)) {
      $('eng-cases-note').textContent = '回访记录暂时无法加载，请稍后刷新页面。';
      tbody.replaceChildren();
      return;
    }
    const items = read
      .filter((c) => c.engineerId === d.engineerId)
      .sort((a, b) => String(a.deadline).localeCompare(String(b.deadline)));
    $('eng-cases-label').textContent = cursor
      ? `（已读取 ${items.length} 条，还有更多）`
      : `（共 ${items.length} 条）`;
    $('eng-cases-note').textContent = cursor
      ? `未结回访较多，仅显示已读取的 ${items.length} 条（${requests} 页）。`
      : '';
    if (items.length === 0 && cursor) {
      emptyRow(tbody, 7, `已读取的 ${requests} 页中没有该工程师的未结回访，可能还有更多`);
      return;
    }
    if (items.length === 0) {
      emptyRow(tbody, 7, '该工程师目前没有未结回访');
      return;
    }
    tbody.replaceChildren(
      ...items.map((c) => {
        const tr = el('tr');
        tr.dataset.caseId = String(c.caseId ?? '');
        tr.append(
          statusCell(c),
          el('td', when(c.deadline)),
          el('td', caseRating(c)),
          el('td', reasonsText(c.reasons)),
          el('td', c.comment ? String(c.comment) : '—', 'wrap'),
          el('td', String(c.phone ?? '—')),
          caseCell(c),
        );
        return tr;
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Teams and regions, and one team's or region's engineers

  const GROUP_COLUMNS = [
    ['综合评分', (r) => fixed1(r.score)],
    ['满意率', (r) => pct(r.satisfactionRate)],
    ['评价数', (r) => count(r.responses)],
    ['不满意', (r) => count(r.dissatisfied)],
    ['回复率', (r) => pct(r.responseRate)],
    ['修复及时率', (r) => pct(r.repairOnTimeRate)],
    ['投诉', (r) => count(r.complaints)],
  ];

  function groupHead(names) {
    const tr = $('grp-table').tHead.rows[0];
    tr.replaceChildren(
      ...names.map(([text, numeric]) => {
        const th = el('th', text, numeric ? 'num' : undefined);
        th.scope = 'col';
        return th;
      }),
    );
  }

  function linkCell(href, text) {
    const td = el('td');
    const a = el('a', text);
    a.href = href;
    td.append(a);
    return td;
  }

  /** `#teams`, `#regions`: the rolled-up rows; `#team/{name}`, `#region/{name}`: its engineers. */
  async function loadGroups(seq, level, name) {
    const p = currentPeriod();
    const res = await api(`v1/reports/${level === 'team' ? 'teams' : 'regions'}?${p.query}`);
    if (seq !== loadSeq) return false;
    const levelText = level === 'team' ? '班组' : '区域';
    const tbody = $('grp-table').tBodies[0];
    tbody.replaceChildren();
    $('grp-back-wrap').hidden = name === undefined;
    $('grp-back').href = level === 'team' ? '#teams' : '#regions';
    $('grp-back').textContent = `← 返回${levelText}列表`;
    $('grp-label').textContent = `（${p.label}）`;
    if (res.status === 403) {
      $('grp-title').firstChild.textContent = `${levelText}汇总`;
      setStatus(`无权查看${levelText}汇总。`);
      return true;
    }
    const rows = res.data?.[level === 'team' ? 'teams' : 'regions'];
    if (res.status !== 200 || !Array.isArray(rows)) {
      setStatus(`报表暂时无法加载（HTTP ${res.status}），请稍后刷新页面。`);
      return false;
    }
    setStatus('');
    if (name === undefined) {
      $('grp-title').firstChild.textContent = `${levelText}汇总`;
      groupHead([
        ['排名', true],
        [levelText],
        [level === 'team' ? '所属区域' : '包含班组'],
        ['工程师数', true],
        ...GROUP_COLUMNS.map(([t]) => [t, true]),
        ['提示'],
      ]);
      if (rows.length === 0) emptyRow(tbody, 11, '所选周期暂无数据');
      else
        tbody.replaceChildren(
          ...rows.map((r) => {
            const key = String(r[level] ?? '');
            const tr = el('tr');
            tr.dataset.name = key;
            tr.append(
              el('td', count(r.rank), 'num'),
              linkCell(`#${level}/${enc(key)}`, key || '—'),
              el('td', (level === 'team' ? r.regions : r.teams)?.join('、') || '—'),
              el('td', count(r.engineerCount), 'num'),
              ...GROUP_COLUMNS.map(([, f]) => el('td', f(r), 'num')),
              flagBadges(r.flags),
            );
            return tr;
          }),
        );
      $('grp-note').textContent =
        `排名规则与工程师排名相同：评价数达到 ${minSample} 条的在前，再按综合评分。点击${levelText}名称查看其工程师。`;
      return true;
    }
    $('grp-title').firstChild.textContent = `${levelText}：${name}`;
    groupHead([
      ['排名', true],
      ['工程师'],
      ...(level === 'region' ? [['班组']] : []),
      ...GROUP_COLUMNS.map(([t]) => [t, true]),
      ['提示'],
    ]);
    const row = rows.find((r) => r[level] === name);
    const engineers = Array.isArray(row?.engineers) ? row.engineers : [];
    if (engineers.length === 0) emptyRow(tbody, 10, `所选周期该${levelText}暂无数据`);
    else
      tbody.replaceChildren(
        ...engineers.map((e) => {
          const tr = el('tr');
          tr.dataset.engineerId = String(e.engineerId ?? '');
          tr.append(
            el('td', count(e.rank), 'num'),
            engineerCell(e),
            ...(level === 'region' ? [el('td', String(e.team ?? '—'))] : []),
            ...GROUP_COLUMNS.map(([, f]) => el('td', f(e), 'num')),
            flagBadges(e.flags),
          );
          return tr;
        }),
      );
    $('grp-note').textContent =
      `该${levelText}的工程师，按${levelText}内的数据排名。点击姓名查看工程师详情。`;
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Views (the URL's hash) and the period picker

  /** What the hash asks for; an engineer always gets their own page. */
  function route() {
    if (viewer?.role === 'engineer') return { view: 'engineer', id: viewer.engineerId ?? '', own: true };
    const hash = location.hash.replace(/^#\/?/, '');
    const cut = hash.indexOf('/');
    const head = cut < 0 ? hash : hash.slice(0, cut);
    let rest = '';
    try {
      rest = cut < 0 ? '' : decodeURIComponent(hash.slice(cut + 1));
    } catch {
      rest = '';
    }
    if (head === 'engineer' && rest) return { view: 'engineer', id: rest, own: false };
    if (head === 'teams' || head === 'regions') return { view: 'groups', level: head.slice(0, -1) };
    if ((head === 'team' || head === 'region') && rest) return { view: 'groups', level: head, name: rest };
    return { view: 'ranking' };
  }

  const routeKey = (r) =>
    r.view === 'engineer'
      ? `engineer:${r.id}`
      : r.view === 'groups'
        ? `${r.level}:${r.name ?? '*'}`
        : 'ranking';

  function showView(r) {
    $('view-ranking').hidden = r.view !== 'ranking';
    $('view-engineer').hidden = r.view !== 'engineer';
    $('view-groups').hidden = r.view !== 'groups';
    $('views').hidden = viewer?.role === 'engineer';
    const current = r.view === 'ranking' ? 'nav-ranking' : r.view === 'groups' ? `nav-${r.level}s` : null;
    for (const id of ['nav-ranking', 'nav-teams', 'nav-regions']) {
      if (id === current) $(id).setAttribute('aria-current', 'page');
      else $(id).removeAttribute('aria-current');
    }
    document.title = r.view === 'engineer' && r.own ? '我的服务满意度' : '服务满意度看板';
    document.querySelector('.topbar h1').textContent = document.title;
  }

  /** Who the reports are cut for, from the engineer report (asked once a session). */
  async function knowViewer(seq) {
    if (viewer) return true;
    const res = await engineersOf(currentPeriod());
    if (seq !== loadSeq) return false;
    const v = res.data?.viewer;
    if (res.status !== 200 || !v || typeof v.role !== 'string') {
      // Unknown: show nothing rather than a view that may not be theirs; a reload asks again.
      setStatus(`报表暂时无法加载（HTTP ${res.status}），请稍后刷新页面。`);
      return false;
    }
    viewer = v;
    return true;
  }

  /** Applies the picker: the period it shows, or its message (and the field marked invalid). */
  function applyPicker() {
    const kind = $('period-kind').value;
    for (const id of ['week', 'from', 'to']) $(id).removeAttribute('aria-invalid');
    const p =
      kind === 'week'
        ? periodOfWeek($('week').value)
        : kind === 'range'
          ? periodOfRange($('from').value, $('to').value)
          : periodOfMonth($('month').value || currentMonth());
    if (p.error) {
      $('period-error').textContent = p.error;
      const field = kind === 'week' ? 'week' : p.field;
      if (field) {
        $(field).setAttribute('aria-invalid', 'true');
        $(field).focus();
      }
      return;
    }
    $('period-error').textContent = '';
    period = p;
    load();
  }

  function showPickerFields() {
    const kind = $('period-kind').value;
    $('month-field').hidden = kind !== 'month';
    $('week-field').hidden = kind !== 'week';
    $('range-field').hidden = kind !== 'range';
    $('period-apply').hidden = kind === 'month';
  }

  function wirePicker() {
    $('period-kind').addEventListener('change', () => {
      const kind = $('period-kind').value;
      const today = currentDay();
      if (kind === 'week' && !$('week').value) $('week').value = isoWeekOf(today);
      if (kind === 'range' && !$('from').value && !$('to').value) {
        $('from').value = `${today.slice(0, 7)}-01`;
        $('to').value = today;
      }
      showPickerFields();
      applyPicker();
    });
    $('month').addEventListener('change', () => applyPicker());
    $('week').addEventListener('change', () => applyPicker());
    $('period-form').addEventListener('submit', (event) => {
      event.preventDefault();
      applyPicker();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Loading and session

  /**
   * Fills the board for the chosen period and the view the hash names. `#board[data-loaded]` names
   * the period (`2026-11`, `2026-W47`, `2026-11-01..2026-11-15`) once everything of this load is on
   * screen, and `#board[data-view]` the view (`ranking`, `engineer:{id}`, `team:*`, `team:{name}`,
   * `region:*`, `region:{name}`); both are absent while a load is under way: what a reader (or a
   * test) waits for, rather than the first row of any period.
   */
  async function load() {
    const seq = ++loadSeq;
    delete $('board').dataset.loaded;
    delete $('board').dataset.view;
    setStatus('正在加载数据…');
    try {
      if (!(await knowViewer(seq))) return;
      const r = route();
      showView(r);
      const done =
        r.view === 'engineer'
          ? await loadEngineer(seq, r.id, r.own)
          : r.view === 'groups'
            ? await loadGroups(seq, r.level, r.name)
            : await loadRanking(seq);
      if (done && seq === loadSeq) {
        $('board').dataset.view = routeKey(r);
        $('board').dataset.loaded = currentPeriod().id;
      }
    } catch (err) {
      // Signed out (signin.js has told the page, with its message): nothing more to show.
      if (err === SIGNED_OUT) return;
      if (seq === loadSeq) setStatus('网络异常，数据未能加载，请稍后刷新页面。');
    }
  }

  async function loadRanking(seq) {
    const p = currentPeriod();
    const months = monthsEndingAt(p.lastMonth, TREND_MONTHS);
    $('period-label').textContent = `（${p.label}）`;
    const reports = await Promise.all([
      ...(p.kind === 'month' ? [] : [engineersOf(p)]),
      ...months.map(engineersOf),
    ]);
    if (seq !== loadSeq) return false;
    const current = p.kind === 'month' ? reports[reports.length - 1] : reports[0];
    const monthly = p.kind === 'month' ? reports : reports.slice(1);
    if (current.status === 403) {
      setStatus('此令牌无权查看工程师报表，请使用管理人员令牌登录。');
      return false;
    }
    if (current.status !== 200 || !Array.isArray(current.data?.engineers)) {
      setStatus(`报表暂时无法加载（HTTP ${current.status}），请稍后刷新页面。`);
      return false;
    }
    const engineers = current.data.engineers;
    renderRanking(engineers);
    renderGroups(engineers);
    renderReasons(engineers);
    renderTrend(trendOf(months, monthly));
    $('ranking-note').textContent =
      `满意率 = 满意评价数 ÷ 评价数；目标 ${pct(target)}。评价少于 ${minSample} 条标记“样本不足”，排名仅供参考。` +
      '“—”表示没有数据。点击姓名查看工程师详情。';
    const missing = monthly.filter((r) => r.status !== 200).length;
    setStatus(missing > 0 ? '部分月份的数据未能加载，趋势图可能不完整。' : '');
    await loadCallbacks(seq);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Excel export: the current view's report, the same API path as the view with format=xlsx

  /** The API path and a fallback file name of what the current view shows. */
  function exportOf(r) {
    const p = currentPeriod();
    if (r.view === 'engineer') {
      return { path: `v1/reports/engineers/${enc(r.id)}?${p.query}`, name: `工程师-${r.id}-${p.id}` };
    }
    if (r.view === 'groups') {
      const level = r.level === 'team' ? 'teams' : 'regions';
      return {
        path: `v1/reports/${level}?${p.query}`,
        name: `${r.level === 'team' ? '班组' : '区域'}汇总-${p.id}`,
      };
    }
    return { path: `v1/reports/engineers?${p.query}`, name: `工程师排名-${p.id}` };
  }

  function exportView(button) {
    const { path, name } = exportOf(route());
    return window.Pages.exportXlsx(button, path, name);
  }

  const CHARTS = ['trend-chart', 'reasons-chart', 'eng-trend-chart', 'eng-reasons-chart'];

  /** signin.js's onSignedOut: the board is cleared and the sign-in panel shown, with the message. */
  function signedOut(message) {
    loadSeq++;
    viewer = null;
    delete $('board').dataset.loaded;
    delete $('board').dataset.view;
    for (const id of CHARTS) {
      const dom = $(id);
      resizeObserver?.unobserve(dom);
      window.echarts?.getInstanceByDom(dom)?.dispose();
    }
    for (const id of ['ranking', 'callbacks', 'groups', 'eng-comments', 'eng-cases', 'grp-table']) {
      $(id).tBodies[0].replaceChildren();
    }
    clearEngineer();
    window.Pages.showSignedOut('board', message);
  }

  /** A pasted token, before signin.js keeps it: a problem to show, or undefined when it may be used. */
  const checkToken = window.Pages.tokenChecker(
    () => `v1/reports/engineers?${currentPeriod().query}`,
    '此令牌无权查看报表，请使用管理人员令牌。',
  );

  /** After a view change by the user: focus the view's heading, for keyboard and screen-reader users. */
  function focusView() {
    const r = route();
    const heading =
      r.view === 'engineer'
        ? $('eng-title')
        : r.view === 'groups'
          ? $('grp-title')
          : $('ranking').closest('section')?.querySelector('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: false });
    }
  }

  function start() {
    const month = $('month');
    month.replaceChildren(
      ...monthsEndingAt(currentMonth(), MONTH_CHOICES)
        .reverse()
        .map((m) => {
          const option = el('option', monthLabel(m));
          option.value = m;
          return option;
        }),
    );
    wirePicker();
    showPickerFields();
    $('eng-more').addEventListener('click', () => {
      const r = route();
      if (r.view === 'engineer') moreComments(r.id);
    });
    window.addEventListener('hashchange', () => {
      if ($('board').hidden) return;
      load().then(focusView);
    });
    for (const id of ['export-ranking', 'export-engineer', 'export-groups']) {
      $(id).addEventListener('click', () => exportView($(id)));
    }
    $('signout').addEventListener('click', () => window.Auth.signOut());
    window.Auth.start({
      onSignedIn: () => {
        window.Pages.showSignedIn('board');
        load();
      },
      onSignedOut: signedOut,
      checkToken,
    });
    if (typeof window.echarts === 'undefined') {
      $('signin-error').textContent = '图表组件未能加载，请刷新页面重试。';
    }
  }

  start();
})();
