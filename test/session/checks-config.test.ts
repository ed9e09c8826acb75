/**
 * Safety and selection around the checks: a lockout check against a production portal
 * is refused before anything runs; --checks picks groups or single kinds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians } from '../helpers/portal-config.ts';
import { writeSecurityConfig } from '../helpers/security-config.ts';

let portal: DemoPortal;
const tmp = tempDir();
const pool = ['cfg1', 'cfg2', 'cfg3'];
before(async () => { portal = await startDemoPortal({ https: true, accounts: physicians('cfg', 5) }); });
after(async () => {
  await portal.close();
  tmp.cleanup();
});

test('the lockout check is refused for a portal marked production: exit 2, nothing run', async () => {
  const setup = writeSecurityConfig(tmp.dir, portal, { pool, lockoutAccount: 'cfg4', enumAccount: 'cfg5', environment: 'production' });
  const r = await runCli(['run', '--config', setup.configFile], { cwd: tmp.dir, env: setup.env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /portals\[0\]\.journeys\[\d+\]\.kind: the lockout check locks its account, so it is refused/);
  assert.equal(portal.events().length, 0, 'the portal saw no request');
});

test('--checks security runs only the security group, unbudgeted; an unknown group is a usage error', async () => {
  // A 1 ms step budget would degrade any login journey; checks wait on purpose and are not budgeted.
  const setup = writeSecurityConfig(tmp.dir, portal, { pool, lockoutAccount: 'cfg4', enumAccount: 'cfg5', only: ['cookie-policy', 'cache-policy', 'logout-ends-session'], budgets: { default: 1 } });
  const r = await runCli(['run', '--config', setup.configFile, '--checks', 'security'], { cwd: tmp.dir, env: setup.env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const { run } = latestRun(setup.outputDir);
  assert.deepEqual(run.results.map((x) => x.journey).sort(), ['cache', 'cookies']);
  for (const x of run.results) {
    assert.equal(x.outcome, 'passed', x.id);
    assert.ok(x.steps.every((s) => s.budgetMs === undefined && s.durationMs !== null), x.id);
  }
  const bad = await runCli(['run', '--config', setup.configFile, '--checks', 'sessions'], { cwd: tmp.dir, env: setup.env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--checks: "sessions"/);
});
