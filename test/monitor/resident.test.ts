/**
 * The monitor's resident runner (monitor/resident.ts) against `portal-probe run`'s Playwright
 * runner, on the same config and the same demo portal, in both its flavours (server-rendered
 * and single-page), in Chromium and (where installed) Firefox. For each case — a clean
 * portal, a sign-in that answers 503, a sign-in slower than the journey's time limit — both
 * runners must record the same journeys with the same outcome, failed step and category. The
 * failures must be blamed on the sign-in as the backend's (a 503; a journey timeout while the
 * sign-in was pending), with no step after it counted. The resident runner must keep its browsers between ticks, close every context a journey opened,
 * leave no browser behind once closed, and write no secret into any file of its runs. It must
 * also launch a crashed browser again, honour `retries`, and end a check stopped in the middle of
 * its wait at once, with nothing of it (a new context, a sign-in) running on after the stop. A
 * hung browser (stopped here with SIGSTOP: it answers nothing, as a deadlocked one) must be
 * killed and replaced, and a stop whose journeys hang in it must end within the stop grace, or
 * at once on a second signal, with the hung browser's processes gone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { tempDir } from '../helpers/cli.ts';
import { flavoursPortal, physicians, secretEnv, writeConfig } from '../helpers/portal-config.ts';
import { textOfRun } from '../helpers/report-text.ts';
import { findBrowsers } from '../../core/browsers.ts';
import { runOnce } from '../../scripts/run.ts';
import { descendants, signalAll, stillRunning, type Proc } from '../../core/process-tree.ts';
import { ResidentRunner } from '../../monitor/resident.ts';
import { Interruption } from '../../scripts/interrupt.ts';
import { securityPortal, writeSecurityRun } from '../helpers/security-config.ts';
import type { JourneyResult, RunResult } from '../../core/result.ts';

const tmp = tempDir('pp-resident-');
const browsers = findBrowsers(['chromium', 'firefox']).filter((b) => b.available).map((b) => b.name);
const classic = physicians('rc', 6);
const spa = physicians('rs', 6);
const lockoutAccounts = physicians('rl', 4);
const checkAccounts = physicians('rk', 6);
const LOCKOUT_MS = 8000;
let portal: DemoPortal;
let configFile: string;
/** The same portal and journeys, in Chromium alone. */
let chromiumConfig: string;
let savedEnv: NodeJS.ProcessEnv;
const resident = new ResidentRunner();

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: [...classic, ...spa, ...lockoutAccounts, ...checkAccounts], totpPeriodS: 10, lockoutThreshold: 5, lockoutMs: LOCKOUT_MS });
  const env = secretEnv(portal, [...classic, ...spa, ...lockoutAccounts, ...checkAccounts].map((a) => a.id ?? ''));
  // The day's notice is shown once per account: acknowledged up front, every tick's journeys have the same steps.
  portal.acknowledgeToday();
  // The journey timeout is short so that a delayed sign-in outlasts it; the step timeout is longer.
  const entry = flavoursPortal(portal, { accounts: { classic: classic.map((a) => a.id ?? ''), spa: spa.map((a) => a.id ?? '') } });
  ({ configFile } = writeConfig(tmp.dir, [entry], env, { browsers, workers: 2, stepMs: 15_000, journeyMs: 9000 }));
  chromiumConfig = writeConfig(tmp.dir, [entry], env, { browsers: ['chromium'], workers: 2, stepMs: 15_000, journeyMs: 9000 }).configFile;
  savedEnv = { ...process.env };
  Object.assign(process.env, env);
});
after(async () => {
  await resident.close();
  process.env = savedEnv;
  await portal.close();
  tmp.cleanup();
});

function run(executor: ResidentRunner | undefined, label: string, config = configFile, interruption?: Interruption, stopGraceMs?: number): Promise<RunResult> {
  return runOnce({
    cwd: tmp.dir, configPath: config, faults: [], journeys: [], checks: [], labels: { case: label }, json: false, quiet: true,
    store: path.join(tmp.dir, `${label}.db`), ...(executor ? { executor } : {}), ...(interruption ? { interruption } : {}),
    ...(stopGraceMs !== undefined ? { stopGraceMs } : {}),
  });
}

