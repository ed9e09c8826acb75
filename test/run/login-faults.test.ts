/**
 * Each login-related demo-portal fault must fail the journey at the right step with the
 * right help-desk category — and only where it should (one engine, one viewport) — in
 * both flavours of the portal: the server-rendered one and the single-page one. Each run
 * has one journey per flavour, and the harness is not told which is which.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { FLAVOUR_JOURNEY, flavoursPortal, physicians, secretEnv, writeConfig, type Flavour } from '../helpers/portal-config.ts';
import type { JourneyResult } from '../../core/result.ts';

const FLAVOURS: ('classic' | 'spa')[] = ['classic', 'spa'];
const STEP_MS = 4000;
let portal: DemoPortal;
const tmp = tempDir();
let runNo = 0;

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('fault', 6 * 12) });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

/** One CLI run with `faults` set: a journey per flavour, each on accounts of its own. */
async function probeWith(faults: string[], o: Parameters<typeof writeConfig>[3] = {}, flavours: Flavour[] = FLAVOURS): Promise<{ code: number; results: JourneyResult[]; stdout: string }> {
  portal.setFaults(faults);
  portal.reset();
  runNo += 1;
  // Two accounts a flavour: a run of several cells never waits for a TOTP step.
  const ids = Object.fromEntries(flavours.map((f, i) => [f, [`fault${6 * runNo - 5 + 2 * i}`, `fault${6 * runNo - 4 + 2 * i}`]]));
  const setup = writeConfig(tmp.dir, [flavoursPortal(portal, { accounts: ids })], secretEnv(portal, Object.values(ids).flat()), { stepMs: STEP_MS, ...o });
  const dir = `${tmp.dir}/run-${runNo}`;
  const r = await runCli(['run', '--config', setup.configFile, '--output', dir], { cwd: tmp.dir, env: setup.env });
  const { run } = latestRun(dir);
  return { code: r.code, results: run.results, stdout: r.stdout + r.stderr };
}

function only(results: JourneyResult[], flavour: Flavour, browser = 'chromium', viewport = 'desktop'): JourneyResult {
  const r = results.find((x) => x.journey === FLAVOUR_JOURNEY[flavour] && x.browser.name === browser && x.viewport.name === viewport);
  assert.ok(r, `no result for ${flavour} ${browser}/${viewport}`);
  return r;
}

test('clean portal, config only: both flavours and the sign-in in an iframe pass in Chromium (desktop, android, iphone) and Firefox, every step timed', async () => {
  const { code, results } = await probeWith([], { browsers: ['chromium', 'firefox'], viewports: ['desktop', 'android', 'iphone'] }, ['classic', 'spa', 'embedded']);
  assert.equal(code, 0, JSON.stringify(results.map((r) => [r.journey, r.browser.name, r.viewport.name, r.outcome, r.errorMessage])));
  const cells = [['chromium', 'desktop'], ['chromium', 'android'], ['chromium', 'iphone'], ['firefox', 'desktop']] as const;
  for (const f of ['classic', 'spa', 'embedded'] as const) {
    for (const [b, v] of cells) {
      const r = only(results, f, b, v);
      assert.equal(r.outcome, 'passed', JSON.stringify(r));
      assert.match(r.browser.version ?? '', /^\d+\./);
      for (const s of r.steps.filter((x) => x.status !== 'skipped')) assert.ok(s.durationMs !== null && s.durationMs >= 0, `${f} ${b}/${v}: ${s.name} timed`);
    }
  }
  // The embedded sign-in ends in the top window: the dashboard there, after a real page load.
  assert.ok(only(results, 'embedded').finalUrl?.endsWith('/app/login'), 'signed out in the top window');
});

test('delay:login:1500 shows in the sign-in step and breaks its budget → degraded, exit 1', async () => {
  const { code, results } = await probeWith(['delay:login:1500'], { budgets: { 'sign in': 1200 } });
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.outcome, 'degraded', f);
    const signIn = r.steps.find((s) => s.name === 'sign in');
    assert.ok(signIn?.durationMs && signIn.durationMs >= 1500 && signIn.durationMs < 2500, `${f}: sign in took ${signIn?.durationMs}`);
    assert.equal(signIn?.overBudget, true, f);
  }
  assert.equal(code, 1);
});

