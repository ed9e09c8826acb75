import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_STEPS, parseFault, startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { httpErrorFails, mulberry32Draw } from '../../demo-portal/faults.ts';
import { mulberry32 } from '../helpers/random.ts';
import { account, Client, postJson, rawRequest, roleText, signIn, totp } from './helpers.ts';

void describe('parseFault', () => {
  void test('DEMO_STEPS are the documented step names', () => {
    assert.deepEqual([...DEMO_STEPS], ['login-page', 'login', 'mfa-page', 'mfa', 'acknowledge', 'dashboard', 'logout']);
  });

  void test('valid specs parse to precise values', () => {
    assert.deepEqual(parseFault('delay:login:250'), { kind: 'delay', spec: 'delay:login:250', step: 'login', ms: 250 });
    assert.deepEqual(parseFault('idle-timeout:500ms'), { kind: 'idle-timeout', spec: 'idle-timeout:500ms', ms: 500 });
    assert.equal((parseFault('idle-timeout:20s') as { ms: number }).ms, 20_000);
    assert.equal((parseFault('absolute-timeout:5m') as { ms: number }).ms, 300_000);
    assert.equal((parseFault('absolute-timeout:1h') as { ms: number }).ms, 3_600_000);
    assert.deepEqual(parseFault('http-error:mfa:503'), { kind: 'http-error', spec: 'http-error:mfa:503', step: 'mfa', status: 503, rate: 1 });
    assert.equal((parseFault('http-error:login:500:0.5') as { rate: number }).rate, 0.5);
    assert.deepEqual(parseFault('http-error:login:503:0.1:seed=42'),
      { kind: 'http-error', spec: 'http-error:login:503:0.1:seed=42', step: 'login', status: 503, rate: 0.1, seed: 42 });
    assert.equal((parseFault('http-error:mfa:500:1:seed=0') as { seed: number }).seed, 0);
    assert.equal((parseFault('http-error:mfa:500:0.5:seed=4294967295') as { seed: number }).seed, 4294967295);
    assert.ok(!('seed' in parseFault('http-error:login:500:0.5')), 'no seed key without a seed');
    assert.deepEqual(parseFault('engine-break:gecko'), { kind: 'engine-break', spec: 'engine-break:gecko', engine: 'gecko' });
    assert.deepEqual(parseFault('lockout-after:3'), { kind: 'lockout-after', spec: 'lockout-after:3', failures: 3 });
    for (const flag of ['logout-keeps-session', 'session-not-rotated', 'cookie-flags-dropped', 'totp-reuse-accepted', 'totp-always-rejected',
      'extra-step', 'selector-change', 'narrow-viewport-break', 'lookalike-redirect', 'no-cache-header-dropped', 'no-lockout', 'user-enumeration', 'plain-http']) {
      assert.deepEqual(parseFault(flag), { kind: flag, spec: flag });
    }
  });

  void test('invalid specs throw one sentence naming the spec', () => {
    const bad = ['nope', 'delay:bogus:100', 'delay:login', 'delay:login:abc', 'delay:login:0', 'idle-timeout:30', 'idle-timeout:0s',
      'http-error:login:200', 'http-error:login:503:0', 'http-error:login:503:1.5', 'http-error:nowhere:503', 'engine-break:trident',
      'engine-break', 'extra-step:now', 'lockout-after', 'lockout-after:0', 'lockout-after:2.5', 'lockout-after:101', 'lockout-after:3:4', 'no-lockout:3', '',
      'http-error:login:503:0.3:seed=-1', 'http-error:login:503:0.3:seed=1.5', 'http-error:login:503:0.3:seed=abc', 'http-error:login:503:0.3:seed=',
      'http-error:login:503:0.3:seed=4294967296', 'http-error:login:503:0.3:seed=1e3', 'http-error:login:503:0.3:7', 'http-error:login:503:0.3:Seed=7',
      'http-error:login:503:0.3:', 'http-error:login:503:seed=7', 'http-error:login:503:0:seed=7', 'http-error:login:503:1.5:seed=7',
      'http-error:login:503::seed=7', 'http-error:login:503:0.3:seed=7:x'];
    for (const spec of bad) {
      assert.throws(() => parseFault(spec), (err: Error) => {
        assert.ok(err.message.startsWith(`Invalid fault spec "${spec}": `), err.message);
        assert.match(err.message, /\.$/);
        assert.doesNotMatch(err.message.slice(0, -1), /\.\s+[A-Z]/, 'one sentence');
        return true;
      }, spec);
    }
  });

  void test('seed errors say what is wrong with the seed', () => {
    for (const seed of ['-1', '1.5', 'abc', '', '4294967296']) {
      assert.throws(() => parseFault(`http-error:login:503:0.3:seed=${seed}`),
        { message: `Invalid fault spec "http-error:login:503:0.3:seed=${seed}": the seed must be written seed=<seed> with <seed> a whole number from 0 to 4294967295.` });
    }
    assert.throws(() => parseFault('http-error:login:503:seed=7'),
      { message: 'Invalid fault spec "http-error:login:503:seed=7": a seed needs a rate before it, as in http-error:<step>:<status>:<rate>:seed=<seed>.' });
    assert.throws(() => parseFault('http-error:login:503:0:seed=7'), /: the rate must be a number greater than 0 and at most 1\.$/);
    assert.throws(() => parseFault('http-error:login:503:0.3:seed=7:x'), /: expected http-error:<step>:<status>\[:<rate>\[:seed=<seed>\]\]\.$/);
  });
});

