/**
 * How the role-access check reads one answer, against a scripted portal: which answers
 * mean "reached" and which "refused" — a redirect to sign-in or to an access-denied page,
 * off the portal, a 200 that says "not authorized" — and that redirects within the portal
 * are followed one hop at a time. The demo portal only ever answers 403, so these are here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext } from '@playwright/test';
import { askPath, type Refusals } from '../../fixtures/checks/role-access.ts';

type Scripted = Record<string, { status: number; location?: string; body?: string }>;

/** A context whose request API answers from `pages`, and records what was asked. */
function portal(pages: Scripted): { context: Pick<BrowserContext, 'request'>; asked: string[] } {
  const asked: string[] = [];
  const request = {
    get: (url: string, o: { maxRedirects?: number }) => {
      assert.equal(o.maxRedirects, 0, 'redirects are never followed by the request API');
      const u = new URL(url);
      asked.push(u.pathname);
      const page = pages[u.pathname] ?? { status: 404 };
      return Promise.resolve({
        status: () => page.status,
        headers: () => (page.location ? { location: page.location } : {}),
        text: () => Promise.resolve(page.body ?? ''),
        dispose: () => Promise.resolve(),
      });
    },
  };
  return { context: { request } as unknown as Pick<BrowserContext, 'request'>, asked };
}

const base = 'https://ehr.example.org';
const refusals: Refusals = { pages: new Set(['/login', '/access-denied']), text: ['Not authorized'] };

test('answers that reach the path, and those that refuse it', async () => {
  const { context, asked } = portal({
    '/labs': { status: 302, location: '/labs/today' },
    '/labs/today': { status: 200, body: '<h1>Lab results</h1>' },
    '/claims': { status: 303, location: '/login?expired=1' },
    '/admin': { status: 302, location: 'https://ehr.example.org/access-denied' },
    '/billing': { status: 200, body: '<main><h1>Not <em>authorized</em></h1></main>' },
    '/sso': { status: 302, location: 'https://sso.example.org/authorize' },
    '/api/orders': { status: 403 },
    '/loop': { status: 302, location: '/loop' },
    '/reports': { status: 302, location: '/Account/Login?ReturnUrl=%2Freports' },
    '/Account/Login': { status: 200, body: '<form><label>Password <input name="p" type="password"></label></form>' },
  });
  const ask = (path: string) => askPath(context, base, 'billing', path, refusals, 1000);
  assert.deepEqual(await ask('/labs'), { role: 'billing', path: '/labs', status: 200, reached: true, trail: 'HTTP 302 → /labs/today HTTP 200' });
  assert.deepEqual(asked, ['/labs', '/labs/today']);
  assert.deepEqual(await ask('/claims'), { role: 'billing', path: '/claims', status: 303, reached: false, trail: 'HTTP 303 → /login' });
  assert.equal((await ask('/admin')).reached, false);
  // Words of a refusal, in the page's text rather than its markup, matched without case.
  assert.deepEqual(await ask('/billing'), { role: 'billing', path: '/billing', status: 200, reached: false, trail: 'HTTP 200 showing "Not authorized"' });
  assert.deepEqual(await ask('/sso'), { role: 'billing', path: '/sso', status: 302, reached: false, trail: 'HTTP 302 → sso.example.org' });
  assert.equal((await ask('/api/orders')).reached, false);
  // Sent to a sign-in page the check does not know by name: its password field gives it away.
  assert.deepEqual(await ask('/reports'), { role: 'billing', path: '/reports', status: 200, reached: false, trail: 'HTTP 302 → /Account/Login HTTP 200 showing a sign-in form' });
  assert.equal((await ask('/nowhere')).status, 404);
  const loop = await ask('/loop');
  assert.equal(loop.reached, false);
  assert.equal(loop.trail.split('→').length, 7, 'gives up after five redirects');
});
