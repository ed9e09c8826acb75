/**
 * Stopping a run: SIGTERM (systemd, CI cancelling a job) or SIGINT (Ctrl-C) sent to the
 * `portal-probe run` process while journeys are under way in Chromium and Firefox. The
 * run must end promptly with 128 + the signal's number, leave no browser, worker or
 * runner behind, and still write results in which the unfinished journeys are "not run:
 * interrupted" — not passes, not portal failures.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, startCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';
import { descendants, stillRunning, type Proc } from '../helpers/procs.ts';

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
    const left = running.filter(stillRunning);
    assert.deepEqual(left.map((p) => `${p.pid} ${p.cmdline.slice(0, 80)}`), [], 'processes left running after the run ended');

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