void describe('httpErrorFails', () => {
  void test('mulberry32Draw(seed, n) is the n-th output of mulberry32(seed)', () => {
    for (const seed of [0, 1, 42, 4294967295]) {
      const next = mulberry32(seed);
      for (let n = 1; n <= 500; n++) assert.equal(mulberry32Draw(seed, n), next(), `seed ${seed}, draw ${n}`);
    }
  });

  void test('without a seed the periodic rule is unchanged; with one, the documented draws decide', () => {
    const fails = (fault: { rate: number; seed?: number }, count: number): number[] =>
      Array.from({ length: count }, (_, i) => i + 1).filter((n) => httpErrorFails(fault, n));
    assert.deepEqual(fails({ rate: 0.5 }, 8), [2, 4, 6, 8]);
    assert.deepEqual(fails({ rate: 0.1 }, 30), [10, 20, 30]);
    assert.deepEqual(fails({ rate: 1 }, 3), [1, 2, 3]);
    assert.deepEqual(fails({ rate: 0.3, seed: 42 }, 22), [5, 7, 11, 15, 19, 22], 'the README example');
    assert.equal(fails({ rate: 1, seed: 9 }, 50).length, 50, 'rate 1 with a seed always fails');
    const n = 20_000;
    const share = fails({ rate: 0.1, seed: 3 }, n).length / n;
    assert.ok(Math.abs(share - 0.1) < 0.01, `share ${share}`);
  });
});

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

void describe('setFaults', () => {
  void test('replaces the list, and a bad or conflicting list is refused whole', () => {
    portal.setFaults(['extra-step', 'delay:login:10']);
    assert.deepEqual(portal.faults(), ['extra-step', 'delay:login:10']);
    assert.throws(() => portal.setFaults(['selector-change', 'delay:nowhere:5']), /"delay:nowhere:5"/);
    assert.throws(() => portal.setFaults(['delay:login:5', 'delay:login:6']), /"delay:login:6".*conflicts with "delay:login:5"/);
    assert.throws(() => portal.setFaults(['no-lockout', 'lockout-after:3']), /"lockout-after:3".*conflicts with "no-lockout".*at most one of them/);
    assert.deepEqual(portal.faults(), ['extra-step', 'delay:login:10']);
  });

  void test('startDemoPortal refuses a bad fault spec', async () => {
    await assert.rejects(startDemoPortal({ https: false, faults: ['http-error:login:99'] }), /Invalid fault spec "http-error:login:99"/);
  });
});

async function medianMs(c: Client, path: string, n = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await c.get(path)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)] ?? 0;
}

