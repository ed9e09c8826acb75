import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { account, Client, roleText, sleep, totp } from './helpers.ts';

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

void describe('sign-in pages', () => {
  void test('/ redirects to /login, which has the contract labels and a disabled button', async () => {
    const c = new Client(portal.url);
    const root = await c.get('/');
    assert.equal(root.status, 302);
    assert.equal(root.location, '/login');
    const page = await c.get('/login');
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>Provider sign in<\/h1>/);
    assert.match(page.body, /<form id="login-form"[^>]*method="post" action="\/login">/);
    assert.match(page.body, /<label for="username">Username or NPI<\/label><input id="username" name="username" autocomplete="username">/);
    assert.match(page.body, /<label for="password">Password<\/label><input id="password" name="password" type="password" autocomplete="current-password">/);
    assert.match(page.body, /<button id="sign-in" type="submit" disabled>Sign in<\/button>/);
    assert.match(page.body, /<a href="\/forgot-password">Forgot password\?<\/a>/);
    assert.match(page.body, /<script src="\/static\/login.js"><\/script>/);
    const script = await c.get('/static/login.js');
    assert.equal(script.status, 200);
    assert.match(script.body, /portalLoginInit\(null\);\s*$/);
  });

  void test('signed-out and expired notices are role=status messages', async () => {
    const c = new Client(portal.url);
    assert.equal(roleText((await c.get('/login?signed-out=1')).body, 'status'), 'You have signed out.');
    assert.equal(roleText((await c.get('/login?expired=1')).body, 'status'), 'Your session has expired. Please sign in again.');
    assert.equal(roleText((await c.get('/login')).body, 'status'), undefined);
  });

  void test('patient sign-in page', async () => {
    const page = await new Client(portal.url).get('/patient/login');
    assert.match(page.body, /<h1>Patient portal sign in<\/h1>/);
    assert.match(page.body, /<label for="username">Username<\/label>/);
    assert.match(page.body, /<button id="sign-in" type="submit" disabled>Sign in<\/button>/);
  });
});

void describe('password step', () => {
  void test('username or NPI plus the case-sensitive password start a pre-auth session', async () => {
    const rivera = account(portal, 'dr.rivera');
    for (const username of ['dr.rivera', '1234567893']) {
      const c = new Client(portal.url);
      const res = await c.post('/login', { username, password: rivera.password });
      assert.equal(res.status, 303);
      assert.equal(res.location, '/mfa');
      assert.ok(c.jar.get('pp_session'));
    }
    const wrongCase = await new Client(portal.url).post('/login', { username: 'dr.rivera', password: rivera.password.toUpperCase() });
    assert.equal(wrongCase.status, 401);
  });

  void test('unknown user and wrong password answer identically', async () => {
    const unknown = await new Client(portal.url).post('/login', { username: 'nobody.here', password: 'whatever-1' });
    const wrong = await new Client(portal.url).post('/login', { username: 'dr.patel', password: 'whatever-1' });
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, unknown.status);
    assert.equal(wrong.body, unknown.body);
    assert.equal(roleText(wrong.body, 'alert'), 'Invalid username or password.');
    assert.deepEqual(wrong.setCookies, []);
  });

  void test('the 5th consecutive failure locks; then even the right password gets 423', async () => {
    const victim = account(portal, 'lockout.test');
    const c = new Client(portal.url);
    for (let i = 1; i <= 4; i++) assert.equal((await c.post('/login', { username: 'lockout.test', password: `wrong-${i}` })).status, 401);
    const fifth = await c.post('/login', { username: 'lockout.test', password: 'wrong-5' });
    assert.equal(fifth.status, 423);
    assert.equal(roleText(fifth.body, 'alert'), 'Your account is locked. Try again in 30 minutes or contact the help desk.');
    const right = await c.post('/login', { username: 'lockout.test', password: victim.password });
    assert.equal(right.status, 423);
    const types = portal.events().filter((e) => e.account === 'lockout.test').map((e) => e.type);
    assert.equal(types.filter((t) => t === 'login-failed').length, 5);
    assert.ok(types.includes('login-locked'));
    portal.reset();
    assert.equal((await c.post('/login', { username: 'lockout.test', password: victim.password })).status, 303);
  });

  void test('a success in between restarts the count; unknown users never lock', async () => {
    const victim = account(portal, 'lockout.test');
    const c = new Client(portal.url);
    for (let i = 0; i < 4; i++) await c.post('/login', { username: 'lockout.test', password: 'nope-nope' });
    assert.equal((await c.post('/login', { username: 'lockout.test', password: victim.password })).status, 303);
    for (let i = 0; i < 4; i++) assert.equal((await c.post('/login', { username: 'lockout.test', password: 'nope-nope' })).status, 401);
    for (let i = 0; i < 8; i++) assert.equal((await c.post('/login', { username: 'ghost.user', password: 'nope-nope' })).status, 401);
  });

  void test('the lock lifts after lockoutMs', async () => {
    const short = await startDemoPortal({ https: false, lockoutMs: 400, lockoutThreshold: 2 });
    try {
      const who = account(short, 'dr.kim');
      const c = new Client(short.url);
      assert.equal((await c.post('/login', { username: 'dr.kim', password: 'bad-pass-1' })).status, 401);
      assert.equal((await c.post('/login', { username: 'dr.kim', password: 'bad-pass-2' })).status, 423);
      assert.equal((await c.post('/login', { username: 'dr.kim', password: who.password })).status, 423);
      await sleep(450);
      assert.equal((await c.post('/login', { username: 'dr.kim', password: who.password })).status, 303);
    } finally {
      await short.close();
    }
  });

  void test('a pending-activation patient cannot sign in, and providers cannot use the patient page', async () => {
    const pending = account(portal, 'pat.new');
    const res = await new Client(portal.url).post('/patient/login', { username: 'pat.new', password: pending.password });
    assert.equal(res.status, 401);
    const rivera = account(portal, 'dr.rivera');
    assert.equal((await new Client(portal.url).post('/patient/login', { username: 'dr.rivera', password: rivera.password })).status, 401);
  });
});

