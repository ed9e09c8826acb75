/**
 * Stopping a run: SIGTERM (systemd, CI cancelling a job) or SIGINT (Ctrl-C) sent to the
 * `portal-probe run` process while journeys are under way in Chromium and Firefox. The
 * run must end promptly with 128 + the signal's number, leave no browser, worker or
 * runner behind, and still write results in which the unfinished journeys are "not run:
 * interrupted" — not passes, not portal failures. Also the two edges: a signal that
 * comes before the runner has started (no browser is started at all), and a runner that
 * has to be killed because a journey is stuck (the stuck worker and its browser are
 * ended too, and the results still cover the journey).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, startCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';
import { descendants, stillRunning, type Proc } from '../../core/process-tree.ts';

let portal: DemoPortal;
const tmp = tempDir();

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('stop', 6) });
  // Sign-in hangs for a minute: the signal always arrives mid-journey.
  portal.setFaults(['delay:login:60000']);
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const cases = [
  // Both browsers mid-journey at once.
  { signal: 'SIGTERM', code: 143, browsers: ['chromium', 'firefox'], accounts: ['stop1'], workers: 2 },
  // One journey mid-way, the next not started yet.
  { signal: 'SIGINT', code: 130, browsers: ['chromium'], accounts: ['stop5', 'stop6'], workers: 1 },
] as const;

for (const c of cases) {
  test(`${c.signal} mid-run: exit ${c.code} within seconds, no process left, unfinished journeys "not run: interrupted"`, async () => {
    const dir = path.join(tmp.dir, c.signal);
    const setup = writeProviderConfig(tmp.dir, portal, {
      accountIds: [...c.accounts], journeys: c.accounts.length, browsers: [...c.browsers], workers: c.workers, stepMs: 90_000, journeyMs: 120_000,
    });
    const cli = startCli(['run', '--config', setup.configFile, '--output', dir], { cwd: tmp.dir, env: setup.env, timeoutMs: 150_000 });
    const engines = c.browsers.map((b) => (b === 'firefox' ? 'firefox-esr' : 'chromium'));
    let seen: Proc[];
    try {
      // Every browser up and its first journey waiting on the delayed sign-in.
      seen = await waitFor('the browsers to start', () => {
        const procs = descendants(cli.pid);
        return engines.every((e) => procs.some((p) => p.cmdline.includes(e))) ? procs : undefined;
      }, 90_000);
    } catch (e) {
      process.kill(cli.pid, 'SIGTERM');
      await cli.done;
      throw new Error(`${e instanceof Error ? e.message : String(e)}; output so far:\n${cli.output()}`);
    }
    await sleep(4000);
    const running = [...seen, ...descendants(cli.pid)];

    const t0 = Date.now();
    process.kill(cli.pid, c.signal);
    const r = await cli.done;
    const stopMs = Date.now() - t0;

    assert.equal(r.code, c.code, r.stdout + r.stderr);
    assert.ok(stopMs < 30_000, `stopping took ${stopMs} ms`);
    assert.match(r.stdout, new RegExp(`Interrupted by ${c.signal}`));
    await sleep(500);
    assertNothingLeft(running);

    const { run } = latestRun(dir);
    assert.equal(run.interrupted, c.signal);
    assert.equal(run.exitCode, c.code);
    assert.equal(run.results.length, c.accounts.length * c.browsers.length);
    for (const x of run.results) {
      assert.equal(x.outcome, 'not-run', `${x.id}: ${x.outcome} ${x.reason ?? x.errorMessage ?? ''}`);
      assert.match(x.reason ?? '', /^interrupted: the run was stopped before this journey (finished|started)$/);
      assert.equal(x.category, undefined, 'an interrupted journey is not classified as a portal failure');
    }
    if (c.workers === 1) assert.ok(run.results.some((x) => x.reason?.endsWith('started')), 'the journey queued behind the running one is reported as not started');
    // The journeys under way when the signal came had typed the password and were waiting on sign-in.
    assert.ok(run.results.some((x) => x.steps.some((s) => s.name === 'password' && s.status === 'passed')), JSON.stringify(run.results[0]?.steps));
  });
}

/** Rewrites a written config file (JSON). */
function editConfig(file: string, edit: (c: { portals: { accounts: { password: string }[]; journeys: unknown[] }[] }) => void): void {
  const c = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof edit>[0];
  edit(c);
  writeFileSync(file, JSON.stringify(c, null, 2));
}

function assertNothingLeft(running: Proc[]): void {
  const left = running.filter(stillRunning);
  assert.deepEqual(left.map((p) => `${p.pid} ${p.cmdline.slice(0, 80)}`), [], 'processes left running after the run ended');
}

