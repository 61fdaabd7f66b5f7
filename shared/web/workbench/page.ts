import type { SigninSettings } from '#shared/config/signin';
import { escapeHtml } from '#shared/web/dashboard/page';
import { pageHead } from '#shared/web/page-head';
import { signedInPageCsp, signinAttributes, signinPanel } from '#shared/web/signin-html';

/**
 * The callback workbench's HTML shell (GET /workbench, served by functions/dashboard): the queue of
 * cases still to work and one case at a time, for callback agents and their supervisors. Static: no
 * data and no token in it; signin.js signs the user in (as on the dashboard) and workbench.js fills it
 * from the callbacks API (GET/POST v1/callbacks...) with their bearer token, text only.
 *
 * URLs are relative (`dashboard/assets/…`, `v1/…`) so the page works under any stage or base path.
 * With an issuer (oidc), the sign-in comes back through the dashboard's URL (the one callback URL the
 * issuer knows: infra/api-stack.ts), which returns the user here (signin.js `data-signin-redirect`).
 */
export interface WorkbenchPageInput {
  /** Asset file name -> URL (relative to the page), with its version. */
  assetUrl: (file: string) => string;
  /** How users sign in (the configuration's `signin`). */
  signin: SigninSettings;
}

/**
 * Content Security Policy of the workbench: the pages' policy (signin-html.ts), without inline
 * styles (the workbench draws no chart: nothing of ours needs them).
 */
export function workbenchCsp(signin: SigninSettings): string {
  const csp = signedInPageCsp(signin);
  const strict = csp.replace("style-src 'self' 'unsafe-inline'", "style-src 'self'");
  if (strict === csp) throw new Error('workbenchCsp: the pages’ style-src changed; review this policy');
  return strict;
}

const OUTCOMES: Array<[string, string]> = [
  ['resolved_satisfied', '已解决，客户满意'],
  ['resolved_unsatisfied', '已处理，客户仍不满意（转入下一轮处理）'],
  ['unreachable', '多次联系未接通'],
];

export function workbenchPage(input: WorkbenchPageInput): string {
  const redirect = input.signin.kind === 'oidc' ? ' data-signin-redirect="dashboard"' : '';
  const head = pageHead({
    title: '回访工作台',
    assetUrl: input.assetUrl,
    style: 'workbench.css',
    scripts: ['workbench.js'],
  });
  return `${head}
<body${signinAttributes(input.signin)}${redirect}>
<a class="skip" href="#main">跳到主要内容</a>
<header class="topbar">
  <h1>回访工作台</h1>
  <nav aria-label="页面导航">
    <a href="dashboard">满意度看板</a>
    <a href="workbench" aria-current="page">回访工作台</a>
  </nav>
  <div class="session" id="session" hidden>
    <span id="who"></span>
    <button type="button" id="signout">退出登录</button>
  </div>
</header>
<main id="main">
  ${signinPanel(input.signin, '回访专员和主管')}

  <div id="bench" hidden>
    <p class="status" id="status" role="status" aria-live="polite"></p>

    <section class="card" id="queue-view" aria-labelledby="queue-title">
      <h2 id="queue-title" tabindex="-1">待办回访<small id="queue-label"></small></h2>
      <form id="filters" class="filters" role="search" aria-label="筛选待办回访">
        <div class="field">
          <label for="f-status">状态</label>
          <select id="f-status">
            <option value="">全部待办</option>
            <option value="overdue">已超时</option>
            <option value="open">待回访</option>
            <option value="in_progress">处理中</option>
            <option value="escalated">已升级</option>
            <option value="pending_review">待审核</option>
          </select>
        </div>
        <div class="field">
          <label for="f-kind">类型</label>
          <select id="f-kind">
            <option value="">全部</option>
            <option value="dissatisfied">不满意回访</option>
            <option value="complaint">投诉</option>
          </select>
        </div>
        <div class="field">
          <label for="f-team">班组</label>
          <input id="f-team" type="text" autocomplete="off" spellcheck="false" placeholder="全部" aria-describedby="f-team-hint">
          <p class="hint" id="f-team-hint">班组名称，如 T1；留空为您权限内的全部班组</p>
        </div>
        <div class="field">
          <label for="f-engineer">工程师编号</label>
          <input id="f-engineer" type="text" autocomplete="off" spellcheck="false" placeholder="全部">
        </div>
        <div class="field actions">
          <button type="submit">筛选</button>
          <button type="button" id="f-reset" class="secondary">清除</button>
          <button type="button" id="export-queue" class="secondary" aria-label="导出 Excel：待办回访（按当前筛选）">导出 Excel</button>
        </div>
      </form>
      <ul class="counts" id="counts" aria-label="各状态案件数"></ul>
      <p class="note" id="queue-note"></p>
      <ol class="queue" id="queue" aria-label="待办案件，按回访时限排序，已超时在前"></ol>
    </section>

    <section class="card" id="case-view" hidden aria-labelledby="case-title">
      <p><a href="#" id="back">← 返回待办列表</a></p>
      <h2 id="case-title" tabindex="-1"></h2>
      <dl class="facts" id="case-facts"></dl>

      <h3>客户留言</h3>
      <p class="comment" id="case-comment"></p>

      <h3>处理记录</h3>
      <ol class="history" id="case-history"></ol>

      <p class="message" id="case-message" role="alert" tabindex="-1"></p>

      <form id="note-form" class="action" novalidate>
        <h3 id="note-title">记录首次联系</h3>
        <label for="note" id="note-label">联系情况</label>
        <textarea id="note" rows="3" maxlength="500" required aria-describedby="note-hint"></textarea>
        <p class="hint" id="note-hint">第一条记录即为首次联系客户的记录。</p>
        <button type="submit" id="note-submit">保存记录</button>
      </form>

      <form id="close-form" class="action" novalidate>
        <h3>结案</h3>
        <fieldset>
          <legend>回访结果</legend>
          ${OUTCOMES.map(
            ([value, text]) =>
              `<label class="choice"><input type="radio" name="outcome" value="${value}" required> ${escapeHtml(text)}</label>`,
          ).join('\n          ')}
        </fieldset>
        <label for="close-note">结案说明</label>
        <textarea id="close-note" rows="3" maxlength="500" required></textarea>
        <p class="hint" id="close-hint"></p>
        <button type="submit" id="close-submit">结案</button>
      </form>

      <form id="review-form" class="action" novalidate hidden>
        <h3>投诉审核</h3>
        <p class="hint" id="review-proposed"></p>
        <label for="review-note">审核意见</label>
        <textarea id="review-note" rows="3" maxlength="500" required></textarea>
        <div class="buttons">
          <button type="submit" id="review-approve" value="approve">批准结案</button>
          <button type="submit" id="review-return" value="return" class="secondary">退回重办</button>
        </div>
      </form>

      <h3>客户既往评价与案件</h3>
      <div class="table-wrap" tabindex="0" role="region" aria-label="客户既往评价与案件（可横向滚动）">
        <table id="customer-history">
          <caption class="visually-hidden">同一客户的其他评价与案件，最新在前</caption>
          <thead>
            <tr><th scope="col">时间</th><th scope="col">类别</th><th scope="col">评价</th><th scope="col">状态</th><th scope="col">工程师</th><th scope="col">工单</th></tr>
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
