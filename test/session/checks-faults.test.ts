/**
 * Every session and security check against the demo portal over HTTPS, with timeouts
 * of seconds: the clean portal passes all of them, in Chromium and in Firefox; each fault
 * is caught by exactly the check meant for it, and only by it.
 *
 * Every fault is its own demo portal with its own accounts, and all of them (the clean one
 * too) run every check in ONE `portal-probe run` in Chromium; a second run takes the clean
 * portal through Firefox. Ten runs one after the other, as this file once made, spent most
 * of their time starting up and waiting for each run's longest check.
 */
import { mkdirSync } from 'node:fs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, secretEnv } from '../helpers/portal-config.ts';
import { TIMEOUTS, securityPortal, writeSecurityRun } from '../helpers/security-config.ts';
import type { JourneyResult } from '../../core/result.ts';

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
/** Portal name (and account prefix) per fault list: `clean` has none. */
const PORTALS: [name: string, faults: string[]][] = [
  ['clean', []],
  ...CASES.map(([fault], i): [string, string[]] => [`fault${i + 1}`, [fault]]),
  ['lookalike', ['lookalike-redirect']],
];
const nameOf = (fault: string): string => PORTALS.find(([, f]) => f[0] === fault)?.[0] ?? '';

const tmp = tempDir();
const portals = new Map<string, DemoPortal>();
interface Run { code: number; out: string; byPortal: Map<string, Map<string, JourneyResult>> }
let chromiumRun: Run;
let firefoxRun: Run;

async function run(tag: string, names: string[], browser: string): Promise<Run> {
  let env: Record<string, string> = {};
  const entries = names.map((name) => {
    const portal = portals.get(name);
    if (!portal) throw new Error(`portal ${name} did not start`);
    const ids = Array.from({ length: 14 }, (_, i) => `${name}-${i + 1}`);
    env = { ...env, ...secretEnv(portal, ids) };
    return securityPortal(portal, { name, pool: ids.slice(0, 12), lockoutAccount: ids[12] ?? '', enumAccount: ids[13] ?? '' });
  });
  mkdirSync(`${tmp.dir}/${tag}`, { recursive: true });
  // Four workers: much of a check's time is waiting out a limit (idle, absolute, lockout), so
  // a fourth shortens the run without crowding two cores (here 315 s with three, 275 s with four).
  const setup = writeSecurityRun(`${tmp.dir}/${tag}`, entries, env, { workers: 4 });
  const out = `${tmp.dir}/${tag}/out`;
  const r = await runCli(['run', '--config', setup.configFile, '--output', out, '--browsers', browser], {
    cwd: tmp.dir, env: { ...setup.env, PORTAL_PROBE_STATE_DIR: `${tmp.dir}/${tag}/state` }, timeoutMs: 1_200_000,
  });
  const results = latestRun(out).run.results;
  return { code: r.code, out: r.stdout + r.stderr, byPortal: new Map(names.map((n) => [n, new Map(results.filter((x) => x.portal === n).map((x) => [x.journey, x]))])) };
}

before(async () => {
  await Promise.all(PORTALS.map(async ([name, faults]) => {
    portals.set(name, await startDemoPortal({
      https: true, idleTimeoutMs: TIMEOUTS.idleMs, absoluteTimeoutMs: TIMEOUTS.absoluteMs, lockoutMs: TIMEOUTS.lockoutMs,
      faults, accounts: physicians(`${name}-`, 14),
    }));
  }));
  chromiumRun = await run('chromium', PORTALS.map(([name]) => name), 'chromium');
  // The clean portal forgets the TOTP steps, locks and sessions of the Chromium run: the
  // Firefox run's fresh reservations may pick a step Chromium used on the same account.
  portals.get('clean')?.reset();
  firefoxRun = await run('firefox', ['clean'], 'firefox');
});
after(async () => {
  await Promise.all([...portals.values()].map((p) => p.close()));
  tmp.cleanup();
});

function failedOnly(byName: Map<string, JourneyResult> | undefined): string[] {
  return [...(byName?.values() ?? [])].filter((x) => x.outcome !== 'passed').map((x) => x.journey).sort();
}

test('one run: every journey of every portal has a result, and the run says a check failed', () => {
  for (const [name] of PORTALS) assert.equal(chromiumRun.byPortal.get(name)?.size, 11, `${name}\n${chromiumRun.out}`);
  assert.equal(chromiumRun.code, 1);
  assert.match(chromiumRun.out, /will take about/);
});

for (const browser of ['chromium', 'firefox']) {
  test(`clean portal: every check passes in ${browser}, citing its requirement and its measurement`, () => {
    const r = browser === 'chromium' ? chromiumRun : firefoxRun;
    const byName = r.byPortal.get('clean') ?? new Map<string, JourneyResult>();
    assert.equal(byName.size, 11, r.out);
    assert.deepEqual(failedOnly(byName), [], r.out);
    if (browser === 'firefox') assert.equal(r.code, 0, r.out);
    assert.match(r.out, /will take about/);
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
  });
}

for (const [fault, check, cause] of CASES) {
  test(`${fault} is caught by the ${check} check and only by it`, () => {
    const byName = chromiumRun.byPortal.get(nameOf(fault));
    const seen = JSON.stringify([...(byName?.values() ?? [])].filter((x) => x.outcome !== 'passed').map((x) => [x.journey, x.outcome, x.cause, x.errorMessage]));
    assert.deepEqual(failedOnly(byName), [check], seen);
    assert.equal(byName?.get(check)?.cause, cause);
    assert.ok(byName?.get(check)?.check?.measured, 'the finding carries the measured value');
    assert.ok(byName?.get(check)?.check?.measurements.length, 'and the same as numbers');
  });
}

test('lookalike-redirect: the transport check names the host; nothing signs in anywhere', () => {
  const byName = chromiumRun.byPortal.get('lookalike') ?? new Map<string, JourneyResult>();
  const t = byName.get('transport');
  assert.equal(t?.category, 'network');
  assert.equal(t?.cause, 'host-not-allowed');
  for (const x of byName.values()) {
    if (x.journey === 'generic errors' || x.journey === 'lockout') continue; // they never submit a full sign-in to the other host first
    assert.equal(x.outcome, 'failed', x.journey);
    assert.equal(x.category, 'network', `${x.journey}: ${x.cause}`);
  }
});
