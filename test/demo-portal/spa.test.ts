/**
 * The single-page flavour over HTTP: the shell and its config, the JSON sign-in and the
 * signed-in/session API, and the server-side faults as the SPA meets them. Step faults in
 * JSON, the embedded variant and the portal-wide options are in spa-options.test.ts; what the
 * browser does with all of it is in spa-browser.test.ts.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { account, Client, configOf, jsonOf, postJson, sessionCookieOf, signIn, sleep, spaSignIn, testAccounts, totp } from './helpers.ts';

let portal: DemoPortal;
const seeds = [...testAccounts('spa-doc-', 8), ...testAccounts('spa-bill-', 1, 'billing'), ...testAccounts('spa-pat-', 1, 'patient')];

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: seeds });
});
after(async () => {
  await portal.close();
});
beforeEach(() => {
  portal.setFaults([]);
});

void describe('shell', () => {
  void test('/app and /app/* serve the same client-rendered shell, never stored', async () => {
    const c = new Client(portal.url);
    const bodies = new Set<string>();
    for (const path of ['/app', '/app/login', '/app/dashboard', '/app/anything/else']) {
      const res = await c.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['cache-control'], 'no-store', path);
      assert.equal(res.headers['x-frame-options'], 'DENY', path);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      bodies.add(res.body);
    }
    assert.equal(bodies.size, 1);
    const [shell = ''] = bodies;
    assert.match(shell, /<script src="\/static\/spa\.js"><\/script>/);
    assert.doesNotMatch(shell, /Sign in to Lakeside|<form|<h1/, 'nothing of the app is in the HTML');
    const script = await c.get('/static/spa.js');
    assert.equal(script.headers['cache-control'], 'no-cache');
    assert.match(script.body, /history\.pushState/);
  });

  void test('the config follows options and faults per request', async () => {
    const c = new Client(portal.url);
    assert.deepEqual(configOf(await c.get('/app/login')), {
      breakEngine: null, activityWindowMs: 300_000, refreshEveryMs: 60_000, digits: 6, selectorChange: false, cookieBanner: false,
      loginUrl: '/api/app/login', embedded: false,
      messages: { signedOut: 'You have signed out.', expired: 'Your session has expired. Please sign in again.' },
    });
    portal.setFaults(['engine-break:gecko', 'selector-change', 'narrow-viewport-break', 'lookalike-redirect']);
    const faulty = configOf(await c.get('/app/login'));
    assert.equal(faulty['breakEngine'], 'gecko');
    assert.equal(faulty['selectorChange'], true);
    assert.equal(faulty['cookieBanner'], true);
    assert.equal(faulty['loginUrl'], `http://login-portal.localhost:${new URL(portal.url).port}/api/app/login`);
  });

  void test('delay and http-error on login-page hit the shell; the error stays a page for browsers', async () => {
    const c = new Client(portal.url);
    portal.setFaults(['delay:login-page:250']);
    assert.ok((await c.get('/app/login')).ms >= 240);
    portal.setFaults(['http-error:login-page:503']);
    const page = await c.get('/app/login', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(page.status, 503);
    assert.match(page.body, /<h1>Service unavailable<\/h1>/);
    const asJson = await c.get('/login', { headers: { accept: 'application/json' } });
    assert.equal(asJson.status, 503);
    assert.equal(jsonOf(asJson)['error'], 'vendor-error');
  });
});

void describe('sign-in API', () => {
  void test('login → mfa → acknowledge → dashboard → logout, with rotation, no-store and events', async () => {
    const who = account(portal, 'spa-doc-1');
    const c = new Client(portal.url);
    assert.equal((await c.get('/api/app/me')).status, 401);
    const login = await postJson(c, '/api/app/login', { username: who.username, password: who.password });
    const preAuth = sessionCookieOf(login);
    assert.ok(preAuth);
    assert.match(login.setCookies[0] ?? '', /HttpOnly; SameSite=Lax/);
    const mfa = await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed) });
    assert.deepEqual(jsonOf(mfa), { next: 'acknowledge' });
    assert.notEqual(sessionCookieOf(mfa), preAuth, 'a new id after the code');
    const pending = await c.get('/api/app/dashboard');
    assert.equal(pending.status, 409);
    assert.deepEqual(jsonOf(pending), { error: 'interstitial-pending', next: 'acknowledge' });
    const unticked = await postJson(c, '/api/app/acknowledge', { ack: false });
    assert.equal(unticked.status, 400);
    assert.equal(jsonOf(unticked)['message'], 'Select the acknowledgment checkbox to continue.');
    assert.deepEqual(jsonOf(await postJson(c, '/api/app/acknowledge', { ack: true })), { next: 'dashboard' });
    const dash = await c.get('/api/app/dashboard');
    assert.equal(dash.status, 200);
    assert.equal(dash.headers['cache-control'], 'no-store');
    const data = jsonOf<{ heading: string; displayName: string; sections: { heading?: string; table?: { rows: { text: string; phi?: boolean }[][] } }[] }>(dash);
    assert.equal(data.heading, 'Dashboard');
    assert.equal(data.displayName, 'Dr. Test 1');
    assert.deepEqual(data.sections.map((s) => s.heading), ["Today's schedule", 'Lab results']);
    const patients = data.sections[0]?.table?.rows.map((r) => r[1]) ?? [];
    assert.ok(patients.every((cell) => cell?.phi === true));
    assert.deepEqual(jsonOf(await c.get('/api/app/me')), { user: 'spa-doc-1', role: 'physician', displayName: 'Dr. Test 1' });
    const out = await postJson(c, '/api/app/logout');
    assert.deepEqual(jsonOf(out), { ok: true });
    assert.match(out.setCookies[0] ?? '', /^pp_session=;/);
    assert.equal((await c.get('/api/app/me')).status, 401);
    const types = portal.events().filter((e) => e.account === 'spa-doc-1').map((e) => e.type);
    assert.deepEqual(types, ['password-verified', 'session-created', 'mfa-accepted', 'session-created', 'acknowledged', 'logout']);
  });

  void test('wrong and unknown credentials get the same 401 JSON; lockout answers 423', async () => {
    const who = account(portal, 'spa-doc-2');
    const c = new Client(portal.url);
    const wrong = await postJson(c, '/api/app/login', { username: who.username, password: 'nope' });
    const unknown = await postJson(c, '/api/app/login', { username: 'nobody', password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body, unknown.body);
    assert.deepEqual(jsonOf(wrong), { error: 'invalid-credentials', message: 'Invalid username or password.' });
    // The fifth consecutive wrong password locks (the unknown user does not count).
    for (let i = 0; i < 4; i++) await postJson(c, '/api/app/login', { username: who.username, password: 'nope' });
    const locked = await postJson(c, '/api/app/login', { username: who.username, password: who.password });
    assert.equal(locked.status, 423);
    assert.equal(jsonOf(locked)['message'], 'Your account is locked. Try again in 30 minutes or contact the help desk.');
  });

  void test('wrong, reused and session-less codes', async () => {
    const who = account(portal, 'spa-doc-3');
    assert.equal((await postJson(new Client(portal.url), '/api/app/mfa', { code: '123456' })).status, 401);
    const first = new Client(portal.url);
    assert.equal(await spaSignIn(first, who), 'acknowledge');
    const c = new Client(portal.url);
    await postJson(c, '/api/app/login', { username: who.username, password: who.password });
    const wrong = await postJson(c, '/api/app/mfa', { code: '000000' });
    assert.deepEqual([wrong.status, jsonOf(wrong)], [401, { error: 'wrong-code', message: 'The verification code is incorrect or has expired.' }]);
    const reused = await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed) });
    assert.deepEqual([reused.status, jsonOf(reused)], [401, { error: 'reused-code', message: 'That code has already been used. Wait for a new code.' }]);
    assert.equal((await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed, 1) })).status, 200);
  });

  void test('any account kind signs in; billing lands on Claims, patients on Messages', async () => {
    const billing = new Client(portal.url);
    assert.equal(await spaSignIn(billing, account(portal, 'spa-bill-1')), 'acknowledge');
    await postJson(billing, '/api/app/acknowledge', { ack: true });
    assert.equal(jsonOf((await billing.get('/api/app/dashboard')))['heading'], 'Claims');
    const patient = new Client(portal.url);
    assert.equal(await spaSignIn(patient, account(portal, 'spa-pat-1')), 'dashboard');
    assert.equal(jsonOf((await patient.get('/api/app/dashboard')))['heading'], 'Messages');
  });

  void test('an acknowledgment in one flavour counts in the other', async () => {
    const who = account(portal, 'spa-doc-4');
    assert.equal(await signIn(new Client(portal.url), who), '/dashboard', 'acknowledged on the server-rendered page');
    const c = new Client(portal.url);
    await postJson(c, '/api/app/login', { username: who.username, password: who.password });
    assert.deepEqual(jsonOf(await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed, 1) })), { next: 'dashboard' });
  });
});

void describe('session API', () => {
  void test('/api/app/me: 401 JSON before sign-in, expired:true for a dead cookie; refresh 401 too', async () => {
    const c = new Client(portal.url);
    assert.deepEqual(jsonOf(await c.get('/api/app/me')), { error: 'not-authenticated', message: 'Sign in to continue.', expired: false });
    assert.equal((await postJson(c, '/api/app/refresh')).status, 401);
    c.jar.set('pp_session', 'x'.repeat(43));
    assert.equal(jsonOf(await c.get('/api/app/me'))['expired'], true);
    const preAuth = new Client(portal.url);
    const who = account(portal, 'spa-doc-5');
    await postJson(preAuth, '/api/app/login', { username: who.username, password: who.password });
    assert.equal((await postJson(preAuth, '/api/app/refresh')).status, 401, 'a password alone is not a session');
  });

  void test('me and refresh count as activity; /api/session does not', async () => {
    const idle = await startDemoPortal({ https: false, accounts: testAccounts('spa-idle-', 1), idleTimeoutMs: 2_000 });
    try {
      const c = new Client(idle.url);
      await spaSignIn(c, account(idle, 'spa-idle-1'));
      await sleep(1_200);
      assert.equal((await c.get('/api/app/me')).status, 200);
      await sleep(1_200);
      assert.equal((await postJson(c, '/api/app/refresh')).status, 200, 'alive 2.4 s after sign-in thanks to the touch at 1.2 s');
      await sleep(1_200);
      assert.equal((await c.get('/api/session')).status, 200);
      await sleep(1_200);
      assert.equal((await c.get('/api/session')).status, 401, 'reading /api/session did not keep it alive');
      assert.ok(idle.events().some((e) => e.type === 'session-expired' && e.detail === 'idle'));
    } finally {
      await idle.close();
    }
  });

  void test('server-side faults reach the SPA: logout-keeps-session, session-not-rotated, cookie flags, no-cache', async () => {
    portal.setFaults(['logout-keeps-session', 'session-not-rotated', 'cookie-flags-dropped', 'no-cache-header-dropped']);
    const who = account(portal, 'spa-doc-6');
    const c = new Client(portal.url);
    const fixed = 'F'.repeat(43);
    c.jar.set('pp_session', fixed);
    const login = await postJson(c, '/api/app/login', { username: who.username, password: who.password });
    assert.equal(sessionCookieOf(login), fixed, 'session fixation');
    assert.doesNotMatch(login.setCookies[0] ?? '', /HttpOnly|SameSite/);
    const mfa = await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed) });
    assert.equal(sessionCookieOf(mfa), fixed);
    const me = await c.get('/api/app/me');
    assert.equal(me.status, 200);
    assert.equal(me.headers['cache-control'], undefined);
    await postJson(c, '/api/app/logout');
    c.jar.set('pp_session', fixed);
    assert.equal((await c.get('/api/app/me')).status, 200, 'the old cookie still works');
  });

  void test('extra-step, totp-always-rejected and totp-reuse-accepted', async () => {
    portal.setFaults(['extra-step']);
    const c = new Client(portal.url);
    assert.equal(await spaSignIn(c, account(portal, 'spa-doc-7')), 'notice');
    assert.deepEqual(jsonOf(await c.get('/api/app/dashboard')), { error: 'interstitial-pending', next: 'notice' });
    assert.equal((await postJson(c, '/api/app/acknowledge', { ack: true })).status, 409);
    assert.deepEqual(jsonOf(await postJson(c, '/api/app/notice')), { next: 'acknowledge' });
    portal.setFaults(['totp-always-rejected']);
    const who = account(portal, 'spa-doc-8');
    const r = new Client(portal.url);
    await postJson(r, '/api/app/login', { username: who.username, password: who.password });
    assert.equal(jsonOf(await postJson(r, '/api/app/mfa', { code: totp(who.totpSeed) }))['error'], 'wrong-code');
    portal.setFaults(['totp-reuse-accepted']);
    assert.equal(await spaSignIn(new Client(portal.url), who), 'acknowledge');
    assert.equal(await spaSignIn(new Client(portal.url), who), 'acknowledge', 'the same code again');
  });
});
