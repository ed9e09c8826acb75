/**
 * Minimal HTML templating: interpolated values are escaped unless they are already `Html`, so
 * a display name or an error message can never inject markup into a page.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(value: Interpolation): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map((v: Interpolation) => render(v)).join('');
  // false/null/undefined render as nothing so `${cond && html`…`}` reads naturally.
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface PageOptions {
  title: string;
  body: Html;
  /** Scripts the page needs, e.g. '/static/login.js'. */
  scripts?: readonly string[];
  /** Signed-in pages get the sign-out form in their header. */
  signedIn?: boolean;
}

export function page(opts: PageOptions): string {
  const header = !opts.signedIn
    ? html`<header class="banner"><span class="brand">Lakeside Health Portal</span></header>`
    : html`<header class="banner"><span class="brand">Lakeside Health Portal</span>
  <form class="sign-out" method="post" action="/logout"><button type="submit">Sign out</button></form>
</header>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · Lakeside Health Portal</title>
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
${header}
<main>
${opts.body}
</main>
${(opts.scripts ?? []).map((src) => html`<script src="${src}"></script>\n`)}</body>
</html>
`.value;
}

/** A role="alert" block when there is a message, nothing otherwise. */
export function alert(message: string | undefined, id?: string): Html {
  if (message === undefined) return html``;
  return id === undefined ? html`<div role="alert" class="alert">${message}</div>` : html`<div role="alert" class="alert" id="${id}">${message}</div>`;
}

export function status(message: string | undefined, id?: string): Html {
  if (message === undefined) return html``;
  return id === undefined ? html`<div role="status" class="status">${message}</div>` : html`<div role="status" class="status" id="${id}">${message}</div>`;
}
