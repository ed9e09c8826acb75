import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { account, Client, rawRequest, sessionCookieOf, signIn, sleep, totp } from './helpers.ts';

let portal: DemoPortal;

before(async () => {
  portal = await startDemoPortal();
});
after(async () => {
  await portal.close();
});
beforeEach(() => {
  portal.setFaults([]);
  portal.reset();
});

/** Sleeps until `ms` after `start` (performance.now() based), so timings do not drift with request latency. */
async function at(start: number, ms: number): Promise<void> {
  await sleep(Math.max(0, start + ms - performance.now()));
}

void describe('timeouts', () => {
  void test('idle timeout of 1 s: alive at 0.5 s, gone at 1.6 s; /api/session does not keep it alive', async () => {
    const idle = await startDemoPortal({ https: false, idleTimeoutMs: 1000 });
    try {
      const c = new Client(idle.url);
      await signIn(c, account(idle, 'pat.okafor'));
      const t0 = performance.now();
      await at(t0, 500);
      const alive = await c.get('/api/session');
      assert.equal(alive.status, 200);
      assert.ok((JSON.parse(alive.body) as { expiresInMs: number }).expiresInMs <= 520);
      await at(t0, 1600);
      const gone = await c.get('/dashboard');
      assert.equal(gone.status, 303);
      assert.equal(gone.location, '/login?expired=1');
      assert.ok(idle.events().some((e) => e.type === 'session-expired' && e.detail === 'idle' && e.account === 'pat.okafor'));
    } finally {
      await idle.close();
    }
  });

  void test('activity restarts the idle clock; the idle-timeout fault overrides the option', async () => {
    portal.setFaults(['idle-timeout:1s']);
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'pat.okafor'));
    const t0 = performance.now();
    await at(t0, 600);
    assert.equal((await c.get('/dashboard')).status, 200);
    const t1 = performance.now();
    await at(t1, 700);
    assert.equal((await c.get('/api/session')).status, 200, 'alive 1.3 s after sign-in thanks to the touch at 0.6 s');
    await at(t1, 1300);
    assert.equal((await c.get('/api/session')).status, 401);
  });

  void test('absolute timeout ends a continuously used session', async () => {
    const abs = await startDemoPortal({ https: false, absoluteTimeoutMs: 1500 });
    try {
      const c = new Client(abs.url);
      await signIn(c, account(abs, 'pat.okafor'));
      const t0 = performance.now();
      for (const ms of [300, 600, 900, 1200]) {
        await at(t0, ms);
        assert.equal((await c.get('/dashboard')).status, 200, `at ${ms} ms`);
      }
      await at(t0, 1700);
      assert.equal((await c.get('/dashboard')).location, '/login?expired=1');
      assert.ok(abs.events().some((e) => e.type === 'session-expired' && e.detail === 'absolute'));
    } finally {
      await abs.close();
    }
  });

  void test('the absolute-timeout fault shortens live sessions at run time', async () => {
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'pat.okafor'));
    assert.equal((await c.get('/dashboard')).status, 200);
    portal.setFaults(['absolute-timeout:500ms']);
    await sleep(600);
    assert.equal((await c.get('/dashboard', { headers: { accept: 'application/json' } })).status, 401);
  });
});

void describe('logout', () => {
  void test('logout ends the session on the server and clears the cookie', async () => {
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'dr.rivera'));
    const old = c.jar.get('pp_session') ?? '';
    const out = await c.post('/logout');
    assert.equal(out.status, 303);
    assert.equal(out.location, '/login?signed-out=1');
    assert.match(out.setCookies.join('\n'), /pp_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal(c.jar.get('pp_session'), undefined);
    const replay = new Client(portal.url);
    replay.jar.set('pp_session', old);
    assert.equal((await replay.get('/dashboard')).location, '/login?expired=1');
    assert.equal((await replay.get('/api/session')).status, 401);
    assert.ok(portal.events().some((e) => e.type === 'logout' && e.account === 'dr.rivera'));
  });

  void test('logout-keeps-session: cookie cleared, but the old cookie still works', async () => {
    portal.setFaults(['logout-keeps-session']);
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'dr.rivera'));
    const old = c.jar.get('pp_session') ?? '';
    const out = await c.post('/logout');
    assert.equal(out.location, '/login?signed-out=1');
    assert.equal(c.jar.get('pp_session'), undefined);
    const replay = new Client(portal.url);
    replay.jar.set('pp_session', old);
    assert.equal((await replay.get('/dashboard')).status, 200);
  });
});

