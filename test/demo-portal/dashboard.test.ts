import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { account, Client, roleText, signIn, totp } from './helpers.ts';

let portal: DemoPortal;

before(async () => {
  portal = await startDemoPortal({ https: false });
});
after(async () => {
  await portal.close();
});
beforeEach(() => {
  portal.setFaults([]);
  portal.reset();
});

void describe('acknowledgment, dashboards and roles', () => {
  void test('acknowledgment: checkbox required, then once per day', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    assert.equal(await signIn(c, rivera, { acknowledge: false }), '/acknowledge');
    const page = await c.get('/acknowledge');
    assert.match(page.body, /<h1>Daily security acknowledgment<\/h1>/);
    assert.match(page.body, /<input type="checkbox" id="ack" name="ack"><label for="ack">I acknowledge that I will protect patient information<\/label>/);
    assert.match(page.body, /<button type="submit">Continue<\/button>/);
    assert.equal((await c.get('/dashboard')).location, '/acknowledge');
    const missing = await c.post('/acknowledge', {});
    assert.equal(missing.status, 400);
    assert.ok(roleText(missing.body, 'alert'));
    const done = await c.post('/acknowledge', { ack: 'on' });
    assert.equal(done.location, '/dashboard');
    assert.equal(await signIn(new Client(portal.url), rivera, { codeOffset: 1 }), '/dashboard');
  });

  void test('physician dashboard', async () => {
    const c = new Client(portal.url);
    assert.equal(await signIn(c, account(portal, 'dr.rivera')), '/dashboard');
    const dash = await c.get('/dashboard');
    assert.equal(dash.status, 200);
    assert.match(dash.body, /<h1>Dashboard<\/h1>/);
    assert.match(dash.body, /<p data-testid="signed-in-user">Signed in as Dr. Ana Rivera<\/p>/);
    assert.match(dash.body, /<nav aria-label="Main">/);
    assert.match(dash.body, /<section aria-labelledby="schedule-heading">\s*<h2 id="schedule-heading">Today's schedule<\/h2>/);
    assert.match(dash.body, /<h2 id="labs-heading">Lab results<\/h2>/);
    assert.match(dash.body, /<td data-phi>Jordan Ellis<\/td>/);
    assert.match(dash.body, /<form[^>]*method="post" action="\/logout"><button type="submit">Sign out<\/button><\/form>/);
    assert.equal(dash.headers['cache-control'], 'no-store');
    assert.equal(dash.headers['pragma'], 'no-cache');
    assert.equal((await c.get('/labs')).status, 200);
    const denied = await c.get('/claims');
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<h1>Access denied<\/h1>/);
    assert.match(denied.body, /You do not have permission to view this page\./);
  });

  void test('billing dashboard shows Claims and may not open Lab results', async () => {
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'billing.chen'));
    const dash = await c.get('/dashboard');
    assert.match(dash.body, /Signed in as Li Chen/);
    assert.match(dash.body, /<h2 id="claims-heading">Claims<\/h2>/);
    assert.doesNotMatch(dash.body, /Lab results/);
    assert.equal((await c.get('/claims')).status, 200);
    assert.equal((await c.get('/labs')).status, 403);
  });

  void test('patients skip the acknowledgment and see Messages', async () => {
    const c = new Client(portal.url);
    assert.equal(await signIn(c, account(portal, 'pat.okafor')), '/dashboard');
    const dash = await c.get('/dashboard');
    assert.match(dash.body, /Signed in as Grace Okafor/);
    assert.match(dash.body, /<h2 id="messages-heading">Messages<\/h2>/);
    assert.equal((await c.get('/labs')).status, 403);
  });

  void test('unauthenticated: 303 /login in a browser, 401 JSON for API clients', async () => {
    const c = new Client(portal.url);
    for (const path of ['/dashboard', '/labs', '/claims', '/acknowledge']) assert.equal((await c.get(path)).location, '/login', path);
    const json = await c.get('/dashboard', { headers: { accept: 'application/json' } });
    assert.equal(json.status, 401);
    assert.equal((JSON.parse(json.body) as { error: string }).error, 'not-authenticated');
    assert.equal((await c.get('/api/session')).status, 401);
  });

  void test('/api/session reports user, role and remaining time', async () => {
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'billing.chen'));
    const res = await c.get('/api/session');
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { user: string; role: string; expiresInMs: number };
    assert.equal(body.user, 'billing.chen');
    assert.equal(body.role, 'billing');
    assert.ok(body.expiresInMs > 29 * 60_000 && body.expiresInMs <= 30 * 60_000, String(body.expiresInMs));
  });

  void test('events never contain passwords, codes or seeds', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: 'dr.rivera', password: 'Wrong-Password-1' });
    const code = totp(rivera.totpSeed);
    await signIn(c, rivera);
    const dump = JSON.stringify(portal.events());
    for (const secret of [rivera.password, 'Wrong-Password-1', code, rivera.totpSeed, c.jar.get('pp_session') ?? 'x'.repeat(43)]) {
      assert.ok(!dump.includes(secret), 'event log leaks a secret');
    }
    assert.ok(portal.events().some((e) => e.type === 'session-created' && e.account === 'dr.rivera'));
  });
});