void describe('two-step verification', () => {
  void test('/mfa without a pre-auth session goes back to /login', async () => {
    const c = new Client(portal.url);
    assert.equal((await c.get('/mfa')).location, '/login');
    assert.equal((await c.post('/mfa', { otp: '123456' })).location, '/login');
  });

  void test('the MFA page has the contract field', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: rivera.username, password: rivera.password });
    const page = await c.get('/mfa');
    assert.match(page.body, /<h1>Two-step verification<\/h1>/);
    assert.match(page.body, /Enter the 6-digit code from your authenticator app\./);
    assert.match(page.body, /<label for="otp">Verification code<\/label><input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="6">/);
    assert.match(page.body, /<button type="submit">Verify<\/button>/);
    assert.equal(page.headers['cache-control'], 'no-store');
  });

  void test('a wrong code is refused; the right one leads to the acknowledgment', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: rivera.username, password: rivera.password });
    const good = totp(rivera.totpSeed);
    const wrong = await c.post('/mfa', { otp: good === '000000' ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.equal(roleText(wrong.body, 'alert'), 'The verification code is incorrect or has expired.');
    const ok = await c.post('/mfa', { otp: good });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/acknowledge');
  });

  void test('a code is accepted once; its replay is refused; the next step code works', async () => {
    const patel = account(portal, 'dr.patel');
    const code = totp(patel.totpSeed);
    const first = new Client(portal.url);
    await first.post('/login', { username: patel.username, password: patel.password });
    assert.equal((await first.post('/mfa', { otp: code })).status, 303);
    const second = new Client(portal.url);
    await second.post('/login', { username: patel.username, password: patel.password });
    const replay = await second.post('/mfa', { otp: code });
    assert.equal(replay.status, 401);
    assert.equal(roleText(replay.body, 'alert'), 'That code has already been used. Wait for a new code.');
    assert.equal((await second.post('/mfa', { otp: totp(patel.totpSeed, 1) })).status, 303);
    const types = portal.events().map((e) => e.type);
    assert.ok(types.includes('mfa-replay'));
    assert.equal(types.filter((t) => t === 'mfa-accepted').length, 2);
  });

  void test('totp-reuse-accepted lets the same code in twice', async () => {
    portal.setFaults(['totp-reuse-accepted']);
    const kim = account(portal, 'dr.kim');
    const code = totp(kim.totpSeed);
    for (let i = 0; i < 2; i++) {
      const c = new Client(portal.url);
      await c.post('/login', { username: kim.username, password: kim.password });
      assert.equal((await c.post('/mfa', { otp: code })).status, 303, `attempt ${i + 1}`);
    }
  });

  void test('totp-always-rejected refuses a valid fresh code with the wrong-code message', async () => {
    portal.setFaults(['totp-always-rejected']);
    const okoye = account(portal, 'dr.okoye');
    const c = new Client(portal.url);
    await c.post('/login', { username: okoye.username, password: okoye.password });
    const res = await c.post('/mfa', { otp: totp(okoye.totpSeed) });
    assert.equal(res.status, 401);
    assert.equal(roleText(res.body, 'alert'), 'The verification code is incorrect or has expired.');
  });
});