void describe('delay and http-error', () => {
  void test('delay adds the exact milliseconds to that step only', async () => {
    const c = new Client(portal.url);
    const base = await medianMs(c, '/login');
    portal.setFaults(['delay:login-page:300']);
    const slow = await medianMs(c, '/login', 3);
    assert.ok(Math.abs(slow - base - 300) <= 30, `added ${Math.round(slow - base)} ms`);
    assert.ok((await medianMs(c, '/forgot-password', 3)) < base + 30, 'other pages are not delayed');
  });

  void test('delay on the dashboard step', async () => {
    const c = new Client(portal.url);
    await signIn(c, account(portal, 'dr.rivera'));
    const base = await medianMs(c, '/dashboard');
    portal.setFaults(['delay:dashboard:150']);
    const slow = await medianMs(c, '/dashboard', 3);
    assert.ok(Math.abs(slow - base - 150) <= 30, `added ${Math.round(slow - base)} ms`);
  });

  void test('http-error at rate 1 answers the vendor page every time', async () => {
    portal.setFaults(['http-error:login-page:503']);
    const c = new Client(portal.url);
    for (let i = 0; i < 3; i++) {
      const res = await c.get('/login');
      assert.equal(res.status, 503);
      assert.match(res.body, /<h1>Service unavailable<\/h1>/);
    }
    assert.equal((await c.get('/patient/login')).status, 503, 'the patient sign-in page is the same step');
    portal.setFaults(['http-error:login-page:500']);
    assert.match((await c.get('/login')).body, /<h1>Internal server error<\/h1>/);
  });

  void test('http-error rates are deterministic: 0.5 fails every other request, 1/3 every third', async () => {
    const c = new Client(portal.url);
    portal.setFaults(['http-error:login-page:503:0.5']);
    const half: number[] = [];
    for (let i = 0; i < 6; i++) half.push((await c.get('/login')).status);
    assert.deepEqual(half, [200, 503, 200, 503, 200, 503]);
    portal.setFaults(['http-error:login-page:500:0.3333333333']);
    const third: number[] = [];
    for (let i = 0; i < 6; i++) third.push((await c.get('/login')).status);
    assert.deepEqual(third, [200, 200, 500, 200, 200, 500]);
  });

  void test('seeded http-error: random, reproducible per seed, through the real server', async () => {
    const failedRequests = async (faults: string[], count: number): Promise<number[]> => {
      const fresh = await startDemoPortal({ https: false, faults });
      try {
        const c = new Client(fresh.url);
        const failed: number[] = [];
        for (let n = 1; n <= count; n++) {
          const res = await c.get('/login');
          if (res.status === 503) {
            assert.match(res.body, /<h1>Service unavailable<\/h1>/);
            failed.push(n);
          } else assert.equal(res.status, 200);
        }
        return failed;
      } finally {
        await fresh.close();
      }
    };
    const first = await failedRequests(['http-error:login-page:503:0.3:seed=1234'], 200);
    assert.ok(first.length >= 30 && first.length <= 90, `${first.length} of 200 failed`);
    const gaps = new Set(first.slice(1).map((n, i) => n - (first[i] ?? 0)));
    assert.ok(gaps.size >= 3, `failures at ${first.join(',')} look periodic`);
    const periodic = Array.from({ length: 200 }, (_, i) => i + 1).filter((n) => httpErrorFails({ rate: 0.3 }, n));
    assert.notDeepEqual(first, periodic, 'not the unseeded every-Nth pattern');
    assert.deepEqual(await failedRequests(['http-error:login-page:503:0.3:seed=1234'], 200), first, 'same seed, same failures');
    const other = await failedRequests(['http-error:login-page:503:0.3:seed=1235'], 200);
    assert.notDeepEqual(other, first, 'another seed fails other requests');
  });

  void test('seeded http-error restarts its sequence when the faults are set again or the portal is reset', async () => {
    const c = new Client(portal.url);
    const statuses = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await c.get('/login')).status);
      return out;
    };
    portal.setFaults(['http-error:login-page:503:0.3:seed=42']);
    const first = await statuses();
    assert.deepEqual(first.flatMap((s, i) => (s === 503 ? [i + 1] : [])).slice(0, 6), [5, 7, 11, 15, 19, 22], 'the README example');
    portal.setFaults(['http-error:login-page:503:0.3:seed=42']);
    assert.deepEqual(await statuses(), first);
    portal.reset();
    assert.deepEqual(await statuses(), first);
    assert.equal((await c.get('/forgot-password')).status, 200, 'other steps are untouched');
  });

  void test('http-error on mfa blocks sign-in; on logout the session survives', async () => {
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: rivera.username, password: rivera.password });
    portal.setFaults(['http-error:mfa:500']);
    assert.equal((await c.post('/mfa', { otp: totp(rivera.totpSeed) })).status, 500);
    portal.setFaults(['http-error:logout:503']);
    assert.equal(await signIn(c, rivera, { codeOffset: 1 }), '/dashboard');
    assert.equal((await c.post('/logout')).status, 503);
    assert.equal((await c.get('/dashboard')).status, 200);
  });
});

