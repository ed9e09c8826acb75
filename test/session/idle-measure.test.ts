/**
 * Measure mode finds the portal's real idle timeout from outside, within its resolution
 * (5 % of the expected value), both when it is unchanged and when a "vendor update" cut it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians } from '../helpers/portal-config.ts';
import { writeSecurityConfig } from '../helpers/security-config.ts';

const EXPECTED = 40_000;
let portal: DemoPortal;
const tmp = tempDir();
// Each case gets its own accounts: one account yields few TOTP codes per minute.
const poolFor = (c: number): string[] => Array.from({ length: 10 }, (_, i) => `meas${c * 10 + i + 1}`);
before(async () => { portal = await startDemoPortal({ https: true, accounts: physicians('meas', 22) }); });
after(async () => {
  await portal.close();
  tmp.cleanup();
});

for (const [c, injected] of [EXPECTED, 12_000].entries()) {
  test(`idle timeout of ${injected / 1000} s measured within resolution (expected ${EXPECTED / 1000} s)`, async () => {
    portal.setFaults([`idle-timeout:${injected}ms`]);
    const setup = writeSecurityConfig(tmp.dir, portal, {
      pool: poolFor(c), lockoutAccount: 'meas21', enumAccount: 'meas22', only: [],
      extra: [{ kind: 'idle-expiry', name: 'idle measure', use: { pool: 'doctors' }, login: 'physician login', probePath: '/dashboard', expected: EXPECTED, mode: 'measure', maxSessions: 8 }],
    });
    const started = Date.now();
    const r = await runCli(['run', '--config', setup.configFile, '--journeys', 'idle measure'], { cwd: tmp.dir, env: setup.env, timeoutMs: 300_000 });
    const wall = Date.now() - started;
    const { run } = latestRun(setup.outputDir);
    const m = run.results.find((x) => x.journey === 'idle measure');
    assert.ok(m, r.stdout + r.stderr);
    const measured = /^([\d.]+) s \(between ([\d.]+) s and ([\d.]+) s\)/.exec(m.check?.measured ?? '');
    assert.ok(measured, `measured: ${m.check?.measured}\n${r.stdout}`);
    const [value, lo, hi] = [Number(measured[1]) * 1000, Number(measured[2]) * 1000, Number(measured[3]) * 1000];
    assert.ok(lo <= injected && injected <= hi + 250, `interval ${lo}–${hi} holds ${injected}`);
    assert.ok(Math.abs(value - injected) <= 0.05 * EXPECTED, `measured ${value} within 5 % of ${EXPECTED} of the injected ${injected}`);
    // Unchanged is not a finding (degraded only if the interval stayed wider than the resolution); a cut timeout is one, with the number in it.
    if (injected === EXPECTED) assert.ok(m.outcome === 'passed' || m.outcome === 'degraded', JSON.stringify(m));
    else assert.equal(m.outcome, 'failed', JSON.stringify(m));
    if (injected !== EXPECTED) assert.equal(m.cause, 'idle-timeout-changed');
    console.log(`measured ${value} ms for ${injected} ms injected; run wall time ${wall} ms (${(wall / EXPECTED).toFixed(2)} × expected, including start-up)`);
  });
}
