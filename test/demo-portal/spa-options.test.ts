/**
 * The single-page flavour over HTTP, second part: step faults answered in JSON, the look-alike
 * host's CORS, the embedded variant's framing headers, and the portal-wide totpDigits,
 * totpPeriodS and patients options (both flavours). The shell and the sign-in API are in spa.test.ts.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { generateSync } from 'otplib';
import { parseCliArgs } from '../../demo-portal/cli.ts';
import { account, Client, configOf, jsonOf, postJson, rawRequest, roleText, signIn, testAccounts, totp } from './helpers.ts';

let portal: DemoPortal;
const seeds = testAccounts('spa-opt-', 6);

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: seeds, patients: ['Casey Canary'] });
});
after(async () => {
  await portal.close();
});
beforeEach(() => {
  portal.setFaults([]);
});

void describe('faults in JSON', () => {
  void test('http-error on each SPA step answers vendor-error JSON under /api/', async () => {
    const who = account(portal, 'spa-opt-1');
    const c = new Client(portal.url);
    portal.setFaults(['http-error:login:503']);
    const login = await c.request('POST', '/api/app/login', { json: { username: who.username, password: who.password } });
    assert.equal(login.status, 503);
    const body = jsonOf(login);
    assert.equal(body['error'], 'vendor-error');
    assert.equal(body['status'], 503);
    assert.match(String(body['reference']), /^ERR-[0-9A-F]{8}$/);
    portal.setFaults([]);
    await postJson(c, '/api/app/login', { username: who.username, password: who.password });
    portal.setFaults(['http-error:mfa:500']);
    assert.equal(jsonOf(await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed) }))['status'], 500);
    portal.setFaults([]);
    await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed) });
    for (const [step, path] of [['acknowledge', '/api/app/acknowledge'], ['dashboard', '/api/app/dashboard'], ['logout', '/api/app/logout']] as const) {
      portal.setFaults([`http-error:${step}:502`]);
      const res = step === 'dashboard' ? await c.get(path) : await postJson(c, path, step === 'acknowledge' ? { ack: true } : undefined);
      assert.equal(res.status, 502, step);
      assert.equal(jsonOf(res)['error'], 'vendor-error', step);
    }
    portal.setFaults([]);
    assert.equal((await c.get('/api/app/me')).status, 200, 'the failed logout left the session alive');
  });

  void test('the look-alike host answers CORS for the password fetch', async () => {
    portal.setFaults(['lookalike-redirect']);
    const port = new URL(portal.url).port;
    const origin = `http://127.0.0.1:${port}`;
    const preflight = await rawRequest(new URL(`${portal.url}/api/app/login`), 'OPTIONS', {
      host: `login-portal.localhost:${port}`, origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type',
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], origin);
    const who = account(portal, 'spa-opt-2');
    const post = await rawRequest(new URL(`${portal.url}/api/app/login`), 'POST', { host: `login-portal.localhost:${port}`, origin, 'content-type': 'application/json' },
      JSON.stringify({ username: who.username, password: who.password }));
    assert.equal(post.status, 200);
    assert.equal(post.headers['access-control-allow-origin'], origin);
    const sameOrigin = await rawRequest(new URL(`${portal.url}/api/app/login`), 'OPTIONS', { origin });
    assert.equal(sameOrigin.headers['access-control-allow-origin'], undefined, 'only the look-alike answers CORS');
  });
});

void describe('embedded variant', () => {
  void test('/app/embedded frames /app/login?embedded=1, which only its own origin may frame', async () => {
    const c = new Client(portal.url);
    const outer = await c.get('/app/embedded');
    assert.equal(outer.status, 200);
    assert.match(outer.body, /<h1>Lakeside Health<\/h1>/);
    assert.match(outer.body, /<iframe class="signin-frame" title="Sign in" src="\/app\/login\?embedded=1"><\/iframe>/);
    assert.equal(outer.headers['x-frame-options'], 'DENY');
    const framed = await c.get('/app/login?embedded=1');
    assert.equal(framed.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(framed.headers['content-security-policy'], "frame-ancestors 'self'");
    assert.equal(configOf(framed)['embedded'], true);
    portal.setFaults(['delay:login-page:200']);
    assert.ok((await c.get('/app/embedded')).ms >= 190, 'the framing page is the login-page step too');
  });
});

void describe('portal-wide options', () => {
  void test('totpDigits 8: both flavours ask for and accept 8-digit codes only', async () => {
    const eight = await startDemoPortal({ https: false, accounts: testAccounts('spa-8-', 2), totpDigits: 8, otpBoxes: false });
    const boxes = await startDemoPortal({ https: false, accounts: testAccounts('spa-8b-', 1), totpDigits: 8, otpBoxes: true });
    try {
      const [a, b] = [account(eight, 'spa-8-1'), account(eight, 'spa-8-2')];
      assert.equal(configOf(await new Client(eight.url).get('/app/login'))['digits'], 8);
      const spa = new Client(eight.url);
      await postJson(spa, '/api/app/login', { username: a.username, password: a.password });
      assert.equal((await postJson(spa, '/api/app/mfa', { code: totp(a.totpSeed) })).status, 401, 'a 6-digit code is refused');
      assert.equal((await postJson(spa, '/api/app/mfa', { code: totp(a.totpSeed, 0, 8) })).status, 200);
      const pages = new Client(eight.url);
      await pages.post('/login', { username: b.username, password: b.password });
      const mfaPage = (await pages.get('/mfa')).body;
      assert.match(mfaPage, /Enter the 8-digit code from your authenticator app\./);
      assert.match(mfaPage, /maxlength="8"/);
      assert.equal((await pages.post('/mfa', { otp: totp(b.totpSeed, 0, 8) })).location, '/acknowledge');
      const boxed = new Client(boxes.url);
      const c = account(boxes, 'spa-8b-1');
      await boxed.post('/login', { username: c.username, password: c.password });
      const boxPage = (await boxed.get('/mfa')).body;
      assert.equal(boxPage.match(/class="otp-box"/g)?.length, 8);
      assert.match(boxPage, /aria-label="Digit 8 of 8"/);
    } finally {
      await Promise.all([eight.close(), boxes.close()]);
    }
  });

  void test('totpPeriodS 10: codes of 10-second steps are accepted, those of 30-second steps refused', async () => {
    const ten = await startDemoPortal({ https: false, accounts: testAccounts('spa-10s-', 2), totpPeriodS: 10 });
    try {
      assert.equal(ten.totpPeriodS, 10);
      const [a, b] = [account(ten, 'spa-10s-1'), account(ten, 'spa-10s-2')];
      const epoch = Math.floor(Date.now() / 1000);
      const pages = new Client(ten.url);
      await pages.post('/login', { username: a.username, password: a.password });
      assert.equal((await pages.post('/mfa', { otp: generateSync({ secret: a.totpSeed, epoch, period: 10 }) })).location, '/acknowledge');
      const other = new Client(ten.url);
      await other.post('/login', { username: b.username, password: b.password });
      assert.equal((await other.post('/mfa', { otp: generateSync({ secret: b.totpSeed, epoch }) })).status, 401, 'a 30-second code is refused');
    } finally {
      await ten.close();
    }
  });

  void test('patients are appended to the physician schedule in both flavours, marked data-phi', async () => {
    const who = account(portal, 'spa-opt-3');
    const pages = new Client(portal.url);
    assert.equal(await signIn(pages, who), '/dashboard');
    assert.match((await pages.get('/dashboard')).body, /<tr><td>10:45<\/td><td data-phi>Casey Canary<\/td><td>New patient visit<\/td><\/tr>/);
    const spa = new Client(portal.url);
    await postJson(spa, '/api/app/login', { username: who.username, password: who.password });
    await postJson(spa, '/api/app/mfa', { code: totp(who.totpSeed, 1) });
    const rows = jsonOf<{ sections: { table?: { rows: { text: string; phi?: boolean }[][] } }[] }>(await spa.get('/api/app/dashboard')).sections[0]?.table?.rows ?? [];
    assert.deepEqual(rows.at(-1), [{ text: '10:45' }, { text: 'Casey Canary', phi: true }, { text: 'New patient visit' }]);
  });

  void test('bad option values are refused at start; the CLI maps the new flags', async () => {
    await assert.rejects(startDemoPortal({ https: false, totpDigits: 7 as 6 }), /totpDigits must be 6 or 8/);
    await assert.rejects(startDemoPortal({ https: false, totpPeriodS: 0 }), /totpPeriodS must be a whole number of seconds from 1 to 300/);
    await assert.rejects(startDemoPortal({ https: false, patients: [' '] }), /patients must hold non-empty names/);
    await assert.rejects(startDemoPortal({ https: false, spaRefreshEveryMs: 0 }), /spaRefreshEveryMs must be a positive number/);
    assert.deepEqual(parseCliArgs(['--no-https', '--totp-digits', '8', '--patient', 'A B', '--patient', 'C D', '--spa-activity-window', '2s', '--spa-refresh-every', '500ms']), {
      https: false, faults: [], otpBoxes: false, totpDigits: 8, patients: ['A B', 'C D'], spaActivityWindowMs: 2_000, spaRefreshEveryMs: 500,
    });
    assert.throws(() => parseCliArgs(['--totp-digits', '7']), /--totp-digits must be 6 or 8/);
  });

  void test('the server-rendered sign-in is unchanged by the SPA (roleText still finds its alert)', async () => {
    const res = await new Client(portal.url).post('/login', { username: 'nobody', password: 'x' });
    assert.equal(res.status, 401);
    assert.equal(roleText(res.body, 'alert'), 'Invalid username or password.');
  });
});
