/**
 * The failure branches of the session and security checks that the clean-portal and
 * single-fault runs never reach: no lockout and a lockout that comes too early, user
 * enumeration (on both flavours), idle and absolute limits that are too long, plain HTTP
 * inside an HTTPS sign-in (both flavours), an expired certificate and one about to expire.
 * Every case is its own demo portal with its own accounts, and all of them run in ONE
 * `portal-probe run` (the login journeys left out with --checks): each portal runs every
 * session and security check, so each fault is caught by exactly the check meant for it, with
 * its cause and the number that proves it, and every other check stays green.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal, type DemoPortalOptions } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, secretEnv } from '../helpers/portal-config.ts';
import { TIMEOUTS, securityPortal, writeSecurityRun } from '../helpers/security-config.ts';
import type { JourneyResult, Measurement } from '../../core/result.ts';
import { configSchema } from '../../config/schema.ts';
import { demoConfig } from '../../config/demo.config.ts';
import { startEmbeddedDemo } from '../../scripts/embedded-demo.ts';
import { certificateDaysLeft } from '../../fixtures/checks/headers.ts';

type PortalEntry = ReturnType<typeof securityPortal>;

interface Case {
  /** Portal name and account prefix. */
  name: string;
  faults: string[];
  flavour?: 'classic' | 'spa';
  portal?: Partial<DemoPortalOptions>;
  /** The one journey that must not pass, how, and the number that proves it. */
  journey: string;
  outcome: 'failed' | 'degraded';
  cause?: string;
  measurement: [name: string, value: number];
  /** Changes a real config would make for this portal (see the plain-http cases). */
  adjust?: (entry: PortalEntry, portal: DemoPortal) => PortalEntry;
}

/** The checks each portal runs: every session and security check (the login journey is left out by --checks). */
const CHECKS = 10;
/** Accounts per portal: a pool for the checks that sign in (enough that none waits for a code), one to lock, one to probe with unknown names. */
const POOL = 12;

/**
 * The plain-HTTP script comes from the demo portal's own HTTP listener: another port of the
 * same host, which the portal's allow-list must name (else the guard refuses it and the
 * sign-in fails as host-not-allowed), and a loopback host, which `allowHttpHosts` exempts
 * by default (the demo portal runs there) — a real portal's plain-HTTP host is not loopback.
 */
function plainHttpAllowed(entry: PortalEntry, portal: DemoPortal): PortalEntry {
  return {
    ...entry,
    allowedHosts: [new URL(portal.url).host],
    journeys: (entry.journeys ?? []).map((j) => (j.kind === 'transport' ? { ...j, allowHttpHosts: [] } : j)) as PortalEntry['journeys'],
  };
}

/**
 * The idle-too-long portal's absolute limit is 40 s, and its absolute check expects that: at the
 * usual 20 s the absolute limit would end the idle check's 13-second-idle session first whenever
 * its sign-in spends 7 s between the accepted code and its last click (a loaded machine).
 */
const LONG_ABSOLUTE_MS = 40_000;
function longAbsolute(entry: PortalEntry): PortalEntry {
  return { ...entry, journeys: (entry.journeys ?? []).map((j) => (j.kind === 'absolute-expiry' ? { ...j, expected: LONG_ABSOLUTE_MS } : j)) as PortalEntry['journeys'] };
}