/** A lockout check (and its login) on the same demo portal: the lockout lasts LOCKOUT_MS. */
function lockoutPortal(): ReturnType<typeof securityPortal> {
  const p = securityPortal(portal, { pool: lockoutAccounts.slice(0, 2).map((a) => a.id ?? ''), lockoutAccount: lockoutAccounts[2]?.id ?? '', enumAccount: lockoutAccounts[3]?.id ?? '', only: ['lockout'] });
  return { ...p, journeys: (p.journeys ?? []).map((j) => (j.kind === 'lockout' ? { ...j, duration: LOCKOUT_MS } : j)) };
}

/** What must agree between the two runners, per journey cell. */
function shape(r: RunResult): Map<string, { outcome: string; failedStep?: string | undefined; category?: string | undefined; steps: string }> {
  return new Map(r.results.map((x) => [x.id, { outcome: x.outcome, failedStep: x.failedStep, category: x.category, steps: x.steps.map((s) => `${s.name}:${s.status}`).join(',') }]));
}

/** The browsers' main processes under this process (not their helpers, which have a --type). */
function browserMains(): Proc[] {
  return descendants(process.pid).filter((p) => /chrom|firefox/i.test(p.cmdline) && !/--type=|-contentproc/.test(p.cmdline));
}
function browserProcs(): string[] {
  return browserMains().map((p) => `${p.pid}/${p.startTime}`);
}

/**
 * Runs a first tick in `runner` (Chromium only) and stops its browser with SIGSTOP: every
 * process of it (Playwright launches a browser as a process group of its own) then answers
 * nothing, as a deadlocked browser. Returns its processes, to check that they were killed.
 */
async function hungBrowser(runner: ResidentRunner, label: string): Promise<Proc[]> {
  const others = new Set(browserProcs());
  const first = await run(runner, label, chromiumConfig);
  assert.equal(first.exitCode, 0, JSON.stringify(first.results.map((x) => [x.id, x.outcome, x.reason])));
  const mains = browserMains().filter((p) => !others.has(`${p.pid}/${p.startTime}`));
  assert.equal(mains.length, 1, 'one browser for the tick');
  const group = mains.flatMap((m) => [m, ...descendants(m.pid)]);
  for (const m of mains) process.kill(-m.pid, 'SIGSTOP');
  return group;
}
async function untilGone(procs: Proc[], ms: number): Promise<Proc[]> {
  for (const end = Date.now() + ms; Date.now() < end && procs.some(stillRunning);) await sleep(100);
  return procs.filter(stillRunning);
}

function assertNoSecrets(r: RunResult): void {
  const runDir = path.join(tmp.dir, 'out', r.runId);
  const secrets = portal.accounts.flatMap((a) => [a.password, a.totpSeed]);
  for (const { file, text } of textOfRun(runDir)) {
    for (const s of secrets) assert.ok(!text.includes(s), `a secret is in ${file}`);
  }
}

test('a clean portal: the resident runner records the journeys the Playwright runner does, twice in the same browsers', { skip: browsers.length === 0 && 'no browser installed' }, async () => {
  portal.setFaults([]);
  const byRunner = await run(undefined, 'clean-runner');
  const first = await run(resident, 'clean-resident-1');
  const kept = browserProcs();
  const second = await run(resident, 'clean-resident-2');
  assert.equal(byRunner.exitCode, 0, JSON.stringify(byRunner.results.map((x) => [x.id, x.outcome, x.reason, x.errorMessage])));
  assert.equal(byRunner.results.length, 2 * browsers.length);
  for (const r of [first, second]) {
    assert.equal(r.exitCode, 0, JSON.stringify(r.results.map((x) => [x.id, x.outcome, x.reason, x.errorMessage])));
    assert.deepEqual(shape(r), shape(byRunner));
    for (const x of r.results) {
      assert.ok(x.steps.every((s) => s.status === 'skipped' || (typeof s.durationMs === 'number' && s.durationMs >= 0)), `${x.id}: every step timed`);
      assert.ok(x.account !== null && x.browser.version, `${x.id}: account and browser version`);
      assert.equal(x.browser.version, byRunner.results.find((y) => y.id === x.id)?.browser.version);
    }
    assertNoSecrets(r);
  }
  // Every context a journey opened is closed with it.
  assert.equal(await resident.openContexts(), 0);
  // One browser per engine, launched for the first tick and still the same after the second.
  assert.equal(kept.length, browsers.length, `browsers kept: ${kept.join(', ')}`);
  assert.deepEqual(browserProcs(), kept);
  // Only Playwright's runner writes an HTML report; the resident's tick folders hold results and the bundle.
  assert.ok(existsSync(path.join(tmp.dir, 'out', byRunner.runId, 'html', 'index.html')));
  assert.ok(existsSync(path.join(tmp.dir, 'out', second.runId, 'bundle.json')));

  // A browser that crashed between ticks (killed here: it is this process's child) is launched again.
  for (const p of kept) process.kill(Number(p.split('/')[0]), 'SIGKILL');
  for (let i = 0; i < 100 && await resident.liveBrowsers() > 0; i++) await sleep(100);
  assert.equal(await resident.liveBrowsers(), 0, 'the crashes were seen');
  const third = await run(resident, 'clean-resident-3');
  assert.equal(third.exitCode, 0, JSON.stringify(third.results.map((x) => [x.id, x.outcome, x.reason, x.errorMessage])));
  assert.deepEqual(shape(third), shape(byRunner));
  const relaunched = browserProcs();
  assert.equal(relaunched.length, browsers.length);
  assert.ok(relaunched.every((p) => !kept.includes(p)), 'new browsers');
});

