/**
 * The monitor's resident runner (monitor/resident.ts) against `portal-probe run`'s Playwright
 * runner, on the same config and the same demo portal, in both its flavours (server-rendered
 * and single-page), in Chromium and (where installed) Firefox. For each case — a clean
 * portal, a sign-in that answers 503, a sign-in slower than the journey's time limit — both
 * runners must record the same journeys with the same outcome, failed step and category. The
 * failures must be blamed on the sign-in as the backend's (a 503; a journey timeout while the
 * sign-in was pending), with no step after it counted. The resident runner must keep its browsers between ticks, close every context a journey opened,
 * leave no browser behind once closed, and write no secret into any file of its runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { tempDir } from '../helpers/cli.ts';
import { flavoursPortal, physicians, secretEnv, writeConfig } from '../helpers/portal-config.ts';
import { textOfRun } from '../helpers/report-text.ts';
import { findBrowsers } from '../../core/browsers.ts';
import { runOnce } from '../../scripts/run.ts';
import { descendants } from '../../scripts/process-tree.ts';
import { ResidentRunner } from '../../monitor/resident.ts';
import type { JourneyResult, RunResult } from '../../core/result.ts';

const tmp = tempDir('pp-resident-');
const browsers = findBrowsers(['chromium', 'firefox']).filter((b) => b.available).map((b) => b.name);
const classic = physicians('rc', 6);
const spa = physicians('rs', 6);
let portal: DemoPortal;
let configFile: string;
let savedEnv: NodeJS.ProcessEnv;
const resident = new ResidentRunner();

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: [...classic, ...spa], totpPeriodS: 10 });
  const env = secretEnv(portal, [...classic, ...spa].map((a) => a.id ?? ''));
  // The journey timeout is short so that a delayed sign-in outlasts it; the step timeout is longer.
  ({ configFile } = writeConfig(tmp.dir, [flavoursPortal(portal, { accounts: { classic: classic.map((a) => a.id ?? ''), spa: spa.map((a) => a.id ?? '') } })], env, {
    browsers, workers: 2, stepMs: 15_000, journeyMs: 9000,
  }));
  savedEnv = { ...process.env };
  Object.assign(process.env, env);
});
after(async () => {
  await resident.close();
  process.env = savedEnv;
  await portal.close();
  tmp.cleanup();
});

function run(executor: ResidentRunner | undefined, label: string): Promise<RunResult> {
  return runOnce({
    cwd: tmp.dir, configPath: configFile, faults: [], journeys: [], checks: [], labels: { case: label }, json: false, quiet: true,
    store: path.join(tmp.dir, `${label}.db`), ...(executor ? { executor } : {}),
  });
}

/** What must agree between the two runners, per journey cell. */
function shape(r: RunResult): Map<string, { outcome: string; failedStep?: string | undefined; category?: string | undefined; steps: string }> {
  return new Map(r.results.map((x) => [x.id, { outcome: x.outcome, failedStep: x.failedStep, category: x.category, steps: x.steps.map((s) => `${s.name}:${s.status}`).join(',') }]));
}

/** The browsers' main processes under this process (not their helpers, which have a --type). */
function browserProcs(): string[] {
  return descendants(process.pid).filter((p) => /chrom|firefox/i.test(p.cmdline) && !/--type=|-contentproc/.test(p.cmdline)).map((p) => `${p.pid}/${p.startTime}`);
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
      assert.ok(x.steps.every((s) => typeof s.durationMs === 'number' && s.durationMs >= 0), `${x.id}: every step timed`);
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
      assert.deepEqual(x.steps.filter((s) => s.status === 'passed' || s.status === 'failed').map((s) => s.status).slice(-1), ['failed'], `${x.id}: nothing after the failed step ran`);
      const shot = x.artifacts.screenshot;
      assert.ok(shot && existsSync(shot) && shot.startsWith(path.join(tmp.dir, 'out', byResident.runId)), `${x.id}: its screenshot in its run folder`);
    }
    assertNoSecrets(byResident);
    assert.equal(await resident.openContexts(), 0, `${fault}: a timed-out journey's contexts are closed too`);
  }
  portal.setFaults([]);
});

test('closing the resident runner ends its browsers; a tick after that is a harness error, not a portal failure', { skip: browsers.length === 0 && 'no browser installed' }, async () => {
  assert.ok(browserProcs().length > 0);
  await resident.close();
  for (let i = 0; i < 50 && browserProcs().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(browserProcs(), []);
  const r = await run(resident, 'closed');
  assert.equal(r.exitCode, 2);
  assert.ok(r.results.length > 0 && r.results.every((x) => x.outcome === 'error' && /closed/.test(x.reason ?? '')), JSON.stringify(r.results.map((x) => [x.outcome, x.reason])));
});
