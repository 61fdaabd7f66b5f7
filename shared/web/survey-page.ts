/**
 * The web survey's pages (docs/domain.md section 4): mobile-first, Simplified Chinese, one inline
 * stylesheet, no scripts and no external assets, so a plain HTML form works on any phone.
 * Every value from outside is escaped with `escapeHtml`.
 */

import type { ClosedReason, WebSurveyInfo } from '#shared/app/surveys/web-survey';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The points the norms check on site (docs/domain.md section 4), as the page shows them. */
export const reasonLabels: Record<number, string> = {
  1: '上门不准时',
  2: '服务态度/用语',
  3: '未着工装/未佩戴工牌',
  4: '未清理现场',
  5: '问题未解决',
  6: '其他',
};

const ratingLabels: Record<1 | 2 | 3, string> = { 1: '满意', 2: '基本满意', 3: '不满意' };

/** Headers of every page: HTML, never cached, no referrer (the URL holds the token), no scripts. */
export const pageHeaders: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-robots-tag': 'noindex, nofollow',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f2f4f7;color:#1f2329;font:16px/1.6 -apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;-webkit-text-size-adjust:100%}
main{max-width:560px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:12px;padding:20px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 12px}
p{margin:0 0 12px}
.muted{color:#646a73;font-size:14px}
.error{background:#fff1f0;border:1px solid #ffa39e;color:#a8071a;border-radius:8px;padding:10px 12px;margin:0 0 16px}
.error ul{margin:0;padding-left:20px}
fieldset{border:0;margin:0 0 20px;padding:0}
legend{font-weight:600;margin-bottom:8px;padding:0}
.opt{display:flex;align-items:center;gap:10px;min-height:48px;padding:8px 12px;margin:0 0 8px;border:1px solid #d0d3d6;border-radius:8px;cursor:pointer}
.opt input{width:20px;height:20px;margin:0;flex:none}
.opt:has(input:checked){border-color:#1664ff;background:#f0f5ff}
label.block{display:block;font-weight:600;margin-bottom:8px}
textarea{width:100%;min-height:96px;padding:10px;font:inherit;border:1px solid #d0d3d6;border-radius:8px;resize:vertical}
button{display:block;width:100%;min-height:48px;margin-top:20px;border:0;border-radius:8px;background:#1664ff;color:#fff;font:inherit;font-size:17px;font-weight:600;cursor:pointer}
.hint{font-weight:400;color:#646a73;font-size:14px}
.footer{margin-top:16px}
@supports selector(:has(a)){
.reasons{display:none}
form:has(input[name=rating][value="2"]:checked) .reasons,form:has(input[name=rating][value="3"]:checked) .reasons{display:block}
.reasons .hint{display:none}
}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="card">
${body}
</div>
</main>
</body>
</html>
`;
}

function dayLabel(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : day;
}

function intro(s: WebSurveyInfo): string {
  return (
    `<p>您好！<strong>${escapeHtml(s.engineerName)}</strong>师傅已于${escapeHtml(dayLabel(s.day))}` +
    `为您完成<strong>${escapeHtml(s.job)}</strong>服务。诚邀您对本次服务进行评价，您的意见对我们非常重要。</p>`
  );
}

/** Chinese messages for the fields a submitted form can get wrong. */
const fieldMessages: Record<string, string> = {
  rating: '请选择您对本次服务的总体评价（满意、基本满意或不满意）。',
  reasons: '请从列表中选择不满意的原因。',
  comment: '您的意见请不要超过500字。',
};

export interface FormValues {
  rating?: string;
  reasons?: string[];
  comment?: string;
}

/** The survey form; with `errors` (field names), re-rendered with the customer's values and a message. */
export function renderSurveyForm(
  survey: WebSurveyInfo,
  values: FormValues = {},
  errors: string[] = [],
): string {
  const fields = [...new Set(errors.map((f) => (f.startsWith('reasons') ? 'reasons' : f)))];
  const messages = fields.map((f) => fieldMessages[f] ?? '您提交的内容有误，请检查后重新提交。');
  const errorBox = messages.length
    ? `<div class="error" role="alert"><p>抱歉，您的评价还未提交成功：</p><ul>${[...new Set(messages)]
        .map((m) => `<li>${escapeHtml(m)}</li>`)
        .join('')}</ul></div>`
    : '';
  const ratingOptions = ([1, 2, 3] as const)
    .map(
      (r) =>
        `<label class="opt"><input type="radio" name="rating" value="${r}"${
          values.rating === String(r) ? ' checked' : ''
        } required> ${ratingLabels[r]}</label>`,
    )
    .join('\n');
  const chosen = new Set(values.reasons ?? []);
  const reasonOptions = Object.entries(reasonLabels)
    .map(
      ([code, label]) =>
        `<label class="opt"><input type="checkbox" name="reasons" value="${code}"${
          chosen.has(code) ? ' checked' : ''
        }> ${escapeHtml(label)}</label>`,
    )
    .join('\n');
  return page(
    '服务评价',
    `<h1>服务评价</h1>
${intro(survey)}
${errorBox}<form method="post" accept-charset="utf-8">
<fieldset>
<legend>您对本次服务是否满意？</legend>
${ratingOptions}
</fieldset>
<fieldset class="reasons">
<legend>请问哪些方面让您不满意？（可多选）<span class="hint">选择“基本满意”或“不满意”时填写</span></legend>
${reasonOptions}
</fieldset>
<label class="block" for="comment">您的意见或建议（选填）</label>
<textarea id="comment" name="comment" maxlength="500" rows="4" placeholder="请在此留下您的宝贵意见">${escapeHtml(
      values.comment ?? '',
    )}</textarea>
<button type="submit">提交评价</button>
</form>
<p class="muted footer">您的信息仅用于改进服务质量，我们将严格保密。感谢您的支持！</p>`,
  );
}

const thanksText: Record<1 | 2 | 3, (hours: string) => string> = {
  1: () => '感谢您的评价，我们将继续为您提供优质服务，祝您生活愉快！',
  2: () => '感谢您的宝贵意见，我们将认真改进，努力为您提供更好的服务。',
  3: (hours) => `感谢您的评价，给您带来不便深表歉意，服务主管将在${hours}小时内致电您了解情况。`,
};

/** The thank-you page; a 不满意 is told within how many hours the callback comes (domain/sms/notices.ts). */
export function renderThanks(rating: 1 | 2 | 3, contactHours: string): string {
  return page('感谢您的评价', `<h1>提交成功</h1>\n<p>${escapeHtml(thanksText[rating](contactHours))}</p>`);
}

const closedText: Record<ClosedReason, string> = {
  answered: '您已完成本次服务的评价，感谢您的支持！',
  expired: '抱歉，本次服务评价已超过有效期，无需再评价。感谢您的关注！',
  cancelled: '本次服务评价已取消，无需再评价。给您带来不便，敬请谅解。',
  closed: '本次服务评价已结束，无需再评价。感谢您的关注！',
};

export function renderClosed(reason: ClosedReason, survey?: WebSurveyInfo): string {
  const about = survey
    ? `<p class="muted">${escapeHtml(survey.engineerName)}师傅 · ${escapeHtml(survey.job)} · ${escapeHtml(
        dayLabel(survey.day),
      )}</p>`
    : '';
  return page('服务评价', `<h1>评价已结束</h1>\n<p>${closedText[reason]}</p>\n${about}`);
}

export function renderNotFound(): string {
  return page(
    '服务评价',
    '<h1>未找到评价页面</h1>\n<p>抱歉，您访问的评价链接无效，请核对短信中的链接是否完整。如需帮助，请拨打客服热线，谢谢！</p>',
  );
}

/** A request the page cannot read (not a form or JSON, too large). */
export function renderBadRequest(): string {
  return page(
    '服务评价',
    '<h1>提交未成功</h1>\n<p>抱歉，未能识别您提交的内容，请返回评价页面重新提交。谢谢！</p>',
  );
}

/** Something failed on our side; the customer may try again. */
export function renderUnavailable(): string {
  return page(
    '服务评价',
    '<h1>系统繁忙</h1>\n<p>抱歉，系统暂时繁忙，请稍后再试。给您带来不便，敬请谅解！</p>',
  );
}
