/**
 * Every session and security check against the demo portal over HTTPS, with timeouts
 * of seconds: the clean portal passes all of them; each fault is caught by exactly the
 * check meant for it, and only by it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians } from '../helpers/portal-config.ts';
import { TIMEOUTS, writeSecurityConfig } from '../helpers/security-config.ts';
import type { JourneyResult } from '../../core/result.ts';

let portal: DemoPortal;
const tmp = tempDir();
const pool = Array.from({ length: 12 }, (_, i) => `sec${i + 1}`);
let runNo = 0;

before(async () => {
  portal = await startDemoPortal({ https: true, idleTimeoutMs: TIMEOUTS.idleMs, absoluteTimeoutMs: TIMEOUTS.absoluteMs, lockoutMs: TIMEOUTS.lockoutMs, accounts: physicians('sec', 14) });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

async function runWith(faults: string[], browsers = ['chromium']): Promise<{ code: number; byName: Map<string, JourneyResult>; out: string }> {
  portal.setFaults(faults);
  portal.reset();
  runNo += 1;
  const setup = writeSecurityConfig(tmp.dir, portal, { pool, lockoutAccount: 'sec13', enumAccount: 'sec14' });
  const out = `${tmp.dir}/out-${runNo}`;
  const args = ['run', '--config', setup.configFile, '--output', out, '--browsers', browsers.join(',')];
  // portal.reset() forgot every used TOTP step, so each run starts with fresh reservations
  // too: no run queues behind the steps an earlier run took on the same accounts.
  const env = { ...setup.env, PORTAL_PROBE_STATE_DIR: `${tmp.dir}/state-${runNo}` };
  const r = await runCli(args, { cwd: tmp.dir, env, timeoutMs: 400_000 });
  const { run } = latestRun(out);
  return { code: r.code, byName: new Map(run.results.map((x) => [x.journey, x])), out: r.stdout + r.stderr };
}

function failedOnly(byName: Map<string, JourneyResult>): string[] {
  return [...byName.values()].filter((x) => x.outcome !== 'passed').map((x) => x.journey).sort();
}

for (const browser of ['chromium', 'firefox']) {
  test(`clean portal: every check passes in ${browser}, citing its requirement and its measurement`, async () => {
    const { code, byName, out } = await runWith([], [browser]);
    assert.deepEqual(failedOnly(byName), [], out);
    assert.equal(code, 0);
    for (const x of byName.values()) {
      if (x.journey === 'physician login') continue;
      assert.ok(x.check?.requirements.length, `${x.journey} cites a requirement`);
      assert.ok(x.check?.measured, `${x.journey} reports what it measured`);
    }
    assert.match(byName.get('idle expiry')?.check?.requirements.join(' ') ?? '', /V7\.3\.1.*164\.312\(a\)\(2\)\(iii\)/);
    assert.match(byName.get('transport')?.check?.measured ?? '', /certificate expires in 36[45] day/);
    // The same findings as numbers, for whatever compares runs.
    const number = (journey: string, name: string) => byName.get(journey)?.check?.measurements.find((m) => m.name === name);
    const idle = number('idle expiry', 'idle timeout');
    assert.deepEqual(idle && { unit: idle.unit, expected: idle.expected, lo: idle.lo, hi: idle.hi, value: idle.value }, { unit: 's', expected: 10, lo: 7, hi: 13, value: 10 });
    const days = number('transport', 'certificate days left')?.value ?? -1;
    assert.ok(days >= 364 && days <= 365, `certificate days left: ${days}`);
    assert.equal(number('logout', 'session alive after logout')?.value, 0);
    assert.equal(number('lockout', 'failures to lock')?.value, 5);
    for (const x of byName.values()) if (x.check) assert.ok(x.check.measurements.length > 0, `${x.journey} reports numbers`);
    assert.match(out, /will take about/);
  });
}

const CASES: [fault: string, check: string, cause: string][] = [
  // Half the expected idle timeout: below expected − tolerance (7 s), so the check must catch it.
  ['idle-timeout:5000ms', 'idle expiry', 'idle-timeout-too-short'],
  ['absolute-timeout:12s', 'absolute expiry', 'absolute-timeout-too-short'],
  ['logout-keeps-session', 'logout', 'logout-keeps-session'],
  ['session-not-rotated', 'rotation', 'session-not-rotated'],
  ['cookie-flags-dropped', 'cookies', 'cookie-flags-missing'],
  ['no-cache-header-dropped', 'cache', 'cacheable-authenticated-page'],
  ['totp-reuse-accepted', 'totp single use', 'totp-reuse-accepted'],
];
for (const [fault, check, cause] of CASES) {
  test(`${fault} is caught by the ${check} check and only by it`, async () => {
    const { code, byName, out } = await runWith([fault]);
    assert.deepEqual(failedOnly(byName), [check], out);
    assert.equal(byName.get(check)?.cause, cause);
    assert.ok(byName.get(check)?.check?.measured, 'the finding carries the measured value');
    assert.ok(byName.get(check)?.check?.measurements.length, 'and the same as numbers');
    assert.equal(code, 1);
  });
}

test('lookalike-redirect: the transport check names the host; nothing signs in anywhere', async () => {
  const { byName } = await runWith(['lookalike-redirect']);
  const t = byName.get('transport');
  assert.equal(t?.category, 'network');
  assert.equal(t?.cause, 'host-not-allowed');
  for (const x of byName.values()) {
    if (x.journey === 'generic errors' || x.journey === 'lockout') continue; // they never submit a full sign-in to the other host first
    assert.equal(x.outcome, 'failed', x.journey);
    assert.equal(x.category, 'network', `${x.journey}: ${x.cause}`);
  }
});