void describe('page-changing faults (markup)', () => {
  void test('extra-step inserts /notice before the acknowledgment', async () => {
    portal.setFaults(['extra-step']);
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: rivera.username, password: rivera.password });
    const mfa = await c.post('/mfa', { otp: totp(rivera.totpSeed) });
    assert.equal(mfa.location, '/notice');
    assert.equal((await c.get('/dashboard')).location, '/notice');
    const notice = await c.get('/notice');
    assert.match(notice.body, /<h1>Updated terms of use<\/h1>/);
    assert.match(notice.body, /<button type="submit">I agree<\/button>/);
    assert.equal((await c.post('/notice')).location, '/acknowledge');
    assert.equal((await c.post('/acknowledge', { ack: 'on' })).location, '/dashboard');
    const patient = new Client(portal.url);
    assert.equal(await signIn(patient, account(portal, 'pat.okafor')), '/notice');
    assert.equal((await patient.post('/notice')).location, '/dashboard');
  });

  void test('selector-change renames ids, labels and the button; sign-in still works', async () => {
    portal.setFaults(['selector-change']);
    const c = new Client(portal.url);
    for (const path of ['/login', '/patient/login']) {
      const page = (await c.get(path)).body;
      assert.match(page, /<form id="signin-form"/);
      assert.match(page, /<label for="login-id">User ID<\/label><input id="login-id"/);
      assert.match(page, /<label for="passphrase">Passphrase<\/label><input id="passphrase"/);
      assert.match(page, /<button id="sign-in" type="submit" disabled>Log in<\/button>/);
      assert.doesNotMatch(page, /Username|id="password"/);
    }
    assert.equal(await signIn(c, account(portal, 'dr.rivera')), '/dashboard');
  });

  void test('lookalike-redirect posts to login-portal.localhost on the same scheme and port, which serves the flow', async () => {
    portal.setFaults(['lookalike-redirect']);
    const httpPort = new URL(portal.url).port;
    const httpsPort = new URL(portal.httpsUrl ?? '').port;
    assert.match((await new Client(portal.url).get('/login')).body, new RegExp(`action="http://login-portal\\.localhost:${httpPort}/login"`));
    assert.match((await new Client(portal.url).get('/patient/login')).body, new RegExp(`action="http://login-portal\\.localhost:${httpPort}/patient/login"`));
    assert.match((await new Client(portal.httpsUrl ?? '').get('/login')).body, new RegExp(`action="https://login-portal\\.localhost:${httpsPort}/login"`));
    const rivera = account(portal, 'dr.rivera');
    const viaLookalike = await rawRequest(new URL(`${portal.url}/login`), 'POST', {
      host: `login-portal.localhost:${httpPort}`, 'content-type': 'application/x-www-form-urlencoded',
    }, new URLSearchParams({ username: rivera.username, password: rivera.password }).toString());
    assert.equal(viaLookalike.status, 303);
    assert.equal(viaLookalike.location, '/mfa');
  });

  void test('narrow-viewport-break adds the cookie banner, styled only below 480 px', async () => {
    const c = new Client(portal.url);
    assert.doesNotMatch((await c.get('/login')).body, /cookie-banner/);
    portal.setFaults(['narrow-viewport-break']);
    assert.match((await c.get('/login')).body, /<div class="cookie-banner" role="dialog" aria-label="Cookie notice">/);
    assert.match((await c.get('/static/portal.css')).body, /@media \(max-width: 479\.98px\) \{\s*\.cookie-banner \{[^}]*position: fixed; inset: 0/);
  });

  void test('engine-break passes the engine to the login script', async () => {
    portal.setFaults(['engine-break:webkit']);
    assert.match((await new Client(portal.url).get('/static/login.js')).body, /portalLoginInit\("webkit"\);\s*$/);
  });

  void test('wrong-code message and status are unchanged by unrelated faults', async () => {
    portal.setFaults(['selector-change', 'extra-step']);
    const rivera = account(portal, 'dr.rivera');
    const c = new Client(portal.url);
    await c.post('/login', { username: rivera.username, password: rivera.password });
    const res = await c.post('/mfa', { otp: 'abcdef' });
    assert.equal(res.status, 401);
    assert.equal(roleText(res.body, 'alert'), 'The verification code is incorrect or has expired.');
  });
});