test('a signal before the runner starts: no browser is started, every journey "not run: … before this journey started"', async () => {
  const dir = path.join(tmp.dir, 'early');
  const setup = writeProviderConfig(path.join(tmp.dir), portal, { accountIds: ['stop2'], browsers: ['chromium', 'firefox'], journeyMs: 60_000 });
  // The password comes from a named pipe: the run blocks reading it, which holds it
  // before its runner starts for as long as this test wants.
  const fifo = path.join(tmp.dir, 'password.fifo');
  execFileSync('mkfifo', [fifo]);
  editConfig(setup.configFile, (c) => { const a = c.portals[0]?.accounts[0]; if (a) a.password = `file:${fifo}`; });
  const writer = openSync(fifo, 'r+'); // read-write: opening does not wait for the reader
  const cli = startCli(['run', '--config', setup.configFile, '--output', dir], { cwd: tmp.dir, env: setup.env, timeoutMs: 60_000 });
  try {
    await waitFor('the run to open the secret file', () => {
      try {
        return readdirSync(`/proc/${cli.pid}/fd`).some((fd) => readlinkSync(`/proc/${cli.pid}/fd/${fd}`) === fifo) ? true : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    process.kill(cli.pid, 'SIGTERM');
    await sleep(300);
  } finally {
    writeSync(writer, 'not-the-password');
    closeSync(writer);
  }
  const r = await cli.done;
  assert.equal(r.code, 143, r.stdout + r.stderr);
  assert.match(r.stdout, /Interrupted by SIGTERM/);
  const { run, runDir } = latestRun(dir);
  assert.equal(run.interrupted, 'SIGTERM');
  assert.deepEqual(run.results.map((x) => [x.browser.name, x.outcome, x.reason]).sort(), [
    ['chromium', 'not-run', 'interrupted: the run was stopped before this journey started'],
    ['firefox', 'not-run', 'interrupted: the run was stopped before this journey started'],
  ]);
  assert.equal(existsSync(path.join(runDir, 'playwright-results.json')), false, 'the Playwright runner must not have started');
  assert.deepEqual(portal.events().filter((e) => e.account === 'stop2'), [], 'nothing reached the portal');
});

test('a stuck journey: a repeated signal kills the runner before it reports; the stuck worker and its browser are ended too', async () => {
  const dir = path.join(tmp.dir, 'stuck');
  const setup = writeProviderConfig(path.join(tmp.dir), portal, { accountIds: ['stop3'], journeyMs: 60_000 });
  const marker = path.join(tmp.dir, 'stuck.started');
  // A TypeScript journey whose code never yields: its worker cannot stop on request.
  writeFileSync(path.join(tmp.dir, 'stuck.mjs'), `import { writeFileSync } from 'node:fs';
export default { steps: ['hang'], async run(probe) {
  await probe.step('hang', async () => { writeFileSync(${JSON.stringify(marker)}, ''); for (;;) { /* busy */ } });
} };
`);
  editConfig(setup.configFile, (c) => { const p = c.portals[0]; if (p) p.journeys = [{ kind: 'script', name: 'stuck', use: { account: 'stop3' }, file: 'stuck.mjs' }]; });
  const cli = startCli(['run', '--config', setup.configFile, '--output', dir], { cwd: tmp.dir, env: setup.env, timeoutMs: 90_000 });
  try {
    await waitFor('the journey to get stuck', () => (existsSync(marker) ? true : undefined), 60_000);
  } catch (e) {
    process.kill(cli.pid, 'SIGKILL');
    throw new Error(`${e instanceof Error ? e.message : String(e)}; output so far:\n${cli.output()}`);
  }
  const running = descendants(cli.pid);
  assert.ok(running.some((p) => p.cmdline.includes('chromium')), 'the browser is running');
  const t0 = Date.now();
  process.kill(cli.pid, 'SIGTERM');
  await sleep(1500);
  process.kill(cli.pid, 'SIGTERM'); // again: stop at once
  const r = await cli.done;
  const stopMs = Date.now() - t0;
  assert.equal(r.code, 143, r.stdout + r.stderr);
  assert.match(r.stderr, /received again; stopping at once/);
  assert.ok(stopMs < 15_000, `stopping took ${stopMs} ms`);
  await sleep(500);
  assertNothingLeft(running);
  const { run, runDir } = latestRun(dir);
  assert.equal(existsSync(path.join(runDir, 'playwright-results.json')), false, 'the runner was killed before it reported');
  assert.deepEqual(run.results.map((x) => [x.journey, x.outcome, x.reason, x.category]), [
    ['stuck', 'not-run', 'interrupted: the run was stopped before this journey finished', undefined],
  ]);
});
