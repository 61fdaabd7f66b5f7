/*
 * The callback workbench (served by functions/dashboard as /dashboard/assets/workbench.js), for
 * callback agents and their supervisors. Plain browser script, no build step; over 350 lines on
 * purpose (one request, one content hash in its URL); what it shares with the dashboard (words,
 * DOM of text only, the API call, times, sign-in states, exports) is shared/web/pages.js (global
 * `Pages`, loaded before it); its parts are marked below: formatting, queue, case, actions, session.
 *
 * The user signs in through shared/web/signin.js (global `Auth`, loaded before this script). Then:
 * - the queue (#queue): the cases still to work in their scope (GET v1/callbacks, every status but
 *   closed, paged: overdue and escalated read to their end first, then the others up to a cap),
 *   filtered by status, kind, team and engineer, counted per status, sorted by deadline with the
 *   overdue ones first; 导出 Excel saves every case the filters select (format=xlsx, all=true);
 * - one case (#case/{id}): rating, reasons, comment, ticket, the history of notes and the customer's
 *   previous surveys and cases (GET v1/callbacks/{id}); the phone as the API gives it (masked for
 *   managers, in full with a tel: link for agents);
 * - its actions: a note (the first one records the contact), a close with an outcome, and for a
 *   manager or admin the review of a complaint waiting for it. Every change is conditional on the
 *   case's version on the server: a 409 says someone else changed it first, and the case is reloaded.
 *
 * Every piece of data goes into the page as text (textContent), never as HTML.
 */
