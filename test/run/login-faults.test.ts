/**
 * Each login-related demo-portal fault must fail the journey at the right step with the
 * right help-desk category — and only where it should (one engine, one viewport).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';
import type { JourneyResult } from '../../core/result.ts';

let portal: DemoPortal;
const tmp = tempDir();
let accountNo = 0;

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('fault', 12) });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

/** Runs one probe against the portal with `faults` set; each run gets its own account. */
async function probeWith(faults: string[], o: Parameters<typeof writeProviderConfig>[2] = {}): Promise<{ code: number; results: JourneyResult[]; stdout: string }> {
  portal.setFaults(faults);
  portal.reset();
  accountNo += 1;
  const dir = `${tmp.dir}/run-${accountNo}`;
  const setup = writeProviderConfig(tmp.dir + '/', portal, { accountIds: [`fault${accountNo}`], ...o });
  const r = await runCli(['run', '--config', setup.configFile, '--output', dir], { cwd: tmp.dir, env: setup.env });
  const { run } = latestRun(dir);
  return { code: r.code, results: run.results, stdout: r.stdout + r.stderr };
}

function only(results: JourneyResult[], browser: string, viewport = 'desktop'): JourneyResult {
  const r = results.find((x) => x.browser.name === browser && x.viewport.name === viewport);
  assert.ok(r, `no result for ${browser}/${viewport}`);
  return r;
}

test('clean portal: passes in Chromium and Firefox with every step timed', async () => {
  const { code, results } = await probeWith([], { browsers: ['chromium', 'firefox'] });
  assert.equal(code, 0);
  for (const b of ['chromium', 'firefox']) {
    const r = only(results, b);
    assert.equal(r.outcome, 'passed', JSON.stringify(r));
    assert.match(r.browser.version ?? '', /^\d+\./);
    for (const s of r.steps.filter((x) => x.status !== 'skipped')) assert.ok(s.durationMs !== null && s.durationMs >= 0, `${s.name} timed`);
  }
});

test('delay:login:1500 shows in the sign-in step and breaks its budget → degraded, exit 1', async () => {
  const { code, results } = await probeWith(['delay:login:1500'], { budgets: { 'sign in': 1200 } });
  const r = only(results, 'chromium');
  assert.equal(r.outcome, 'degraded');
  const signIn = r.steps.find((s) => s.name === 'sign in');
  assert.ok(signIn?.durationMs && signIn.durationMs >= 1500, `sign in took ${signIn?.durationMs}`);
  assert.equal(signIn?.overBudget, true);
  assert.equal(code, 1);
});

test('http-error:login:503 fails at sign in as Backend/integration', async () => {
  const { code, results } = await probeWith(['http-error:login:503']);
  const r = only(results, 'chromium');
  assert.equal(code, 1);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.failedStep, 'sign in');
  assert.equal(r.category, 'backend');
  assert.equal(r.httpStatus, 503);
});

test('selector-change fails at open as Browser/device (page changed)', async () => {
  const { results } = await probeWith(['selector-change']);
  const r = only(results, 'chromium');
  assert.equal(r.failedStep, 'open');
  assert.equal(r.category, 'browser-device');
  assert.equal(r.cause, 'page-changed');
});

test('extra-step fails at dashboard, naming the new page', async () => {
  const { results } = await probeWith(['extra-step']);
  const r = only(results, 'chromium');
  assert.equal(r.failedStep, 'dashboard');
  assert.equal(r.category, 'browser-device');
  assert.match(r.errorMessage ?? '', /Updated terms of use/);
});

test('totp-always-rejected fails at TOTP as Authentication (MFA rejected)', async () => {
  const { results } = await probeWith(['totp-always-rejected']);
  const r = only(results, 'chromium');
  assert.equal(r.failedStep, 'TOTP');
  assert.equal(r.category, 'authentication');
  assert.equal(r.cause, 'mfa-rejected');
  assert.match(r.errorText ?? '', /incorrect or has expired/);
});

test('narrow-viewport-break fails on the phone viewport only', async () => {
  const { results } = await probeWith(['narrow-viewport-break'], { viewports: ['desktop', 'android'] });
  assert.equal(only(results, 'chromium', 'desktop').outcome, 'passed');
  const phone = only(results, 'chromium', 'android');
  assert.equal(phone.failedStep, 'sign in');
  assert.equal(phone.category, 'browser-device');
  assert.equal(phone.cause, 'layout-broken');
});

test('engine-break:gecko fails in Firefox only, as a script error', async () => {
  const { results } = await probeWith(['engine-break:gecko'], { browsers: ['chromium', 'firefox'] });
  assert.equal(only(results, 'chromium').outcome, 'passed');
  const ff = only(results, 'firefox');
  assert.equal(ff.failedStep, 'sign in');
  assert.equal(ff.category, 'browser-device');
  assert.equal(ff.cause, 'script-error');
});

test('lookalike-redirect is blocked before the password leaves: Network, and the portal never saw the login', async () => {
  const { results } = await probeWith(['lookalike-redirect'], { browsers: ['chromium', 'firefox'] });
  for (const b of ['chromium', 'firefox']) {
    const r = only(results, b);
    assert.equal(r.failedStep, 'sign in', b);
    assert.equal(r.category, 'network', b);
    assert.equal(r.cause, 'host-not-allowed', b);
    assert.match(r.errorMessage ?? '', /login-portal\.localhost/, b);
  }
  const seen = portal.events().filter((e) => e.type === 'login-failed' || e.type === 'password-verified' || e.type === 'mfa-accepted');
  assert.deepEqual(seen, [], 'the look-alike host must not receive the credentials');
});
