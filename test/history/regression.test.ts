/**
 * History against the demo portal, in real Chromium and Firefox, with a real database file:
 * clean runs build a baseline and are never called regressions; `delay:mfa:400` makes the
 * TOTP step a regression in each browser (that step only), the run degraded and exit 1;
 * the gate passes clean-vs-clean (exit 0), catches the slowdown (exit 1, Markdown, JUnit,
 * $GITHUB_STEP_SUMMARY), and names the vendor's new page for `extra-step` (exit 1).
 * The window is the smallest allowed (N = k = 5) so that few runs decide. One worker runs the
 * two browsers in turn: with two browsers on two saturated cores, CI once drifted a 5-sample
 * median by about 150 ms between phases (TOTP 432 ms in one clean phase, 286 ms in the next),
 * so the 400 ms delay showed as +254 ms, under the 300 ms floor of the time. With one worker
 * the phases drifted by under 100 ms here, and the practical floor max(20 %, 200 ms) sits
 * between that drift and the delay.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';
import type { RunResult } from '../../core/result.ts';

let portal: DemoPortal;
const tmp = tempDir();
let configFile = '';
let env: Record<string, string> = {};
const store = (): string => path.join(tmp.dir, 'history.db');

before(async () => {
  // Ten accounts for two logins a run: no login waits for a TOTP step.
  portal = await startDemoPortal({ https: false, accounts: physicians('hist', 10) });
  const setup = writeProviderConfig(tmp.dir, portal, { accountIds: Array.from({ length: 10 }, (_, i) => `hist${i + 1}`), browsers: ['chromium', 'firefox'], workers: 1, stepMs: 8000 });
  const config = JSON.parse(readFileSync(setup.configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(setup.configFile, JSON.stringify({ ...config, store: store(), location: 'test-lab', history: { window: 5, recent: 5, minAbsoluteMs: 200, minRelative: 0.2, correction: 'none' } }, null, 2));
  configFile = setup.configFile;
  env = setup.env;
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

async function probe(phase: string, faults: string[] = []): Promise<{ code: number; run: RunResult; out: string }> {
  portal.setFaults(faults);
  const out = path.join(tmp.dir, `out-${phase}`);
  const r = await runCli(['run', '--config', configFile, '--output', out, '--label', `phase=${phase}`], { cwd: tmp.dir, env });
  return { code: r.code, run: latestRun(out).run, out: r.stdout + r.stderr };
}

async function gate(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const r = await runCli(['gate', '--config', configFile, ...args], { cwd: tmp.dir, env: { ...env, ...extraEnv } });
  return { code: r.code, out: r.stdout + r.stderr };
}

const ids: Record<string, string[]> = {};
const regressedSteps = (run: RunResult): string[] => run.results.flatMap((r) => (r.verdict?.steps ?? []).filter((s) => s.verdict === 'regressed').map((s) => `${r.browser.name}:${s.step}`));

test('clean runs: a baseline builds up, results.json carries baseline, verdict, host and location, and nothing is a regression', async () => {
  for (const phase of ['base1', 'base1', 'base1', 'base1', 'base1', 'base2', 'base2', 'base2', 'base2', 'base2']) {
    const { code, run, out } = await probe(phase);
    assert.equal(code, 0, out);
    assert.deepEqual(regressedSteps(run), [], out);
    assert.equal(run.location, 'test-lab');
    assert.ok(run.host.length > 0);
    assert.equal(run.store?.recorded, true, out);
    for (const r of run.results) assert.ok(r.verdict && r.baseline, `${r.id} has a verdict and a baseline`);
    (ids[phase] ??= []).push(run.runId);
  }
  // The tenth run had a full window: its verdicts were decided, not "too few samples".
  const { run } = latestRun(path.join(tmp.dir, 'out-base2'));
  for (const r of run.results) {
    assert.equal(r.verdict?.verdict, 'ok', `${r.id}: ${r.verdict?.reason}`);
    assert.equal(r.baseline?.steps.TOTP?.count, 5);
  }
  const history = await runCli(['history', '--config', configFile, '--journey', 'physician login'], { cwd: tmp.dir, env });
  assert.equal(history.code, 0, history.stderr);
  assert.match(history.stdout, /test-portal › physician login {2}firefox\/desktop @test-lab {2}\(10 run\(s\)/);
  assert.match(history.stdout, /TOTP +\d+ ms +±\d+ ms +\d+ ms +10 +[▁▂▃▄▅▆▇█]{10}/);
});

test('a 400 ms slower TOTP step is a regression of that step only, in each browser; the run is degraded and exits 1', async () => {
  let last: Awaited<ReturnType<typeof probe>> | undefined;
  for (let i = 0; i < 5; i++) {
    last = await probe('slow', ['delay:mfa:400']);
    for (const s of regressedSteps(last.run)) assert.match(s, /:TOTP$/, `only TOTP may regress: ${s}\n${last.out}`);
    (ids.slow ??= []).push(last.run.runId);
  }
  assert.ok(last);
  assert.deepEqual(regressedSteps(last.run).sort(), ['chromium:TOTP', 'firefox:TOTP'], last.out);
  assert.equal(last.code, 1, last.out);
  for (const r of last.run.results) {
    assert.equal(r.outcome, 'degraded');
    assert.match(r.reason ?? '', /regression: step "TOTP" slower by \d+ ms/);
  }
  assert.equal(last.run.regressions, 2);
  assert.match(last.out, /Regressions: 2/);
  assert.match(last.out, /▲ test-portal › physician login {2}chromium\/desktop: step "TOTP" slower by/);
  const quiet = await runCli(['run', '--config', configFile, '--output', path.join(tmp.dir, 'out-quiet'), '--no-regression-exit', '--label', 'phase=quiet'], { cwd: tmp.dir, env: { ...env } });
  assert.equal(quiet.code, 0, `--no-regression-exit: ${quiet.stdout}`);
});

test('the gate: clean against clean exits 0; the slowdown exits 1 with the diff in Markdown and JUnit; a vendor interstitial is a new failure naming its page', async () => {
  portal.setFaults([]);
  const clean = await gate(['--baseline', 'phase=base1', '--candidate', 'phase=base2']);
  assert.equal(clean.code, 0, clean.out);
  assert.match(clean.out, /0 regressed, 0 failing, 0 inconclusive, 2 cell\(s\): ok/);

  const summary = path.join(tmp.dir, 'gate.md');
  const junit = path.join(tmp.dir, 'gate.xml');
  const stepSummary = path.join(tmp.dir, 'step-summary.md');
  const slow = await gate(['--baseline', 'phase=base2', '--candidate', 'phase=slow', '--summary', summary, '--junit', junit], { GITHUB_STEP_SUMMARY: stepSummary });
  assert.equal(slow.code, 1, slow.out);
  assert.match(slow.out, /test-portal › physician login {2}chromium\/desktop @test-lab: REGRESSED — step "TOTP" slower by/);
  assert.match(slow.out, /test-portal › physician login {2}firefox\/desktop @test-lab: REGRESSED — step "TOTP" slower by/);
  assert.doesNotMatch(slow.out, /step "(open|username|password|sign in|acknowledge|dashboard|sign out)" slower/);
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^## portal-probe gate: REGRESSED/);
  assert.match(md, /\| TOTP \| \d+ ms \| \d+ ms \| \+\d+ ms \| 5\/5 \| REGRESSED \|/);
  assert.equal(readFileSync(stepSummary, 'utf8'), md);
  const xml = readFileSync(junit, 'utf8');
  assert.equal((xml.match(/<failure /g) ?? []).length, 2);
  assert.match(xml, /step &quot;TOTP&quot; slower by|step "TOTP" slower by/);

  const update = await probe('update', ['extra-step']);
  assert.equal(update.code, 1);
  const vendor = await gate(['--baseline', 'phase=base2', '--candidate', 'phase=update']);
  assert.equal(vendor.code, 1, vendor.out);
  assert.match(vendor.out, /passed before; now fails at "dashboard": browser-device — .*Updated terms of use/);

  const accepted = await gate(['--accept', '--candidate', 'phase=slow']);
  assert.equal(accepted.code, 0, accepted.out);
  assert.match(accepted.out, /Accepted 5 candidate run\(s\) as the new normal/);
  assert.ok(existsSync(store()));
});