void describe('session ids and cookies', () => {
  const planted = 'A'.repeat(43);

  void test('a new id at login and again at MFA; the pre-auth id dies', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    c.jar.set('pp_session', planted);
    const login = await c.post('/login', { username: rivera.username, password: rivera.password });
    const preAuth = sessionCookieOf(login);
    assert.ok(preAuth && preAuth !== planted);
    assert.match(preAuth, /^[A-Za-z0-9_-]{43}$/);
    const mfa = await c.post('/mfa', { otp: totp(rivera.totpSeed) });
    const authed = sessionCookieOf(mfa);
    assert.ok(authed && authed !== preAuth);
    const stale = new Client(portal.url);
    stale.jar.set('pp_session', preAuth);
    assert.equal((await stale.get('/mfa')).location, '/login');
    assert.equal((await stale.get('/api/session')).status, 401);
  });

  void test('session-not-rotated keeps the planted id through login and MFA (fixation)', async () => {
    portal.setFaults(['session-not-rotated']);
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    c.jar.set('pp_session', planted);
    const login = await c.post('/login', { username: rivera.username, password: rivera.password });
    assert.equal(sessionCookieOf(login), planted);
    const mfa = await c.post('/mfa', { otp: totp(rivera.totpSeed) });
    assert.equal(sessionCookieOf(mfa), planted);
    const attacker = new Client(portal.url);
    attacker.jar.set('pp_session', planted);
    assert.equal((await attacker.get('/api/session')).status, 200);
  });

  void test('cookie flags: HttpOnly, SameSite=Lax, Path=/ over HTTP, plus Secure over HTTPS', async () => {
    const rivera = account(portal, 'dr.rivera');
    const plain = (await new Client(portal.url).post('/login', { username: rivera.username, password: rivera.password })).setCookies[0] ?? '';
    assert.match(plain, /; Path=\//);
    assert.match(plain, /; HttpOnly/);
    assert.match(plain, /; SameSite=Lax/);
    assert.doesNotMatch(plain, /Secure/);
    const secure = (await new Client(portal.httpsUrl ?? '').post('/login', { username: rivera.username, password: rivera.password })).setCookies[0] ?? '';
    assert.match(secure, /; HttpOnly/);
    assert.match(secure, /; SameSite=Lax/);
    assert.match(secure, /; Secure/);
  });

  void test('cookie-flags-dropped: no HttpOnly, SameSite or Secure even over HTTPS', async () => {
    portal.setFaults(['cookie-flags-dropped']);
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.httpsUrl ?? '');
    const cookie = (await c.post('/login', { username: rivera.username, password: rivera.password })).setCookies[0] ?? '';
    assert.match(cookie, /^pp_session=[A-Za-z0-9_-]{43}; Path=\/$/);
    const mfa = await c.post('/mfa', { otp: totp(rivera.totpSeed) });
    assert.match(mfa.setCookies[0] ?? '', /^pp_session=[A-Za-z0-9_-]{43}; Path=\/$/);
  });

  void test('no-store on signed-in pages, dropped by no-cache-header-dropped', async () => {
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'dr.rivera'));
    for (const path of ['/dashboard', '/labs', '/api/session']) {
      const res = await c.get(path);
      assert.equal(res.headers['cache-control'], 'no-store', path);
      assert.equal(res.headers['pragma'], 'no-cache', path);
    }
    portal.setFaults(['no-cache-header-dropped']);
    for (const path of ['/dashboard', '/labs', '/api/session']) {
      const res = await c.get(path);
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], undefined, path);
      assert.equal(res.headers['pragma'], undefined, path);
    }
  });

  void test('a pre-auth session is sent on to /mfa, not into the portal', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: rivera.username, password: rivera.password });
    assert.equal((await c.get('/dashboard')).location, '/mfa');
    assert.equal((await c.get('/api/session')).status, 401);
  });
});

void describe('transport', () => {
  void test('HTTPS serves the same portal with a self-signed localhost certificate', async () => {
    assert.ok(portal.httpsUrl?.startsWith('https://127.0.0.1:'));
    const port = new URL(portal.httpsUrl ?? '').port;
    const viaName = await rawRequest(new URL(`https://localhost:${port}/login`), 'GET', {});
    assert.equal(viaName.status, 200);
    const cert = await peerCertificate(Number(port));
    assert.match(cert.subject, /CN=localhost/);
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365.01, String(days));
  });

  void test('certDays sets the certificate lifetime; https:false serves HTTP only', async () => {
    const short = await startDemoPortal({ certDays: 2 });
    const httpOnly = await startDemoPortal({ https: false });
    try {
      const cert = await peerCertificate(Number(new URL(short.httpsUrl ?? '').port));
      const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
      assert.ok(days > 1.9 && days <= 2.01, String(days));
      assert.equal(httpOnly.httpsUrl, undefined);
      assert.equal((await rawRequest(new URL(`${httpOnly.url}/login`), 'GET', {})).status, 200);
    } finally {
      await Promise.all([short.close(), httpOnly.close()]);
    }
  });
});

function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.end();
      if (raw) resolve(raw);
      else reject(new Error('no peer certificate'));
    });
    socket.on('error', reject);
  });
}
