/**
 * The single-page flavour's HTML: an empty shell that only boots the script (everything the
 * user sees is rendered client-side, as in React/Vue/Angular portals), and the server-rendered
 * page that frames the sign-in (the "login widget in an iframe" pattern of hosted identity
 * providers).
 */
import { escapeHtml, html, page } from './html.ts';
import type { Engine } from '../faults.ts';

/** What the script needs to know; read per request, so faults switched at run time apply on the next load. */
export interface SpaConfig {
  /** engine-break fault: the engine in which spa.js must throw before enabling Continue. */
  breakEngine: Engine | null;
  activityWindowMs: number;
  refreshEveryMs: number;
  digits: number;
  /** selector-change fault: the re-skinned labels, ids and button text. */
  selectorChange: boolean;
  /** narrow-viewport-break fault: render the cookie banner that covers the form below 480 px. */
  cookieBanner: boolean;
  /** Where the password goes: '/api/app/login', or the look-alike host's URL under lookalike-redirect. */
  loginUrl: string;
  /** Framed by /app/embedded: no header, and a finished sign-in navigates the top window. */
  embedded: boolean;
  /** Wording shared with the server-rendered flavour, so both say exactly the same. */
  messages: { signedOut: string; expired: string };
}

/**
 * JSON inside <script> ends at the first "</script"; escaping "<" (and the two JavaScript line
 * separators) keeps any value from closing the element or breaking the parse.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** `engineScript`: where /static/engine.js is loaded from (the plain-http fault names the HTTP listener). */
export function renderSpaShell(config: SpaConfig, engineScript = '/static/engine.js'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lakeside Health Portal</title>
<link rel="stylesheet" href="/static/portal.css">
<script type="application/json" id="spa-config">${scriptJson(config)}</script>
</head>
<body class="spa${config.embedded ? ' embedded' : ''}">
<div id="spa-root"></div>
<noscript>Lakeside Health Portal needs JavaScript. Turn it on in your browser settings and reload this page.</noscript>
<script src="${escapeHtml(engineScript)}"></script>
<script src="/static/spa-kit.js"></script>
<script src="/static/spa.js"></script>
</body>
</html>
`;
}

/** A server-rendered page whose sign-in lives in a same-origin iframe running the SPA in embedded mode. */
export function renderEmbeddedLogin(): string {
  const body = html`<h1>Lakeside Health</h1>
<p>Sign in to see your schedule, results and messages.</p>
<iframe class="signin-frame" title="Sign in" src="/app/login?embedded=1"></iframe>`;
  return page({ title: 'Lakeside Health', body });
}
