/*
 * What the signed-in pages' scripts share (the dashboard's dashboard.js, the workbench's
 * workbench.js): served as dashboard/assets/pages.js, loaded after signin.js (global `Auth`) and
 * before the page's own script; it sets the global `Pages`. Plain browser script, no build step.
 *
 * The words for a case's status and a rating, DOM made of text only (never HTML), the API's JSON
 * with the user's token, times in Beijing time, the status line, the signed-in and signed-out
 * states of the page, the check of a pasted token and the 导出 Excel buttons.
 */
(() => {
  const ZONE = 'Asia/Shanghai';
  const STATUS_TEXT = {
    open: '待回访',
    overdue: '已超时',
    in_progress: '处理中',
    pending_review: '待审核',
    escalated: '已升级',
    closed: '已结案',
  };
  const RATING_TEXT = { 1: '满意', 2: '基本满意', 3: '不满意' };

  const $ = (id) => document.getElementById(id);

  /** An element with `text` as its text (never parsed as HTML) and a class. */
  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  /** A badge (base.css `.badge`): `text` in the colour of `kind`, with a title when given. */
  function badge(text, kind, title) {
    const b = el('span', text, `badge ${kind}`);
    if (title) b.title = title;
    return b;
  }

  /** A table row of one cell over `columns` columns saying `text` (an empty table's). */
  function emptyRow(columns, text) {
    const td = el('td', text, 'empty');
    td.colSpan = columns;
    const tr = el('tr');
    tr.append(td);
    return tr;
  }

  /** A request with the signed-in user's token: { status, data } (data null when not JSON). */
  async function api(path, init) {
    const res = await window.Auth.fetch(path, init);
    const data = await res.json().catch(() => null);
    return { status: res.status, data };
  }

  /** ISO times as Beijing time (month, day, hour, minute; the year too when asked); '—' otherwise. */
  function timeFormatter(withYear) {
    const format = new Intl.DateTimeFormat('zh-CN', {
      timeZone: ZONE,
      ...(withYear ? { year: 'numeric' } : {}),
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    return (iso) => {
      const d = new Date(iso);
      return typeof iso === 'string' && !Number.isNaN(d.getTime()) ? format.format(d) : '—';
    };
  }

  /** The page's status line (#status): a state or a problem, empty for none. */
  function setStatus(text) {
    $('status').textContent = text;
  }

  /** Signed in: the sign-in panel hidden, the session bar and the page's content (`contentId`) shown. */
  function showSignedIn(contentId) {
    $('signin').hidden = true;
    $('session').hidden = false;
    $(contentId).hidden = false;
  }

  /** Signed out: the content hidden, the sign-in panel shown with `message`, focus on the sign-in. */
  function showSignedOut(contentId, message) {
    setStatus('');
    $(contentId).hidden = true;
    $('session').hidden = true;
    $('signin').hidden = false;
    $('token').value = '';
    $('signin-error').textContent = message ?? '';
    ($('signin-start') ?? $('token')).focus();
  }

  /**
   * signin.js's `checkToken` for a pasted token: GET `path()` with it; a problem to show (`forbidden`
   * for a 403), or undefined when it may be used.
   */
  function tokenChecker(path, forbidden) {
    return async (candidate) => {
      let res;
      try {
        res = await fetch(path(), {
          headers: { authorization: `Bearer ${candidate}`, accept: 'application/json' },
          cache: 'no-store',
        });
      } catch {
        return '无法连接服务，请稍后重试。';
      }
      if (res.status === 401) return '令牌无效或已过期，请检查后重试。';
      if (res.status === 403) return forbidden;
      return undefined;
    };
  }

  /**
   * An 导出 Excel button's work: `path` saved as .xlsx (Auth.downloadXlsx, `name` when the reply
   * names no file), the button disabled and busy meanwhile; #status says the outcome: `saved(headers)`
   * (default nothing) once saved, else what failed.
   */
  async function exportXlsx(button, path, name, saved = () => '') {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    setStatus('正在导出 Excel…');
    try {
      let done = '';
      const status = await window.Auth.downloadXlsx(path, name, (headers) => {
        done = saved(headers);
      });
      setStatus(status === 200 ? done : `导出失败（HTTP ${status}），请稍后重试。`);
    } catch (err) {
      if (err === window.Auth.SIGNED_OUT) return;
      setStatus('网络异常，导出失败，请稍后重试。');
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  globalThis.Pages = {
    ZONE,
    STATUS_TEXT,
    RATING_TEXT,
    el,
    badge,
    emptyRow,
    api,
    timeFormatter,
    setStatus,
    showSignedIn,
    showSignedOut,
    tokenChecker,
    exportXlsx,
  };
})();
