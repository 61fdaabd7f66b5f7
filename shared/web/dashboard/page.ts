import type { SigninSettings } from '#shared/config/signin';
import { pageHead } from '#shared/web/page-head';
import { signedInPageCsp, signinAttributes, signinPanel } from '#shared/web/signin-html';

/**
 * The dashboard's HTML shell (GET /dashboard). Static: no data and no token in it; signin.js signs
 * the manager in (shared/web/signin-html.ts: how, from the configuration) and dashboard.js fills it
 * from the reports and callbacks APIs with their bearer token.
 *
 * URLs are relative (`dashboard/assets/…`, `v1/…` from dashboard.js) so the page works under any
 * stage or base path. Assets carry a content hash (`?v=`) so they can be cached for a year.
 */
export interface PageInput {
  /** Asset file name -> URL (relative to the page), with its version. */
  assetUrl: (file: string) => string;
  /** rules.satisfaction.target (0-1): drawn as the target line of the trend chart. */
  target: number;
  /** rules.score.minSample: explained beside the 样本不足 flag. */
  minSample: number;
  /** How managers sign in (the configuration's `signin`). */
  signin: SigninSettings;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Content Security Policy of the page: scripts and styles from our origin only, data calls to our
 * origin only (and the issuer's token endpoint when users sign in through one: signin-html.ts).
 * Inline styles are allowed because ECharts styles its tooltip with them.
 */
export const dashboardCsp = (signin: SigninSettings): string => signedInPageCsp(signin);

export function dashboardPage(input: PageInput): string {
  const head = pageHead({
    title: '服务满意度看板',
    assetUrl: input.assetUrl,
    style: 'dashboard.css',
    scripts: ['echarts.min.js', 'dashboard.js'],
  });
  return `${head}
<body data-target="${escapeHtml(String(input.target))}" data-min-sample="${escapeHtml(String(input.minSample))}"${signinAttributes(input.signin)}>
<header class="topbar">
  <h1>服务满意度看板</h1>
  <nav class="pages" aria-label="页面导航">
    <a href="dashboard" aria-current="page">满意度看板</a>
    <a href="workbench">回访工作台</a>
  </nav>
  <div class="session" id="session" hidden>
    <form class="period" id="period-form" aria-label="统计周期" novalidate>
      <label>统计周期 <select id="period-kind">
        <option value="month">按月</option>
        <option value="week">按周</option>
        <option value="range">日期范围</option>
      </select></label>
      <label id="month-field">统计月份 <select id="month"></select></label>
      <label id="week-field" hidden>统计周 <input type="week" id="week"></label>
      <span class="range" id="range-field" hidden>
        <label>开始日期 <input type="date" id="from"></label>
        <label>结束日期 <input type="date" id="to"></label>
      </span>
      <button type="submit" id="period-apply" hidden>查询</button>
    </form>
    <button type="button" id="signout">退出登录</button>
  </div>
  <p class="period-error" id="period-error" role="alert"></p>
</header>
<main>
  ${signinPanel(input.signin, '管理人员')}

  <div id="board" hidden>
    <nav class="views" id="views" aria-label="页面" hidden>
      <a href="#" id="nav-ranking">工程师排名</a>
      <a href="#teams" id="nav-teams">班组</a>
      <a href="#regions" id="nav-regions">区域</a>
    </nav>
    <p class="status" id="status" role="status"></p>

    <div id="view-ranking">

    <section class="card">
      <h2>工程师排名<small id="period-label"></small></h2>
      <div class="table-wrap" tabindex="0" role="region" aria-label="工程师排名表（可左右滚动）">
        <table id="ranking">
          <thead>
            <tr>
              <th class="num">排名</th>
              <th>工程师</th>
              <th>班组</th>
              <th class="num">综合评分</th>
              <th class="num">满意率</th>
              <th class="num">评价数</th>
              <th class="num">不满意</th>
              <th class="num">回复率</th>
              <th class="num">修复及时率</th>
              <th class="num">首次联系及时率</th>
              <th class="num">守约率</th>
              <th class="num">投诉</th>
              <th class="num">投诉办结</th>
              <th class="num">投诉超时</th>
              <th class="num" title="每百张完工单的投诉件数">百单投诉率</th>
              <th>提示</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
      <p class="note" id="ranking-note"></p>
      <button type="button" class="secondary" id="export-ranking" aria-label="导出 Excel：工程师排名">导出 Excel</button>
    </section>

    <section class="card" id="groups-card" hidden>
      <h2>班组分项指标<small id="groups-label"></small></h2>
      <div class="table-wrap" tabindex="0" role="region" aria-label="班组分项指标表（可左右滚动）">
        <table id="groups">
          <thead>
            <tr>
              <th>班组</th>
              <th class="num">营业厅服务满意率</th>
              <th class="num">终端销售满意率</th>
              <th class="num">新业务满意率</th>
              <th class="num">现场服务满意率</th>
              <th class="num">返修率</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
      <p class="note" id="groups-note"></p>
    </section>

    <div class="grid">
      <section class="card">
        <h2>近六个月满意率<small id="trend-label"></small></h2>
        <div class="chart" id="trend-chart" role="img" aria-label="近六个月满意率折线图"></div>
      </section>
      <section class="card">
        <h2>不满意原因<small id="reasons-label"></small></h2>
        <div class="chart" id="reasons-chart" role="img" aria-label="不满意原因条形图"></div>
      </section>
    </div>

    <section class="card">
      <h2>待回访客户<small id="callbacks-label"></small></h2>
      <p class="note" id="callbacks-note"></p>
      <div class="table-wrap" tabindex="0" role="region" aria-label="待回访客户表（可左右滚动）" id="callbacks-wrap">
        <table id="callbacks">
          <thead>
            <tr>
              <th>状态</th>
              <th>回访时限</th>
              <th>工程师</th>
              <th>班组</th>
              <th>评价</th>
              <th>原因</th>
              <th>客户留言</th>
              <th>客户电话</th>
              <th>评价时间</th>
              <th>编号</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
    </section>
    </div>

    <div id="view-engineer" hidden>
      <p class="back" id="eng-back-wrap"><a href="#" id="eng-back">← 返回排名</a></p>
      <section class="card" aria-labelledby="eng-title">
        <h2 id="eng-title">工程师</h2>
        <p class="rank-in-team" id="eng-rank"></p>
        <dl class="figures" id="eng-figures"></dl>
        <p class="note" id="eng-note"></p>
        <button type="button" class="secondary" id="export-engineer" aria-label="导出 Excel：该工程师的趋势">导出 Excel</button>
      </section>
      <div class="grid">
        <section class="card">
          <h2>满意率趋势<small id="eng-trend-label"></small></h2>
          <div class="chart" id="eng-trend-chart" role="img" aria-label="所选周期内满意率趋势图"></div>
        </section>
        <section class="card">
          <h2>不满意原因<small id="eng-reasons-label"></small></h2>
          <div class="chart" id="eng-reasons-chart" role="img" aria-label="不满意原因条形图"></div>
        </section>
      </div>
      <section class="card">
        <h2>不满意评价<small id="eng-comments-label"></small></h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label="不满意评价表（可左右滚动）">
          <table id="eng-comments">
            <thead>
              <tr>
                <th scope="col">评价时间</th>
                <th scope="col">工单</th>
                <th scope="col">原因</th>
                <th scope="col">客户留言</th>
                <th scope="col">客户电话</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
        <button type="button" class="secondary" id="eng-more" hidden>加载更多评价</button>
      </section>
      <section class="card" id="eng-cases-card">
        <h2>未结回访<small id="eng-cases-label"></small></h2>
        <p class="note" id="eng-cases-note"></p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="未结回访表（可左右滚动）" id="eng-cases-wrap">
          <table id="eng-cases">
            <thead>
              <tr>
                <th scope="col">状态</th>
                <th scope="col">回访时限</th>
                <th scope="col">评价</th>
                <th scope="col">原因</th>
                <th scope="col">客户留言</th>
                <th scope="col">客户电话</th>
                <th scope="col">编号</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
      </section>
    </div>

    <div id="view-groups" hidden>
      <p class="back" id="grp-back-wrap" hidden><a href="#teams" id="grp-back">← 返回</a></p>
      <section class="card" aria-labelledby="grp-title">
        <h2 id="grp-title">班组汇总<small id="grp-label"></small></h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label="汇总表（可左右滚动）">
          <table id="grp-table">
            <thead><tr></tr></thead>
            <tbody></tbody>
          </table>
        </div>
        <p class="note" id="grp-note"></p>
        <button type="button" class="secondary" id="export-groups" aria-label="导出 Excel：汇总表">导出 Excel</button>
      </section>
    </div>
  </div>
</main>
</body>
</html>
`;
}