test('a failing sign-in and a sign-in slower than the journey limit: the same failed step and category from both runners, a masked screenshot, no secret', { skip: browsers.length === 0 && 'no browser installed' }, async () => {
  for (const fault of ['http-error:login:503', 'delay:login:12000']) {
    portal.setFaults([fault]);
    const byRunner = await run(undefined, `${fault}-runner`.replace(/:/g, '-'));
    portal.setFaults([fault]);
    const byResident = await run(resident, `${fault}-resident`.replace(/:/g, '-'));
    const failed = (r: RunResult): JourneyResult[] => r.results.filter((x) => x.outcome === 'failed');
    assert.equal(failed(byRunner).length, byRunner.results.length, `${fault}: every journey fails under the runner: ${JSON.stringify(byRunner.results.map((x) => [x.id, x.outcome, x.reason]))}`);
    assert.deepEqual(shape(byResident), shape(byRunner), fault);
    for (const x of failed(byResident)) {
      assert.match(x.failedStep ?? '', /sign in/i, `${fault}: ${x.id} is blamed on the sign-in, what was pending`);
      // A 503, or a sign-in the journey's time limit ran out on: the backend's doing, either way.
      assert.equal(x.category, 'backend', `${fault}: ${x.id}: ${x.cause ?? ''}`);
      assert.equal(x.cause, fault.startsWith('delay') ? 'slow-response' : 'http-503');
      assert.ok(!(x.errorMessage ?? '').includes('\u001b'), 'no colour codes in the message');
      const at = x.steps.findIndex((s) => s.name === x.failedStep);
      assert.equal(x.steps[at]?.status, 'failed', `${x.id}: the sign-in failed: ${JSON.stringify(x.steps)}`);
      assert.ok(x.steps.slice(at + 1).every((s) => s.status === 'not-reached'), `${x.id}: nothing after the failed step ran: ${JSON.stringify(x.steps)}`);
      const shot = x.artifacts.screenshot;
      assert.ok(shot && existsSync(shot) && shot.startsWith(path.join(tmp.dir, 'out', byResident.runId)), `${x.id}: its screenshot in its run folder`);
    }
    assertNoSecrets(byResident);
    assert.equal(await resident.openContexts(), 0, `${fault}: a timed-out journey's contexts are closed too`);
  }
  portal.setFaults([]);
});

