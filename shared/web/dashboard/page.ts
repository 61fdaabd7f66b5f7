import type { SigninSettings } from '#shared/config/signin';
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
  const a = (file: string) => escapeHtml(input.assetUrl(file));
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>服务满意度看板</title>
<link rel="stylesheet" href="${a('dashboard.css')}">
<script defer src="${a('echarts.min.js')}"></script>
<script defer src="${a('signin.js')}"></script>
<script defer src="${a('dashboard.js')}"></script>
</head>
<body data-target="${escapeHtml(String(input.target))}" data-min-sample="${escapeHtml(String(input.minSample))}"${signinAttributes(input.signin)}>
<header class="topbar">
  <h1>服务满意度看板</h1>
  <nav class="pages" aria-label="页面导航">
    <a href="dashboard" aria-current="page">满意度看板</a>
    <a href="workbench">回访工作台</a>
  </nav>
  <div class="session" id="session" hidden>
    <label>统计月份 <select id="month"></select></label>
    <button type="button" id="signout">退出登录</button>
  </div>
</header>
<main>
  ${signinPanel(input.signin, '管理人员')}

  <div id="board" hidden>
    <p class="status" id="status" role="status"></p>

    <section class="card">
      <h2>工程师排名<small id="period-label"></small></h2>
      <div class="table-wrap">
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
    </section>

    <section class="card" id="groups-card" hidden>
      <h2>班组分项指标<small id="groups-label"></small></h2>
      <div class="table-wrap">
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
      <div class="table-wrap" id="callbacks-wrap">
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
</main>
</body>
</html>
`;
}
