/**
 * Error pages. The http-error fault answers with a deliberately plain page, unlike the portal's
 * own pages, because that is what a load balancer or a crashed vendor backend shows.
 */
import { STATUS_CODES } from 'node:http';
import { html, page } from './html.ts';

const VENDOR_TITLES: Record<number, string> = {
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

export function vendorErrorTitle(status: number): string {
  return VENDOR_TITLES[status] ?? STATUS_CODES[status] ?? 'Error';
}

export function renderVendorError(status: number, reference: string): string {
  const title = vendorErrorTitle(status);
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${status} ${title}</title></head>
<body>
<h1>${title}</h1>
<p>The server could not complete your request. Please try again later.</p>
<hr>
<p><small>Reference ${reference}</small></p>
</body>
</html>
`.value;
}

/** The same failure for JSON clients (the single-page app, API probes). */
export function vendorErrorJson(status: number, reference: string): { error: 'vendor-error'; status: number; reference: string; message: string } {
  return { error: 'vendor-error', status, reference, message: `${vendorErrorTitle(status)}. The server could not complete your request. Please try again later.` };
}

export function renderAccessDenied(): string {
  const body = html`<h1>Access denied</h1>
<p>You do not have permission to view this page.</p>
<p class="links"><a href="/dashboard">Back to the dashboard</a></p>`;
  return page({ title: 'Access denied', body, signedIn: true });
}

export function renderNotFound(): string {
  const body = html`<h1>Page not found</h1>
<p>The page you asked for does not exist.</p>
<p class="links"><a href="/login">Go to sign in</a></p>`;
  return page({ title: 'Page not found', body });
}