void describe('login-policy faults (lockout, enumeration, plain HTTP)', () => {
  const lockout = (): ReturnType<typeof account> => account(portal, 'lockout.test');

  void test('lockout-after:<n> locks at the n-th failure; no-lockout never locks and the right password still works', async () => {
    const c = new Client(portal.url);
    portal.setFaults(['lockout-after:2']);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.post('/login', { username: lockout().username, password: 'Wrong-1!' })).status);
    assert.deepEqual(statuses, [401, 423, 423]);
    portal.reset();
    portal.setFaults(['no-lockout']);
    const free: number[] = [];
    for (let i = 0; i < 7; i++) free.push((await c.post('/login', { username: lockout().username, password: 'Wrong-1!' })).status);
    assert.deepEqual(free, [401, 401, 401, 401, 401, 401, 401]);
    assert.equal((await c.post('/login', { username: lockout().username, password: lockout().password })).location, '/mfa');
  });

  void test('user-enumeration: an unknown user gets the same status and other words, in both flavours', async () => {
    const c = new Client(portal.url);
    const answers = async (): Promise<string[]> => {
      const page = async (username: string): Promise<string> => {
        const r = await c.post('/login', { username, password: 'Wrong-1!' });
        return `${r.status} ${roleText(r.body, 'alert') ?? ''}`;
      };
      const api = async (username: string): Promise<string> => {
        const r = await postJson(c, '/api/app/login', { username, password: 'Wrong-1!' });
        return `${r.status} ${r.body}`;
      };
      return [await page('nobody.here'), await page('dr.rivera'), await api('nobody.here'), await api('dr.rivera')];
    };
    const [pageUnknown, pageWrong, apiUnknown, apiWrong] = await answers();
    assert.equal(pageUnknown, pageWrong, 'without the fault the answers are the same');
    assert.equal(apiUnknown, apiWrong);
    portal.setFaults(['user-enumeration']);
    assert.deepEqual(await answers(), [
      '401 No account matches that username or NPI.', '401 Invalid username or password.',
      '401 {"error":"unknown-user","message":"No account matches that username or NPI."}', '401 {"error":"invalid-credentials","message":"Invalid username or password."}',
    ]);
  });

  void test('plain-http: the HTTPS sign-in pages of both flavours load engine.js from the HTTP listener', async () => {
    const https = new Client(portal.httpsUrl ?? '');
    const own = '<script src="/static/engine.js"></script>';
    assert.ok((await https.get('/login')).body.includes(own));
    portal.setFaults(['plain-http']);
    const plain = `<script src="${portal.url}/static/engine.js"></script>`;
    for (const path of ['/login', '/patient/login', '/app/login', '/app/embedded']) {
      const body = (await https.get(path)).body;
      if (path === '/app/embedded') assert.doesNotMatch(body, /engine\.js/, 'the framing page loads no script; its frame is the shell');
      else assert.ok(body.includes(plain) && !body.includes(own), `${path}: ${body}`);
    }
    const script = await new Client(portal.url).get('/static/engine.js');
    assert.equal(script.status, 200);
    assert.match(script.body, /function portalDetectEngine/);
  });
});
