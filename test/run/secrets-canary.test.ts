/**
 * Canaries: a password, a TOTP seed, the 8-digit codes typed, and a patient's name must
 * appear in no file a run writes — results, log, plan, JUnit, Playwright's error context
 * and page snapshot, the HTML report's data (zips included), the bundle manifest, and what
 * merge and the compatibility report make of the run — nor in its output, whether
 * journeys pass or fail. Failures are planted at every step of both demo flavours, after
 * the password or the code has been typed where the step types one, in both browsers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateSync } from 'otplib';
import type { JourneyStep, LocatorSpec } from '../../config/schema.ts';
import { providerLoginSteps, spaLoginSteps } from '../../config/demo.config.ts';
import { stepNames } from '../../config/step-names.ts';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { allFiles, latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { flavoursPortal, physicians, secretEnv, writeConfig } from '../helpers/portal-config.ts';
import { textOfRun } from '../helpers/report-text.ts';

const canaryPassword = `Canary-${randomBytes(6).toString('hex')}-Pw!`;
const canaryPatient = `Zanzibar Q${randomBytes(3).toString('hex')} Canary`;
const MISSING: LocatorSpec = { testId: 'pp-canary-missing' };
let portal: DemoPortal;
const tmp = tempDir();

const steps: Record<'classic' | 'spa', JourneyStep[]> = { classic: providerLoginSteps('username', 'Dashboard'), spa: spaLoginSteps('Dashboard') };

/**
 * The journey broken at step `i`: its action's target (so what was typed before is still on
 * the page), a TOTP step's submit (the code is typed), a logout's first action (the
 * dashboard, with patient data, is on screen), or an open step's expectation.
 */
function brokenAt(all: JourneyStep[], i: number): JourneyStep[] {
  return all.map((s, k): JourneyStep => {
    if (k !== i) return s;
    switch (s.step) {
      case 'open': return { ...s, expect: MISSING };
      case 'totp': return { ...s, submit: MISSING };
      case 'interstitial': return { ...s, click: MISSING };
      case 'logout': return { step: 'logout', name: s.name, actions: [{ click: MISSING }], expect: s.expect };
      case 'fill': case 'submit': case 'assert': return { ...s, target: MISSING };
      default: return s;
    }
  });
}