(() => {
  const { STATUS_TEXT, RATING_TEXT, el, api, setStatus } = window.Pages;
  /** Cases read for the queue at most (the rest: narrow the filters); the urgent ones come first. */
  const MAX_CASES = 500;
  /** Requests for the queue at most (pages may be short under a filter: the API filters a page). */
  const MAX_REQUESTS = 20;
  const URGENT = ['overdue', 'escalated'];
  const OTHERS = ['open', 'in_progress', 'pending_review'];
  const STILL_TO_WORK = [...URGENT, ...OTHERS];
  const SURVEY_STATUS_TEXT = {
    scheduled: '待发送',
    waiting: '排队中',
    sent: '已发送',
    answered: '已评价',
    expired: '未回复',
    suppressed: '未发送',
    cancelled: '已取消',
  };
  const KIND_TEXT = { dissatisfied: '不满意回访', complaint: '投诉' };
  const REASONS = ['上门不准时', '服务态度/用语', '未着工装/工牌', '未清理现场', '问题未解决', '其他'];
  const OUTCOME_TEXT = {
    resolved_satisfied: '已解决，客户满意',
    resolved_unsatisfied: '已处理，客户仍不满意',
    unreachable: '多次联系未接通',
  };
  const ACTION_TEXT = {
    opened: '立案',
    reasons: '客户补充原因',
    note: '处理记录',
    overdue: '超过回访时限',
    closed: '结案',
    returned: '转入下一轮处理',
    escalated: '升级至区域',
    submitted: '提交审核',
    approved: '审核通过，结案',
    rejected: '审核退回',
    progress_notice: '已发送进度短信',
  };
  const ROLE_TEXT = { admin: '管理员', manager: '管理人员', agent: '回访专员', engineer: '工程师' };
  const CLOSABLE = ['open', 'overdue', 'in_progress', 'escalated'];
  const CHANGED = '该案件已被他人处理，已为您刷新';

  const $ = (id) => document.getElementById(id);
  /** Each load gets a number; answers of an older load are dropped. */
  let seq = 0;
  /** The case on screen (as last read) and its customer history. */
  let current = null;
  let busy = false;

  // ---------------------------------------------------------------------------------------------
  // Formatting

  /** An ISO time as `YYYY/MM/DD hh:mm` in Beijing time. */
  const when = window.Pages.timeFormatter(true);
  /** Time left to a deadline (or past it), in hours and minutes. */
  function timeLeft(iso) {
    const ms = new Date(iso).getTime() - Date.now();
    if (Number.isNaN(ms)) return '';
    const mins = Math.round(Math.abs(ms) / 60_000);
    const text = mins >= 60 ? `${Math.floor(mins / 60)} 小时 ${mins % 60} 分` : `${mins} 分钟`;
    return ms < 0 ? `已超过 ${text}` : `剩余 ${text}`;
  }
  const reasonsText = (reasons) =>
    Array.isArray(reasons) && reasons.length
      ? reasons.map((r) => REASONS[Number(r) - 1] ?? String(r)).join('、')
      : '—';
  const ratingText = (r) => RATING_TEXT[r] ?? '—';
  const isUrgent = (status) => status === 'overdue' || status === 'escalated';

  // ---------------------------------------------------------------------------------------------
  // DOM (text only: Pages.el) and API (Pages.api: with the user's token)

  const badge = (status) => window.Pages.badge(STATUS_TEXT[status] ?? String(status), `s-${status}`);
  const setMessage = (text, kind = 'error') => {
    $('case-message').textContent = text;
    $('case-message').dataset.kind = kind;
  };

  const SIGNED_OUT = () => window.Auth.SIGNED_OUT;

  const post = (path, body) =>
    api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** A problem's field messages (400), for the user. */
  function problemText(answer) {
    const errors = Array.isArray(answer.data?.errors) ? answer.data.errors : [];
    if (answer.status === 400) return `请检查输入：${errors.map((e) => e.field).join('、') || '内容无效'}`;
    if (answer.status === 403) return '您无权进行此操作。';
    if (answer.status === 404) return '案件不存在。';
    return `操作未完成（HTTP ${answer.status}），请稍后重试。`;
  }

  // ---------------------------------------------------------------------------------------------
  // Queue

  function filters() {
    return {
      status: $('f-status').value,
      kind: $('f-kind').value,
      team: $('f-team').value.trim(),
      engineerId: $('f-engineer').value.trim(),
    };
  }

  /** The list query of the filters (all but the status) for `statuses`. */
  function listQuery(f, statuses) {
    const q = new URLSearchParams({ status: statuses.join(','), limit: '100' });
    if (f.team) q.set('team', f.team);
    if (f.kind) q.set('kind', f.kind);
    if (f.engineerId) q.set('engineerId', f.engineerId);
    return q;
  }

  /**
   * Every case still to work in scope, for the filters but the status: the urgent ones (overdue,
   * escalated) first, read to their end, so that a long list of open cases can never push them out;
   * then the others, up to MAX_CASES in all. Pages are read while the API gives a cursor (a page may
   * be short, even empty, under a filter), up to MAX_REQUESTS requests in all. `more` names the
   * statuses not read to the end: { urgent, others } (true: some left unread).
   */
  async function fetchQueue(f) {
    const items = [];
    let requests = 0;
    const more = { urgent: false, others: false };
    for (const [group, statuses] of [
      ['urgent', URGENT],
      ['others', OTHERS],
    ]) {
      let cursor;
      do {
        if (requests >= MAX_REQUESTS || (group === 'others' && items.length >= MAX_CASES)) {
          more[group] = true;
          break;
        }
        const q = listQuery(f, statuses);
        if (cursor) q.set('cursor', cursor);
        requests++;
        const answer = await api(`v1/callbacks?${q}`);
        if (answer.status !== 200 || !Array.isArray(answer.data?.items)) return { answer };
        items.push(...answer.data.items);
        cursor =
          typeof answer.data.cursor === 'string' && answer.data.cursor ? answer.data.cursor : undefined;
      } while (cursor);
    }
    // The same filters once more here: a server that does not know one yet must not widen the queue.
    const kept = items.filter(
      (c) =>
        (!f.kind || c.kind === f.kind) &&
        (!f.team || c.team === f.team) &&
        (!f.engineerId || c.engineerId === f.engineerId),
    );
    return { items: kept, more };
  }

  /** Overdue (and escalated) first, then by deadline, earliest first. */
  const byUrgency = (a, b) =>
    (isUrgent(a.status) ? 0 : 1) - (isUrgent(b.status) ? 0 : 1) ||
    String(a.deadline).localeCompare(String(b.deadline));

  async function loadQueue() {
    const mine = ++seq;
    const shown = $('queue').dataset.loaded;
    delete $('queue').dataset.loaded;
    $('f-team').removeAttribute('aria-invalid');
    setStatus('正在加载待办回访…');
    const f = filters();
    let got;
    try {
      got = await fetchQueue(f);
    } catch (err) {
      if (err === SIGNED_OUT()) return;
      if (mine === seq) setStatus('网络异常，待办回访未能加载，请稍后重试。');
      return;
    }
    if (mine !== seq) return;
    if (!got.items) {
      const s = got.answer.status;
      if (s === 403 && f.team) {
        // A team outside the user's scope: said as such; the queue on screen stays as it was.
        $('f-team').setAttribute('aria-invalid', 'true');
        setStatus(`无权查看该班组：“${f.team}”不在您的权限范围内，请检查班组名称或清除班组筛选。`);
        if (shown) $('queue').dataset.loaded = shown;
        return;
      }
      setStatus(
        s === 400 && !f.team
          ? '请先在“班组”中填写要查看的班组。'
          : s === 400
            ? '筛选条件无效，请检查班组名称。'
            : s === 403
              ? '您的账号无权查看回访案件。'
              : `待办回访暂时无法加载（HTTP ${s}），请稍后重试。`,
      );
      renderQueue([], f, false);
      return;
    }
    setStatus('');
    renderQueue(got.items, f, got.more);
    $('queue').dataset.loaded = 'true';
  }

  /** The note when not every case was read, worded from what was read. */
  function moreText(read, more) {
    if (!more?.urgent && !more?.others) return '';
    const what = more.urgent
      ? '案件较多，已超时和已升级的案件也未能全部读取'
      : '案件较多，已超时和已升级的案件已全部显示，其余状态未能全部读取';
    return `${what}（共读取 ${read} 件）；请用筛选条件缩小范围。`;
  }

  function renderQueue(all, f, more) {
    const counts = Object.fromEntries(STILL_TO_WORK.map((s) => [s, 0]));
    for (const c of all) if (c.status in counts) counts[c.status]++;
    $('counts').replaceChildren(
      ...STILL_TO_WORK.map((s) => {
        const li = el('li');
        li.dataset.status = s;
        li.append(badge(s), el('strong', String(counts[s]), 'count'));
        return li;
      }),
    );
    const shown = all.filter((c) => !f.status || c.status === f.status).sort(byUrgency);
    $('queue-label').textContent = `（共 ${shown.length} 件）`;
    $('queue-note').textContent = moreText(all.length, more);
    if (shown.length === 0) {
      $('queue').replaceChildren(el('li', '目前没有符合条件的待办案件。', 'empty'));
      return;
    }
    $('queue').replaceChildren(
      ...shown.map((c) => {
        const li = el('li');
        li.dataset.caseId = String(c.caseId);
        li.dataset.status = String(c.status);
        const link = el('a', undefined, `item${isUrgent(c.status) ? ' urgent' : ''}`);
        link.href = `#case/${encodeURIComponent(c.caseId)}`;
        const head = el('span', undefined, 'item-head');
        head.append(
          badge(c.status),
          el('span', KIND_TEXT[c.kind] ?? String(c.kind), 'kind'),
          el('span', `时限 ${when(c.deadline)}（${timeLeft(c.deadline)}）`, 'deadline'),
        );
        const body = el('span', undefined, 'item-body');
        body.append(
          el('span', `${c.engineerName || '—'} · ${c.team || '—'}`),
          el('span', `评价：${ratingText(c.rating)}`),
          el('span', `客户：${c.phone ?? '—'}`),
        );
        const comment = el('span', c.comment ? String(c.comment) : '（无留言）', 'item-comment');
        link.append(head, body, comment);
        li.append(link);
        return li;
      }),
    );
  }

  /**
   * The queue as Excel: the case list API with the same filters (the chosen status, or every status
   * still to work), format=xlsx and all=true: every case they select, the API's own order, the
   * server following its cursor to the end up to its cap (EXPORT_MAX_CASES, shared/app/callbacks/
   * export.ts); a cut file is said (the reply then names where it stopped: x-next-cursor).
   */
  function exportQueue(button) {
    const f = filters();
    const q = listQuery(f, f.status ? [f.status] : STILL_TO_WORK);
    q.set('all', 'true');
    return window.Pages.exportXlsx(button, `v1/callbacks?${q}`, '待办回访', (headers) => {
      const cut = headers.get('x-export-cut');
      if (!cut && !headers.get('x-next-cursor')) return '';
      const n = headers.get('x-export-cases') || '';
      const why = cut === 'cases' ? '超过单次导出上限（5000 件）' : '单次导出的读取量已达上限';
      return `已导出，但案件${why}，文件只含前 ${n} 件；请用筛选条件缩小范围后分批导出。`;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Case

  function fact(dl, term, value) {
    const div = el('div');
    div.append(el('dt', term));
    const dd = el('dd');
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value;
    div.append(dd);
    dl.append(div);
  }

  function phoneValue(phone) {
    if (typeof phone !== 'string' || phone === '') return '—';
    if (phone.includes('*')) return phone; // masked: the API decides (managers)
    const a = el('a', phone);
    a.href = `tel:${phone}`;
    a.id = 'case-tel';
    a.setAttribute('aria-label', `拨打客户电话 ${phone}`);
    return a;
  }

  async function loadCase(id, message) {
    const mine = ++seq;
    delete $('case-view').dataset.loaded;
    setStatus('正在加载案件…');
    let answer;
    try {
      answer = await api(`v1/callbacks/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err === SIGNED_OUT()) return;
      if (mine === seq) setStatus('网络异常，案件未能加载，请稍后重试。');
      return;
    }
    if (mine !== seq) return;
    if (answer.status !== 200) {
      setStatus(
        answer.status === 403 || answer.status === 404 ? '案件不存在或您无权查看。' : problemText(answer),
      );
      return;
    }
    setStatus('');
    current = answer.data;
    renderCase(current, current.customerHistory ?? []);
    setMessage(message ?? '', message ? 'error' : 'ok');
    $('case-view').dataset.loaded = String(current.status);
  }

  function renderCase(c, customerHistory) {
    $('case-title').textContent = `${KIND_TEXT[c.kind] ?? '案件'} · ${c.engineerName || '未归属工程师'}`;
    const dl = $('case-facts');
    dl.replaceChildren();
    const status = el('span');
    status.append(badge(c.status));
    fact(dl, '状态', status);
    fact(dl, '回访时限', `${when(c.deadline)}${c.status === 'closed' ? '' : `（${timeLeft(c.deadline)}）`}`);
    fact(dl, '客户评价', ratingText(c.rating));
    fact(dl, '不满意原因', reasonsText(c.reasons));
    fact(dl, '客户电话', phoneValue(c.phone));
    fact(dl, '工单', `${c.ticketId || '—'}${c.source ? `（${c.source}）` : ''}`);
    fact(dl, '工程师 / 班组 / 区域', `${c.engineerName || '—'} / ${c.team || '—'} / ${c.region || '—'}`);
    fact(dl, '立案时间', when(c.openedAt));
    if (c.contactedAt) fact(dl, '首次联系', when(c.contactedAt));
    if (c.round && c.round > 1) fact(dl, '处理轮次', `第 ${c.round} 轮`);
    if (c.outcome) fact(dl, '结果', OUTCOME_TEXT[c.outcome] ?? c.outcome);
    fact(dl, '案件编号', String(c.caseId));
    $('case-comment').textContent = c.comment ? String(c.comment) : '（客户未留言）';

    const history = Array.isArray(c.history) ? c.history : [];
    $('case-history').replaceChildren(
      ...(history.length
        ? history.map((h) => {
            const li = el('li');
            li.append(el('span', when(h.at), 'at'), el('strong', ACTION_TEXT[h.action] ?? String(h.action)));
            if (h.outcome) li.append(el('span', `（${OUTCOME_TEXT[h.outcome] ?? h.outcome}）`));
            if (h.by) li.append(el('span', ` · ${h.by}`, 'by'));
            if (h.note) li.append(el('p', String(h.note), 'note-text'));
            return li;
          })
        : [el('li', '暂无记录', 'empty')]),
    );

    const tbody = $('customer-history').tBodies[0];
    tbody.replaceChildren(
      ...(customerHistory.length
        ? customerHistory.map((h) => {
            const tr = el('tr');
            tr.dataset.kind = String(h.kind);
            const kind = h.kind === 'case' ? (KIND_TEXT[h.caseKind] ?? '案件') : '满意度评价';
            const status =
              h.kind === 'case'
                ? (STATUS_TEXT[h.status] ?? h.status)
                : (SURVEY_STATUS_TEXT[h.status] ?? h.status);
            tr.append(
              el('td', when(h.at)),
              el('td', kind),
              el('td', ratingText(h.rating)),
              el('td', String(status ?? '—')),
              el('td', String(h.engineerName || '—')),
              el('td', String(h.ticketId || '—')),
            );
            return tr;
          })
        : [window.Pages.emptyRow(6, '该客户没有其他评价或案件记录。')]),
    );

    renderActions(c);
  }

  function renderActions(c) {
    const role = window.Auth.claims()?.role;
    const open = c.status !== 'closed';
    const contacted =
      c.status === 'in_progress' || c.status === 'escalated' ? c.roundContactedAt : c.contactedAt;
    $('note-form').hidden = !open;
    $('note-title').textContent = contacted ? '添加处理记录' : '记录首次联系';
    $('note-label').textContent = contacted ? '处理记录' : '联系情况（首次联系）';
    $('note-hint').textContent = contacted
      ? '记录本次与客户沟通或处理的情况。'
      : '第一条记录即为首次联系客户的记录，请写明联系方式和沟通情况。';
    $('close-form').hidden = !CLOSABLE.includes(c.status);
    const needsContact = (c.status === 'in_progress' || c.status === 'escalated') && !c.roundContactedAt;
    $('close-hint').textContent = needsContact
      ? '本轮尚未记录联系：请先添加处理记录再结案。'
      : c.kind === 'complaint'
        ? '投诉案件结案后需经管理人员审核。'
        : '';
    const reviewer = role === 'manager' || role === 'admin';
    $('review-form').hidden = !(reviewer && c.status === 'pending_review');
    $('review-proposed').textContent = c.proposedOutcome
      ? `回访专员提出的结果：${OUTCOME_TEXT[c.proposedOutcome] ?? c.proposedOutcome}`
      : '';
  }

  // ---------------------------------------------------------------------------------------------
  // Actions

  /** A fingerprint of what a change depends on: a different one after a 409 means someone else acted. */
  const stateOf = (c) => `${c?.status}|${c?.history?.length ?? 0}|${c?.round ?? 1}`;

  async function act(button, path, body, done) {
    if (busy || !current) return;
    busy = true;
    button.disabled = true;
    const before = stateOf(current);
    const id = current.caseId;
    setMessage('正在提交…', 'ok');
    try {
      const answer = await post(`v1/callbacks/${encodeURIComponent(id)}/${path}`, body);
      if (answer.status === 200) {
        current = { ...answer.data, customerHistory: current.customerHistory };
        renderCase(current, current.customerHistory ?? []);
        setMessage(done, 'ok');
        $('case-view').dataset.loaded = String(current.status);
        return true;
      }
      if (answer.status === 409) {
        await loadCase(id);
        const changed = stateOf(current) !== before;
        setMessage(
          changed || current.status === 'closed'
            ? CHANGED
            : `操作未完成：${conflictText(current)}，已为您刷新。`,
        );
        $('case-message').focus();
        return false;
      }
      setMessage(problemText(answer));
      return false;
    } catch (err) {
      if (err !== SIGNED_OUT()) setMessage('网络异常，操作未完成，请稍后重试。');
      return false;
    } finally {
      busy = false;
      button.disabled = false;
    }
  }

  function conflictText(c) {
    if ((c.status === 'in_progress' || c.status === 'escalated') && !c.roundContactedAt)
      return '本轮尚未记录联系，请先添加处理记录';
    if (c.status === 'pending_review') return '案件正在等待审核';
    return '案件状态已变化';
  }

  function required(id, text) {
    const input = $(id);
    if (input.value.trim()) {
      input.removeAttribute('aria-invalid');
      return input.value.trim();
    }
    input.setAttribute('aria-invalid', 'true');
    setMessage(text);
    input.focus();
    return undefined;
  }

  function wireActions() {
    $('note-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const note = required('note', '请填写联系情况或处理记录。');
      if (!note) return;
      if (await act($('note-submit'), 'notes', { note }, '记录已保存。')) $('note').value = '';
    });
    $('close-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const outcome = document.querySelector('input[name=outcome]:checked')?.value;
      if (!outcome) {
        setMessage('请选择回访结果。');
        document.querySelector('input[name=outcome]')?.focus();
        return;
      }
      const note = required('close-note', '请填写结案说明。');
      if (!note) return;
      const done =
        current?.kind === 'complaint' && outcome !== 'resolved_unsatisfied' ? '已提交审核。' : '已结案。';
      if (await act($('close-submit'), 'close', { outcome, note }, done)) {
        $('close-note').value = '';
        for (const r of document.querySelectorAll('input[name=outcome]')) r.checked = false;
      }
    });
    $('review-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const approve = event.submitter?.value !== 'return';
      const note = required('review-note', approve ? '请填写审核意见。' : '请填写退回原因。');
      if (!note) return;
      const button = approve ? $('review-approve') : $('review-return');
      if (await act(button, 'review', { approve, note }, approve ? '已批准结案。' : '已退回重办。'))
        $('review-note').value = '';
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Routing and session

  /** `#case/{id}` shows one case; anything else the queue. */
  function route() {
    const m = /^#case\/(.+)$/.exec(location.hash);
    const id = m ? decodeURIComponent(m[1]) : undefined;
    $('queue-view').hidden = Boolean(id);
    $('case-view').hidden = !id;
    // What a reader (or a test) waits for: set again once the view shown is loaded.
    delete $('queue').dataset.loaded;
    delete $('case-view').dataset.loaded;
    setMessage('');
    if (id) {
      loadCase(id).then(() => $('case-title').focus());
    } else {
      current = null;
      loadQueue();
    }
  }

  function signedIn(claims) {
    window.Pages.showSignedIn('bench');
    $('who').textContent = `${ROLE_TEXT[claims.role] ?? '已登录'}${claims.name ? ` ${claims.name}` : ''}`;
    if (claims.role === 'engineer') {
      $('queue-view').hidden = true;
      $('case-view').hidden = true;
      setStatus('回访案件由回访专员和管理人员处理；工程师请在满意度看板查看本人数据。');
      return;
    }
    route();
  }

  function signedOut(message) {
    seq++;
    current = null;
    $('queue').replaceChildren();
    $('counts').replaceChildren();
    $('case-facts').replaceChildren();
    $('case-history').replaceChildren();
    $('customer-history').tBodies[0].replaceChildren();
    $('case-comment').textContent = '';
    window.Pages.showSignedOut('bench', message);
  }

  /** A pasted token, before signin.js keeps it: a problem to show, or undefined when it may be used. */
  const checkToken = window.Pages.tokenChecker(() => 'v1/callbacks?limit=1', '此令牌无权处理回访案件。');

  function start() {
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      loadQueue();
    });
    $('f-status').addEventListener('change', () => loadQueue());
    $('f-kind').addEventListener('change', () => loadQueue());
    $('export-queue').addEventListener('click', () => exportQueue($('export-queue')));
    $('f-reset').addEventListener('click', () => {
      $('filters').reset();
      loadQueue();
    });
    $('back').addEventListener('click', (event) => {
      event.preventDefault();
      location.hash = '';
    });
    $('signout').addEventListener('click', () => window.Auth.signOut());
    wireActions();
    window.addEventListener('hashchange', () => {
      if (window.Auth.token()) route();
    });
    window.Auth.start({ onSignedIn: signedIn, onSignedOut: signedOut, checkToken });
  }

  start();
})();