test('retries: a journey that fails is tried again, each try its own screenshot; the result says how many', { skip: browsers.length === 0 && 'no browser installed' }, async () => {
  const withRetry = path.join(tmp.dir, 'retries.config.json');
  writeFileSync(withRetry, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')) as object, retries: 1 }));
  portal.setFaults(['http-error:login:503']);
  const r = await run(resident, 'retries', withRetry);
  portal.setFaults([]);
  assert.equal(r.exitCode, 1);
  assert.equal(r.results.length, 2 * browsers.length);
  for (const x of r.results) {
    assert.equal(x.outcome, 'failed', x.id);
    assert.equal(x.retries, 1, `${x.id}: tried twice`);
    assert.match(x.artifacts.screenshot ?? '', /-retry1[/\\]failure\.png$/, `${x.id}: the last try's screenshot`);
  }
  assert.equal(await resident.openContexts(), 0);
});

test('a stop in the middle of a check ends it at once: nothing of it runs on after, no context is left, its account is not used again', { skip: !browsers.includes('chromium') && 'no Chromium installed' }, async () => {
  const lockoutId = lockoutAccounts[2]?.id ?? '';
  const { configFile: lockoutConfig } = writeSecurityRun(tmp.dir, [{ ...lockoutPortal(), name: 'lockout-portal' }], {}, { workers: 1 });
  const interruption = new Interruption();
  const runner = new ResidentRunner();
  try {
    const ticking = run(runner, 'stopped', lockoutConfig, interruption);
    // Locked: the check now waits out the lockout (8 s), then signs in again in a new context.
    for (let i = 0; i < 300 && !portal.events().some((e) => e.type === 'login-locked' && e.account === lockoutId); i++) await sleep(100);
    assert.ok(portal.events().some((e) => e.type === 'login-locked' && e.account === lockoutId), 'the check locked its account');
    await sleep(1000);
    // The stop must end the check by itself, not by its browser being closed under it (the stop grace).
    const procs = browserProcs();
    const stopAt = Date.now();
    process.emit('SIGTERM', 'SIGTERM');
    const r = await ticking;
    assert.ok(Date.now() - stopAt < 8000, `the run ended ${Date.now() - stopAt} ms after the stop`);
    assert.equal(r.exitCode, 143);
    const check = r.results.find((x) => x.journey === 'lockout');
    assert.equal(check?.outcome, 'not-run', JSON.stringify(check));
    assert.equal(await runner.openContexts(), 0);
    // Past the moment the check would have signed in again: it never did, and opened nothing.
    await sleep(Math.max(0, stopAt + LOCKOUT_MS + 5000 - Date.now()));
    assert.equal(await runner.openContexts(), 0, 'no context opened after the stop');
    assert.equal(await runner.liveBrowsers(), 1, 'its browser still up');
    assert.deepEqual(browserProcs(), procs, 'the same browsers');
    const later = portal.events().filter((e) => e.account === lockoutId && Date.parse(e.at) > stopAt);
    assert.deepEqual(later, [], 'the account was not used after the stop');
  } finally {
    interruption.dispose();
    await runner.close();
  }
});

test('a hung browser is killed and replaced: the journeys stuck in it are harness errors, the next ones run in a new browser', { skip: !browsers.includes('chromium') && 'no Chromium installed' }, async () => {
  portal.setFaults([]);
  // Shorter bounds than the daemon's (15 s to close the contexts, 5 s to close the browser), to keep the test short.
  const runner = new ResidentRunner({ settleMs: 5000, closeMs: 2000 });
  let hung: Proc[] = [];
  try {
    hung = await hungBrowser(runner, 'hang-1');
    const stuck = await run(runner, 'hang-2', chromiumConfig);
    // Both journeys of the tick waited on the stopped browser for a context: the journey limit
    // (9 s) ran out while the session was opening, which is the harness's fault, not the portal's.
    assert.equal(stuck.results.length, 2);
    for (const x of stuck.results) {
      assert.equal(x.outcome, 'error', JSON.stringify([x.id, x.outcome, x.reason, x.errorMessage]));
      assert.match(x.reason ?? '', /while opening the session/, x.id);
    }
    assert.deepEqual((await untilGone(hung, 10_000)).map((p) => p.cmdline.slice(0, 80)), [], 'the hung browser was killed, every process of it');
    const next = await run(runner, 'hang-3', chromiumConfig);
    assert.equal(next.exitCode, 0, JSON.stringify(next.results.map((x) => [x.id, x.outcome, x.reason])));
    assert.equal(next.results.filter((x) => x.outcome === 'passed').length, 2);
    assert.equal(await runner.liveBrowsers(), 1, 'a new browser in its place');
    assert.equal(await runner.openContexts(), 0);
  } finally {
    // Whatever of it a failed test left: killed, it was this test's.
    signalAll(hung, 'SIGKILL');
    await runner.close();
  }
});

for (const [how, graceMs, signals] of [['once the stop grace is spent', 2000, 1], ['at once on a second signal', 60_000, 2]] as const) {
  test(`a stop while the journeys hang in their browser: the browser is killed ${how}, and the run ends`, { skip: !browsers.includes('chromium') && 'no Chromium installed' }, async () => {
    portal.setFaults([]);
    // The daemon's 15 s for a journey's contexts to close; 2 s (not 5) for a browser to close before it is killed.
    const runner = new ResidentRunner({ closeMs: 2000 });
    const interruption = new Interruption();
    let hung: Proc[] = [];
    try {
      hung = await hungBrowser(runner, `stop-hung-${signals}`);
      const ticking = run(runner, `stop-hung-${signals}-2`, chromiumConfig, interruption, graceMs);
      await sleep(1500);
      const stopAt = Date.now();
      process.emit('SIGTERM', 'SIGTERM');
      if (signals === 2) {
        // After the window in which a repeat is the same signal delivered twice (1 s).
        await sleep(1100);
        process.emit('SIGTERM', 'SIGTERM');
      }
      const r = await ticking;
      const tookMs = Date.now() - stopAt;
      assert.equal(r.exitCode, 143);
      // The grace (or the second signal), then 2 s for the browser to close before it is killed;
      // without the kill the journeys would wait the 15 s a context is given to close.
      assert.ok(tookMs < 10_000, `the run ended ${tookMs} ms after the stop`);
      assert.ok(r.results.every((x) => x.outcome !== 'passed'), JSON.stringify(r.results.map((x) => [x.id, x.outcome])));
      assert.deepEqual((await untilGone(hung, 5000)).map((p) => p.cmdline.slice(0, 80)), [], 'the hung browser was killed');
      assert.equal(await runner.liveBrowsers(), 0);
    } finally {
      interruption.dispose();
      signalAll(hung, 'SIGKILL');
      await runner.close();
    }
  });
}

test('Firefox, two journeys at once, checks that open more sessions: every check passes, every context is closed', { skip: !browsers.includes('firefox') && 'no Firefox installed' }, async () => {
  // Each of these checks signs in again in a context of its own (a replay of the session's
  // cookies, a second sign-in with the same code): with two at once, contexts are created side
  // by side in one Firefox (WebDriver BiDi), which the runner's per-engine queue must serialise.
  const ids = checkAccounts.map((a) => a.id ?? '');
  const p = securityPortal(portal, { name: 'checks-portal', pool: ids.slice(0, 4), lockoutAccount: ids[4] ?? '', enumAccount: ids[5] ?? '', only: ['logout-ends-session', 'session-rotation', 'totp-single-use', 'cache-policy'] });
  const { configFile: checks } = writeSecurityRun(tmp.dir, [p], {}, { workers: 2 });
  writeFileSync(checks, JSON.stringify({ ...JSON.parse(readFileSync(checks, 'utf8')) as object, browsers: ['firefox'] }));
  portal.setFaults([]);
  const runner = new ResidentRunner();
  try {
    const r = await run(runner, 'firefox-checks', checks);
    const seen = JSON.stringify(r.results.map((x) => [x.journey, x.outcome, x.cause, x.errorMessage]));
    assert.equal(r.results.length, 5, seen);
    assert.equal(r.exitCode, 0, seen);
    assert.ok(r.results.every((x) => x.outcome === 'passed' && x.browser.name === 'firefox'), seen);
    assert.equal(await runner.openContexts(), 0);
    assertNoSecrets(r);
  } finally {
    await runner.close();
  }
});

test('closing the resident runner ends its browsers; a tick after that is a harness error, not a portal failure', { skip: browsers.length === 0 && 'no browser installed' }, async () => {
  const runner = new ResidentRunner();
  portal.setFaults([]);
  assert.equal((await run(runner, 'before-close')).exitCode, 0);
  assert.ok(browserProcs().length > 0);
  await runner.close();
  await resident.close();
  for (let i = 0; i < 50 && browserProcs().length > 0; i++) await sleep(100);
  assert.deepEqual(browserProcs(), []);
  const r = await run(runner, 'closed');
  assert.equal(r.exitCode, 2);
  assert.ok(r.results.length > 0 && r.results.every((x) => x.outcome === 'error' && /closed/.test(x.reason ?? '')), JSON.stringify(r.results.map((x) => [x.outcome, x.reason])));
});