test('a sign-in answered after the step timeout is Backend/integration, naming the request', async () => {
  const { results } = await probeWith([`delay:login:${STEP_MS + 2500}`]);
  const request = { classic: /POST \/login \(no answer after \d/, spa: /POST \/api\/app\/login \(no answer after \d/ };
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.failedStep, 'sign in', f);
    assert.equal(r.category, 'backend', `${f}: ${r.errorMessage}`);
    assert.equal(r.cause, 'slow-response', f);
    assert.match(r.errorMessage ?? '', request[f], f);
  }
});

test('http-error:login:503 fails at sign in as Backend/integration with the status', async () => {
  const { code, results } = await probeWith(['http-error:login:503']);
  assert.equal(code, 1);
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.outcome, 'failed', f);
    assert.equal(r.failedStep, 'sign in', f);
    assert.equal(r.category, 'backend', f);
    assert.equal(r.httpStatus, 503, f);
  }
});

test('selector-change fails at open as Browser/device (page changed)', async () => {
  const { results } = await probeWith(['selector-change']);
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.failedStep, 'open', f);
    assert.equal(r.category, 'browser-device', f);
    assert.equal(r.cause, 'page-changed', f);
  }
});

test('extra-step fails at dashboard, naming the new page', async () => {
  const { results } = await probeWith(['extra-step']);
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.failedStep, 'dashboard', f);
    assert.equal(r.category, 'browser-device', f);
    assert.match(r.errorMessage ?? '', /Updated terms of use/, f);
  }
});

test('totp-always-rejected fails at TOTP as Authentication (MFA rejected), with the portal\'s words', async () => {
  const { results } = await probeWith(['totp-always-rejected']);
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.failedStep, 'TOTP', f);
    assert.equal(r.category, 'authentication', f);
    assert.equal(r.cause, 'mfa-rejected', f);
    assert.match(r.errorText ?? '', /incorrect or has expired/, f);
  }
});

test('narrow-viewport-break fails on the phone viewport only', async () => {
  const { results } = await probeWith(['narrow-viewport-break'], { viewports: ['desktop', 'android'] });
  for (const f of FLAVOURS) {
    assert.equal(only(results, f, 'chromium', 'desktop').outcome, 'passed', f);
    const phone = only(results, f, 'chromium', 'android');
    assert.equal(phone.failedStep, 'sign in', f);
    assert.equal(phone.category, 'browser-device', f);
    assert.equal(phone.cause, 'layout-broken', f);
  }
});

test('engine-break:gecko fails in Firefox only, as a script error', async () => {
  const { results } = await probeWith(['engine-break:gecko'], { browsers: ['chromium', 'firefox'] });
  for (const f of FLAVOURS) {
    assert.equal(only(results, f, 'chromium').outcome, 'passed', f);
    const ff = only(results, f, 'firefox');
    assert.equal(ff.failedStep, 'sign in', f);
    assert.equal(ff.category, 'browser-device', f);
    assert.equal(ff.cause, 'script-error', f);
  }
});

test('lookalike-redirect is blocked before the password leaves: Network, and the portal never saw the login', async () => {
  const { results } = await probeWith(['lookalike-redirect'], { browsers: ['chromium', 'firefox'] });
  for (const f of FLAVOURS) {
    for (const b of ['chromium', 'firefox']) {
      const r = only(results, f, b);
      assert.equal(r.failedStep, 'sign in', `${f} ${b}`);
      assert.equal(r.category, 'network', `${f} ${b}`);
      assert.equal(r.cause, 'host-not-allowed', `${f} ${b}`);
      assert.match(r.errorMessage ?? '', /login-portal\.localhost/, `${f} ${b}`);
    }
  }
  const seen = portal.events().filter((e) => e.type === 'login-failed' || e.type === 'password-verified' || e.type === 'mfa-accepted');
  assert.deepEqual(seen, [], 'the look-alike host must not receive the credentials');
});

test('http-error:logout:503 fails at sign out as Backend/integration (a one-click and a three-action sign-out)', async () => {
  const { results } = await probeWith(['http-error:logout:503']);
  for (const f of FLAVOURS) {
    const r = only(results, f);
    assert.equal(r.failedStep, 'sign out', f);
    assert.equal(r.category, 'backend', f);
    assert.equal(r.httpStatus, 503, f);
  }
});