const CASES: Case[] = [
  // Twice the expected 10 s: still alive at expected + tolerance (13 s).
  { name: 'idlelong', faults: ['idle-timeout:20s'], portal: { absoluteTimeoutMs: LONG_ABSOLUTE_MS }, adjust: longAbsolute,
    journey: 'idle expiry', outcome: 'failed', cause: 'idle-timeout-too-long', measurement: ['idle timeout', 13] },
  // Twice the expected 20 s: alive at 23 s although a probe every second keeps it under the 10 s idle limit.
  { name: 'abslong', faults: ['absolute-timeout:40s'],
    journey: 'absolute expiry', outcome: 'failed', cause: 'absolute-timeout-too-long', measurement: ['absolute timeout', 23] },
  { name: 'nolock', faults: ['no-lockout'],
    journey: 'lockout', outcome: 'failed', cause: 'no-lockout', measurement: ['locked after threshold', 0] },
  { name: 'early', faults: ['lockout-after:3'],
    journey: 'lockout', outcome: 'failed', cause: 'lockout-too-early', measurement: ['failures to lock', 3] },
  { name: 'enum', faults: ['user-enumeration'],
    journey: 'generic errors', outcome: 'failed', cause: 'user-enumeration', measurement: ['answers differ', 1] },
  { name: 'enumspa', faults: ['user-enumeration'], flavour: 'spa',
    journey: 'generic errors', outcome: 'failed', cause: 'user-enumeration', measurement: ['answers differ', 1] },
  { name: 'plain', faults: ['plain-http'], adjust: plainHttpAllowed,
    journey: 'transport', outcome: 'failed', cause: 'plain-http', measurement: ['plain HTTP requests', 1] },
  { name: 'plainspa', faults: ['plain-http'], flavour: 'spa', adjust: plainHttpAllowed,
    journey: 'transport', outcome: 'failed', cause: 'plain-http', measurement: ['plain HTTP requests', 1] },
  // Expired two days ago: floor(−2 days − the seconds since start-up) = −3 days left.
  { name: 'expired', faults: [], portal: { certDays: -2 },
    journey: 'transport', outcome: 'failed', cause: 'certificate-expired', measurement: ['certificate days left', -3] },
  // Five days from start-up, four whole days left when read: under the 14-day warning.
  { name: 'soon', faults: [], portal: { certDays: 5 },
    journey: 'transport', outcome: 'degraded', measurement: ['certificate days left', 4] },
];

const tmp = tempDir();
const portals = new Map<string, DemoPortal>();
let byPortal = new Map<string, Map<string, JourneyResult>>();
let run: { code: number; out: string; wallMs: number } = { code: -1, out: '', wallMs: 0 };

before(async () => {
  await Promise.all(CASES.map(async (c) => {
    portals.set(c.name, await startDemoPortal({
      // The lock is never waited out here (lockoutUnlock: false), so its window can be a minute:
      // five attempts on a loaded machine can take longer than TIMEOUTS.lockoutMs, and failures
      // older than the window no longer count.
      https: true, idleTimeoutMs: TIMEOUTS.idleMs, absoluteTimeoutMs: TIMEOUTS.absoluteMs, lockoutMs: 60_000,
      ...c.portal, faults: c.faults, accounts: physicians(c.name, POOL + 2),
    }));
  }));
  let env: Record<string, string> = {};
  const entries = CASES.map((c) => {
    const portal = portals.get(c.name);
    if (!portal) throw new Error(`portal ${c.name} did not start`);
    const ids = Array.from({ length: POOL + 2 }, (_, i) => `${c.name}${i + 1}`);
    env = { ...env, ...secretEnv(portal, ids) };
    const entry = securityPortal(portal, {
      name: c.name, pool: ids.slice(0, POOL), lockoutAccount: ids[POOL] ?? '', enumAccount: ids[POOL + 1] ?? '',
      lockoutUnlock: false, ...(c.flavour ? { flavour: c.flavour } : {}),
    });
    return c.adjust ? c.adjust(entry, portal) : entry;
  });
  // Four workers, as checks-faults: much of a check's time is waiting out a limit.
  const setup = writeSecurityRun(tmp.dir, entries, env, { workers: 4 });
  const out = `${tmp.dir}/out`;
  const started = Date.now();
  // Only the checks: the login journeys each portal carries prove nothing here.
  const r = await runCli(['run', '--config', setup.configFile, '--output', out, '--checks', 'session,security'], {
    cwd: tmp.dir, env: { ...setup.env, PORTAL_PROBE_STATE_DIR: `${tmp.dir}/state` }, timeoutMs: 900_000,
  });
  run = { code: r.code, out: r.stdout + r.stderr, wallMs: Date.now() - started };
  const results = latestRun(out).run.results;
  byPortal = new Map(CASES.map((c) => [c.name, new Map(results.filter((x) => x.portal === c.name).map((x) => [x.journey, x]))]));
});
after(async () => {
  await Promise.all([...portals.values()].map((p) => p.close()));
  tmp.cleanup();
});

const measurement = (x: JourneyResult | undefined, name: string): Measurement | undefined => x?.check?.measurements.find((m) => m.name === name);

