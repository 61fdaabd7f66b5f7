import { escapeHtml } from '#shared/web/survey-page';

/**
 * The <head> every signed-in page of ours opens with (the dashboard, the callback workbench): the
 * shared base style sheet (shared/web/base.css) then the page's own, and deferred scripts in order:
 * the sign-in (signin.js, global `Auth`), the shared helpers (pages.js, global `Pages`), then the
 * page's own script (and what it needs before it). No inline script or style: the pages' CSP allows
 * our origin only.
 */
export interface PageHeadInput {
  title: string;
  /** Asset file name -> URL (relative to the page), with its version. */
  assetUrl: (file: string) => string;
  /** The page's own style sheet, after base.css. */
  style: string;
  /** The page's own scripts, after signin.js and pages.js, in order. */
  scripts: string[];
}

export function pageHead(input: PageHeadInput): string {
  const a = (file: string) => escapeHtml(input.assetUrl(file));
  const scripts = ['signin.js', 'pages.js', ...input.scripts];
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(input.title)}</title>
<link rel="stylesheet" href="${a('base.css')}">
<link rel="stylesheet" href="${a(input.style)}">
${scripts.map((s) => `<script defer src="${a(s)}"></script>`).join('\n')}
</head>`;
}
