/*
 * The managers' dashboard (served by functions/dashboard as /dashboard/assets/dashboard.js).
 * Over 350 lines on purpose: the page is one plain script with no build step (one request, one
 * content hash in its URL); its parts are marked below: formatting, DOM (text only), API, ranking,
 * charts, callbacks, loading and session.
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
 * Every piece of data goes into the page as text (textContent), never as HTML. Plain browser script,
 * no build step; ECharts comes from dashboard/assets/echarts.min.js (global `echarts`): our build of
 * only the charts and components used here (echarts-entry.ts: add any new chart type or component there).
 */
(() => {
  const ZONE = 'Asia/Shanghai';
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
  const RATING_TEXT = { 1: '满意', 2: '基本满意', 3: '不满意' };
  const STATUS_TEXT = {
    open: '待回访',
    overdue: '已超时',
    in_progress: '处理中',
    pending_review: '待审核',
    escalated: '已升级',
    closed: '已结案',
  };

  const $ = (id) => document.getElementById(id);
  const target = Number(document.body.dataset.target);
  const minSample = Number(document.body.dataset.minSample);
  /** Each load gets a number; answers of an older load (month changed, signed out) are dropped. */
  let loadSeq = 0;

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

  const dateTime = new Intl.DateTimeFormat('zh-CN', {
    timeZone: ZONE,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const when = (iso) => {
    const d = new Date(iso);
    return typeof iso === 'string' && !Number.isNaN(d.getTime()) ? dateTime.format(d) : '—';
  };

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
  // DOM (text only)

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function badge(text, kind, title) {
    const b = el('span', text, `badge ${kind}`);
    if (title) b.title = title;
    return b;
  }

  function emptyRow(tbody, columns, text) {
    const td = el('td', text, 'empty');
    td.colSpan = columns;
    const tr = el('tr');
    tr.append(td);
    tbody.replaceChildren(tr);
  }

  function setStatus(text) {
    $('status').textContent = text;
  }

  // ---------------------------------------------------------------------------------------------
  // API

  /** Thrown by api() on a 401 (signin.js has then signed the manager out, with a message). */
  const SIGNED_OUT = window.Auth.SIGNED_OUT;

  /** GET a JSON resource with the signed-in user's token. */
  async function api(path) {
    const res = await window.Auth.fetch(path);
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    return { status: res.status, data };
  }

  const engineersOf = (period) => api(`v1/reports/engineers?period=${encodeURIComponent(period)}`);

  // ---------------------------------------------------------------------------------------------
  // Ranking

  function renderRanking(engineers) {
    const tbody = $('ranking').tBodies[0];
    if (engineers.length === 0) {
      emptyRow(tbody, 16, '本月暂无完工或评价数据');
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
          el('td', String(e.name || e.engineerId || '—')),
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

  function renderTrend(trend) {
    const hasTarget = isNum(target) && target > 0;
    // The target is named in the heading: a label on the line would collide with the points' labels.
    $('trend-label').textContent = hasTarget ? `（红色虚线为目标 ${pct(target)}）` : '';
    chart('trend-chart').setOption(
      {
        animationDuration: 400,
        color: ['#0b5cad', '#9fb8d6'],
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: ['满意率', '评价数'] },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: trend.map((t) => shortMonth(t.period)) },
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

  function renderReasons(engineers) {
    const totals = REASONS.map(([key]) =>
      engineers.reduce((sum, e) => sum + (isNum(e.reasons?.[key]) ? e.reasons[key] : 0), 0),
    );
    const mentions = totals.reduce((a, b) => a + b, 0);
    $('reasons-label').textContent = `（共 ${mentions} 次提及）`;
    chart('reasons-chart').setOption(
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
                  style: { text: '本月暂无不满意原因', fill: '#6b7280', fontSize: 14 },
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
    $('callbacks-wrap').hidden = false;
    $('callbacks-label').textContent = `（共 ${items.length} 条，其中已超时 ${overdue} 条）`;
    $('callbacks-note').textContent = answers.some((a) => a.data.cursor)
      ? '仅显示最近的记录，更多记录请在回访系统中查看。'
      : '';
    const tbody = $('callbacks').tBodies[0];
    if (items.length === 0) {
      emptyRow(tbody, 10, '目前没有待回访的客户');
      return;
    }
    tbody.replaceChildren(
      ...items.map((c) => {
        const tr = el('tr');
        tr.dataset.caseId = String(c.caseId ?? '');
        const status = el('td');
        status.append(
          badge(
            STATUS_TEXT[c.status] ?? String(c.status),
            c.status === 'overdue' || c.status === 'escalated' ? 'overdue' : 'open',
          ),
        );
        const rating = el('td');
        // a complaint may come without a rating: it reads 投诉 (with the rating when there is one)
        const rated = RATING_TEXT[c.rating] ?? (c.rating === undefined ? '' : String(c.rating));
        const label = c.kind === 'complaint' ? (rated ? `投诉·${rated}` : '投诉') : rated || '—';
        rating.append(badge(label, `rating-${Number(c.rating) || 0}`));
        tr.append(
          status,
          el('td', when(c.deadline)),
          el('td', String(c.engineerName ?? '—')),
          el('td', String(c.team ?? '—')),
          rating,
          el('td', reasonsText(c.reasons)),
          el('td', c.comment ? String(c.comment) : '—', 'wrap'),
          el('td', String(c.phone ?? '—')),
          el('td', when(c.openedAt)),
          el('td', String(c.caseId ?? '—')),
        );
        return tr;
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Loading and session

  /**
   * Fills the board for the chosen month. `#board[data-loaded]` names the month once everything
   * of this load is on screen (ranking, charts, callbacks), and is absent while a load is under
   * way: what a reader (or a test) waits for, rather than the first row of any month.
   */
  async function load() {
    const seq = ++loadSeq;
    delete $('board').dataset.loaded;
    const period = $('month').value || currentMonth();
    const months = monthsEndingAt(period, TREND_MONTHS);
    $('period-label').textContent = `（${monthLabel(period)}）`;
    setStatus('正在加载数据…');
    try {
      const reports = await Promise.all(months.map(engineersOf));
      if (seq !== loadSeq) return;
      const current = reports[reports.length - 1];
      if (current.status === 403) {
        setStatus('此令牌无权查看工程师报表，请使用管理人员令牌登录。');
        return;
      }
      if (current.status !== 200 || !Array.isArray(current.data?.engineers)) {
        setStatus(`报表暂时无法加载（HTTP ${current.status}），请稍后刷新页面。`);
        return;
      }
      const engineers = current.data.engineers;
      renderRanking(engineers);
      renderGroups(engineers);
      renderReasons(engineers);
      renderTrend(trendOf(months, reports));
      $('ranking-note').textContent =
        `满意率 = 满意评价数 ÷ 评价数；目标 ${pct(target)}。评价少于 ${minSample} 条标记“样本不足”，排名仅供参考。` +
        '“—”表示没有数据。';
      const missing = reports.filter((r) => r.status !== 200).length;
      setStatus(missing > 0 ? '部分月份的数据未能加载，趋势图可能不完整。' : '');
      await loadCallbacks(seq);
      if (seq === loadSeq) $('board').dataset.loaded = period;
    } catch (err) {
      // Signed out (signin.js has told the page, with its message): nothing more to show.
      if (err === SIGNED_OUT) return;
      if (seq === loadSeq) setStatus('网络异常，数据未能加载，请稍后刷新页面。');
    }
  }

  function showBoard() {
    $('signin').hidden = true;
    $('session').hidden = false;
    $('board').hidden = false;
  }

  /** signin.js's onSignedOut: the board is cleared and the sign-in panel shown, with the message. */
  function signedOut(message) {
    loadSeq++;
    delete $('board').dataset.loaded;
    for (const id of ['trend-chart', 'reasons-chart']) {
      const dom = $(id);
      resizeObserver?.unobserve(dom);
      window.echarts?.getInstanceByDom(dom)?.dispose();
    }
    for (const id of ['ranking', 'callbacks', 'groups']) $(id).tBodies[0].replaceChildren();
    setStatus('');
    $('board').hidden = true;
    $('session').hidden = true;
    $('signin').hidden = false;
    $('token').value = '';
    $('signin-error').textContent = message ?? '';
    ($('signin-start') ?? $('token')).focus();
  }

  /** A pasted token, before signin.js keeps it: a problem to show, or undefined when it may be used. */
  async function checkToken(candidate) {
    let res;
    try {
      res = await fetch(
        `v1/reports/engineers?period=${encodeURIComponent($('month').value || currentMonth())}`,
        {
          headers: { authorization: `Bearer ${candidate}`, accept: 'application/json' },
          cache: 'no-store',
        },
      );
    } catch {
      return '无法连接服务，请稍后重试。';
    }
    if (res.status === 401) return '令牌无效或已过期，请检查后重试。';
    if (res.status === 403) return '此令牌无权查看报表，请使用管理人员令牌。';
    return undefined;
  }

  function start() {
    const month = $('month');
    month.replaceChildren(
      ...monthsEndingAt(currentMonth(), MONTH_CHOICES)
        .reverse()
        .map((period) => {
          const option = el('option', monthLabel(period));
          option.value = period;
          return option;
        }),
    );
    month.addEventListener('change', () => load());
    $('signout').addEventListener('click', () => window.Auth.signOut());
    window.Auth.start({
      onSignedIn: () => {
        showBoard();
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
