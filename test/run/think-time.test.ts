/**
 * Think time (`thinkTimeMs`) pauses before every step after the first and is counted in no
 * step: the journey grows by it, the steps do not.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';

let portal: DemoPortal;
const tmp = tempDir();

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('think', 1) });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

test('think time pauses between steps and is counted in none of them', async () => {
  const THINK = 1200;
  const setup = writeProviderConfig(tmp.dir, portal, { accountIds: ['think1'], thinkTimeMs: THINK, stepMs: 10_000 });
  const r = await runCli(['run', '--config', setup.configFile], { cwd: tmp.dir, env: setup.env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [result] = latestRun(setup.outputDir).run.results;
  assert.ok(result);
  assert.equal(result.outcome, 'passed');
  // Eight declared steps: seven pauses, one before each step after "open" (the skipped
  // acknowledgment included, since the pause comes before looking for it).
  assert.equal(result.steps.length, 8);
  const pauses = (result.steps.length - 1) * THINK;
  const inSteps = result.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  assert.ok(result.durationMs !== null && result.durationMs >= pauses + inSteps,
    `journey ${result.durationMs} ms should hold ${pauses} ms of pauses besides ${inSteps} ms of steps`);
});