before(async () => {
  portal = await startDemoPortal({ https: false, totpDigits: 8, patients: [canaryPatient], accounts: physicians('canary', 40, () => canaryPassword) });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

test('no secret, code or patient name in any file or output, with a failure at every step of both flavours, in Chromium and Firefox', async () => {
  let next = 0;
  const ids: string[] = [];
  const portals = (['classic', 'spa'] as const).map((f) => {
    const journeys = [-1, ...steps[f].map((_, i) => i)].map((i) => {
      const id = `canary${++next}`;
      ids.push(id);
      return { i, id, steps: i < 0 ? steps[f] : brokenAt(steps[f], i) };
    });
    const base = flavoursPortal(portal, { accounts: { [f]: journeys.map((j) => j.id) }, name: `canary-${f}`, digits: 8 });
    return {
      ...base,
      accounts: base.accounts?.map((a) => ({ ...a, pool: undefined })),
      journeys: journeys.map((j) => ({
        kind: 'login' as const, name: j.i < 0 ? 'passes' : `fails at ${stepNames(steps[f])[j.i]}`, use: { account: j.id }, steps: j.steps,
      })),
    };
  });
  const setup = writeConfig(tmp.dir, portals, secretEnv(portal, ids), { browsers: ['chromium', 'firefox'], stepMs: 3000, workers: 2 });
  const startedAt = Date.now();
  const out = path.join(tmp.dir, 'out');
  const r = await runCli(['run', '--config', setup.configFile, '--output', out], { cwd: tmp.dir, env: setup.env, timeoutMs: 600_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const { run, runDir } = latestRun(out);

  // Every planted failure happened where it was planted (the acknowledgment shows once a day
  // per account, so its journey fails there in the first browser and passes in the second).
  for (const p of portals) {
    for (const j of p.journeys) {
      const rs = run.results.filter((x) => x.portal === p.name && x.journey === j.name);
      assert.equal(rs.length, 2, `${p.name} ${j.name}: one result per browser`);
      const want = j.name === 'passes' ? undefined : j.name.slice('fails at '.length);
      if (want === undefined) assert.ok(rs.every((x) => x.outcome === 'passed'), `${p.name}: ${JSON.stringify(rs.map((x) => x.errorMessage))}`);
      else if (want === 'acknowledge') assert.ok(rs.some((x) => x.failedStep === want), `${p.name} ${j.name}`);
      else assert.ok(rs.every((x) => x.failedStep === want), `${p.name} ${j.name}: ${JSON.stringify(rs.map((x) => [x.failedStep, x.errorMessage]))}`);
    }
  }
  assert.ok(allFiles(runDir).some((f) => f.endsWith('error-context.md')), 'Playwright wrote its error context (so it was searched)');
  assert.ok(allFiles(runDir).some((f) => f.endsWith('.png')), 'failure screenshots were taken');
  assert.ok(existsSync(path.join(runDir, 'html', 'index.html')));
  assert.ok(readFileSync(path.join(runDir, 'portal-probe.log'), 'utf8').includes('run finished'));

  // Every 8-digit code any canary account could have typed during the run.
  const codes = new Set<string>();
  const seeds = portal.accounts.filter((a) => ids.includes(a.id)).map((a) => a.totpSeed);
  for (let step = Math.floor(startedAt / 30_000) - 2; step <= Math.floor(Date.now() / 30_000) + 2; step++) {
    for (const secret of seeds) codes.add(generateSync({ secret, epoch: step * 30, digits: 8 }));
  }
  // The history store is a file the run writes too (its WAL included).
  const history = textOfRun(path.join(tmp.dir, '.portal-probe'));
  assert.ok(history.some((t) => t.file.endsWith('history.db')), 'the history store was written (so it was searched)');
  // The run's bundle merged, and the compatibility report of it (HTML, Markdown, JSON): files people attach to tickets.
  const merged = await runCli(['merge', runDir, '--output', path.join(tmp.dir, 'merged'), '--config', setup.configFile], { cwd: tmp.dir, env: setup.env });
  assert.equal(merged.code, 1, merged.stdout + merged.stderr);
  const report = await runCli(['report', '--output', path.join(tmp.dir, 'report'), '--config', setup.configFile], { cwd: tmp.dir, env: setup.env });
  assert.equal(report.code, 0, report.stdout + report.stderr);
  const derived = [...textOfRun(path.join(tmp.dir, 'merged')), ...textOfRun(path.join(tmp.dir, 'report'))];
  assert.ok(derived.some((t) => t.file.endsWith('report.html')) && derived.some((t) => t.file.endsWith('bundle.json') || t.file.endsWith('results.json')), 'the merge and report files were searched');
  assert.ok(textOfRun(runDir).some((t) => t.file.endsWith('bundle.json')), 'the bundle manifest was searched');
  const texts = [
    { file: 'stdout+stderr', text: r.stdout + r.stderr }, { file: 'merge and report output', text: merged.stdout + merged.stderr + report.stdout + report.stderr },
    ...textOfRun(runDir), ...history, ...derived,
  ];
  assert.ok(texts.some((t) => t.file.includes('!')), 'the HTML report data was unpacked and searched');
  assert.ok(texts.some((t) => t.file.endsWith('error-context.md') && t.text.includes('patient data removed')), 'page snapshots were kept, blanked');
  for (const { file, text } of texts) {
    assert.ok(!text.includes(canaryPassword), `password canary found in ${file}`);
    assert.ok(!text.includes(canaryPatient), `patient canary found in ${file}`);
    for (const seed of seeds) assert.ok(!text.includes(seed), `TOTP seed found in ${file}`);
    // Not inside a longer number (a log line's epoch milliseconds has 13 digits).
    for (const code of codes) assert.ok(!new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text), `a TOTP code (${code}) found in ${file}`);
  }
});