test('one run: every journey of every fault portal has a result, and the run says a check failed', () => {
  for (const c of CASES) assert.equal(byPortal.get(c.name)?.size, CHECKS, `${c.name}\n${run.out}`);
  assert.equal(run.code, 1, run.out);
  console.log(`portal-probe run of ${CASES.length} fault portals: ${(run.wallMs / 1000).toFixed(1)} s`);
});

for (const c of CASES) {
  const what = c.outcome === 'degraded' ? 'degrades' : `fails as ${c.cause}`;
  test(`${c.name} (${c.faults.join(', ') || `certDays ${c.portal?.certDays}`}${c.flavour === 'spa' ? ', single-page' : ''}): ${c.journey} ${what}, and no other check fails`, () => {
    const results = byPortal.get(c.name) ?? new Map<string, JourneyResult>();
    const notPassed = [...results.values()].filter((x) => x.outcome !== 'passed').map((x) => x.journey);
    assert.deepEqual(notPassed, [c.journey], `${c.name}: ${JSON.stringify([...results.values()].map((x) => [x.journey, x.outcome, x.cause, x.errorMessage]))}\n${run.out}`);
    const x = results.get(c.journey);
    assert.equal(x?.outcome, c.outcome, JSON.stringify(x));
    if (c.cause) assert.equal(x?.cause, c.cause, x?.errorMessage);
    assert.ok(x?.check?.measured, 'the result says what was measured');
    const [name, value] = c.measurement;
    assert.equal(measurement(x, name)?.value, value, `${name}: ${JSON.stringify(x?.check?.measurements)}`);
  });
}

test('the measurements carry what the portal did, beside the verdict', () => {
  const get = (portal: string, journey: string): JourneyResult | undefined => byPortal.get(portal)?.get(journey);
  // no-lockout: the right password after five failures still went through; nothing locked.
  assert.equal(measurement(get('nolock', 'lockout'), 'failures to lock'), undefined);
  assert.equal(measurement(get('early', 'lockout'), 'failures to lock')?.expected, 5);
  // Same status, other words: the text comparison caught it, on both flavours.
  for (const p of ['enum', 'enumspa']) {
    const g = get(p, 'generic errors');
    assert.equal(measurement(g, 'unknown user status')?.value, 401, p);
    assert.equal(measurement(g, 'wrong password status')?.value, 401, p);
    assert.match(g?.check?.measured ?? '', /No account matches that username or NPI\..*Invalid username or password\./, p);
  }
  const idle = measurement(get('idlelong', 'idle expiry'), 'idle timeout');
  assert.deepEqual(idle && { lo: idle.lo, hi: idle.hi, expected: idle.expected }, { lo: 13, hi: undefined, expected: 10 });
  const abs = measurement(get('abslong', 'absolute expiry'), 'absolute timeout');
  assert.deepEqual(abs && { lo: abs.lo, hi: abs.hi, expected: abs.expected }, { lo: 23, hi: undefined, expected: 20 });
  for (const p of ['plain', 'plainspa']) {
    const plain = get(p, 'transport');
    const port = new URL(portals.get(p)?.url ?? '').port;
    assert.match(plain?.errorMessage ?? '', new RegExp(`plain HTTP, e\\.g\\. http://127\\.0\\.0\\.1:${port}/static/engine\\.js`), p);
  }
  assert.match(get('expired', 'transport')?.errorMessage ?? '', /expired on/);
  assert.match(get('soon', 'transport')?.reason ?? '', /expires in 4 day\(s\)/);
  // The demo portals' certificates are self-signed: accepted (ignoreHTTPSErrors), and recorded as untrusted.
  assert.equal(measurement(get('soon', 'transport'), 'certificate trusted')?.value, 0);
});

test('the config\'s demo.certDays reaches the embedded demo portal\'s certificate', async () => {
  const config = configSchema.parse({ ...demoConfig, demo: { https: true, certDays: -1 } });
  const demo = await startEmbeddedDemo(config, []);
  try {
    assert.match(demo.baseUrl, /^https:/);
    assert.equal((await certificateDaysLeft(new URL(demo.baseUrl), 5000, undefined)).daysLeft, -2);
  } finally {
    await demo.portal.close();
  }
  assert.throws(() => configSchema.parse({ ...demoConfig, demo: { certDays: 1.5 } }), /certDays/);
});
