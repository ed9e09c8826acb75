/**
 * Certificates are each portal's own affair: a run that includes the embedded demo portal
 * (self-signed, always accepted) must not accept another portal's self-signed
 * certificate too. A portal accepts one only with its own `ignoreHTTPSErrors`, or the
 * top-level default.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { demoConfig } from '../../config/demo.config.ts';
import { latestRun, runCli, tempDir, writeJson } from '../helpers/cli.ts';
import { physicians, providerPortal, secretEnv } from '../helpers/portal-config.ts';
import type { ProbeConfigInput } from '../../config/schema.ts';

let other: DemoPortal;
const tmp = tempDir();
const accounts = physicians('tls', 2);

before(async () => {
  other = await startDemoPortal({ https: true, accounts });
});
after(async () => {
  await other.close();
  tmp.cleanup();
});

test('the demo portal\'s certificate is accepted for it only; another portal accepts a self-signed one only when it says so', async () => {
  const demo = demoConfig.portals.find((p) => p.name === 'demo-provider');
  assert.ok(demo);
  const config: ProbeConfigInput = {
    portals: [
      { ...demo, journeys: (demo.journeys ?? []).filter((j) => j.name === 'physician login') },
      providerPortal(other, { name: 'strict', accountIds: ['tls1'], baseUrl: other.httpsUrl }),
      { ...providerPortal(other, { name: 'internal-ca', accountIds: ['tls2'], baseUrl: other.httpsUrl }), ignoreHTTPSErrors: true },
    ],
    browsers: ['chromium'], viewports: ['desktop'], workers: 2,
    timeouts: { stepMs: 4000, journeyMs: 60_000 },
    demo: { https: true },
    outputDir: `${tmp.dir}/out`,
  };
  const file = `${tmp.dir}/portal-probe.config.json`;
  writeJson(file, config);
  const r = await runCli(['run', '--config', file], { cwd: tmp.dir, env: { ...secretEnv(other, ['tls1', 'tls2']), PORTAL_PROBE_STATE_DIR: `${tmp.dir}/state` } });
  const { run } = latestRun(`${tmp.dir}/out`);
  const by = new Map(run.results.map((x) => [x.portal, x]));
  const out = r.stdout + r.stderr;
  assert.equal(by.get('demo-provider')?.outcome, 'passed', out);
  assert.equal(by.get('internal-ca')?.outcome, 'passed', out);
  const strict = by.get('strict');
  assert.equal(strict?.outcome, 'failed', out);
  assert.equal(strict?.failedStep, 'open');
  assert.equal(strict?.category, 'network', `${strict?.cause}: ${strict?.errorMessage}`);
  assert.match(strict?.errorMessage ?? '', /CERT|certificate|SSL/i);
  assert.equal(r.code, 1);
});
