/**
 * Eight browsers (4 Chromium + 4 Firefox workers) log in to ONE account at once. The
 * portal accepts each TOTP code once; the cross-process reservation must hand every
 * browser its own time step, so all eight pass and the portal sees no replay. One
 * account yields 3 codes at once (±1 step) and then one per step; with 10 s steps here,
 * that is about a minute.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';

let portal: DemoPortal;
const tmp = tempDir();
// 10 s time steps (the config follows the portal's): the same contention, a third of the waiting.
before(async () => { portal = await startDemoPortal({ https: false, accounts: physicians('shared', 1), totpPeriodS: 10 }); });
after(async () => {
  await portal.close();
  tmp.cleanup();
});

test('8 parallel logins to one account never collide on a TOTP code', async () => {
  const setup = writeProviderConfig(tmp.dir, portal, { accountIds: ['shared1'], journeys: 4, browsers: ['chromium', 'firefox'], workers: 8, stepMs: 10_000, journeyMs: 300_000 });
  const r = await runCli(['run', '--config', setup.configFile], { cwd: tmp.dir, env: setup.env, timeoutMs: 420_000 });
  const { run } = latestRun(setup.outputDir);
  assert.equal(run.results.length, 8);
  for (const x of run.results) assert.equal(x.outcome, 'passed', `${x.id}: ${x.errorText ?? x.errorMessage ?? x.reason}`);
  assert.equal(r.code, 0);
  const events = portal.events();
  assert.equal(events.filter((e) => e.type === 'mfa-accepted').length, 8);
  assert.equal(events.filter((e) => e.type === 'mfa-replay' || e.type === 'mfa-rejected').length, 0);
});
