/**
 * Honest stops, however the monitor was started: SIGTERM sent to what a supervisor knows —
 * the npx process, the npm process of an npm script, or the PID 1 of a fresh PID namespace
 * (a container; `docker stop` signals PID 1) — while a tick's journey hangs mid-sign-in in
 * Chromium. Every process seen under it (runner, worker, browser) must be gone within the
 * bound (monitor.stopGrace 5 s + 5 s to kill + start-up slack), and the tick must be in the
 * store as interrupted, not as a portal failure. `portal-probe run` through npx too: npm
 * passes the signal to its `sh -c`, which dies of it without passing it on, so the run
 * must notice its launcher is gone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { ROOT, tempDir, writeJson } from '../helpers/cli.ts';
import { physicians, providerPortal, secretEnv } from '../helpers/portal-config.ts';
import { descendants, stillRunning, type Proc } from '../../core/process-tree.ts';
import { launcher } from '../helpers/browsers.ts';

const tmp = tempDir('pp-stop-');
let portal: DemoPortal;
const chromium = launcher('chromium');
const BOUND_MS = 25_000;

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('halt', 4) });
  // Sign-in hangs for a minute: the signal always comes mid-journey.
  portal.setFaults(['delay:login:60000']);
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

function config(name: string, account: string): { file: string; env: Record<string, string>; store: string } {
  const dir = path.join(tmp.dir, name);
  const file = path.join(dir, 'portal-probe.config.json');
  const store = path.join(dir, 'history.db');
  mkdirSync(dir, { recursive: true });
  writeJson(file, {
    portals: [providerPortal(portal, { accountIds: [account] })],
    browsers: ['chromium'], viewports: ['desktop'], workers: 1,
    timeouts: { stepMs: 90_000, journeyMs: 120_000 },
    outputDir: path.join(dir, 'out'), store,
    monitor: { schedules: [{ every: '1h' }], spread: 0, stopGrace: '5s', metrics: { enabled: false } },
  });
  return { file, env: secretEnv(portal, [account]), store };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms: number, out: () => string): Promise<T> {
  for (const until = Date.now() + ms; ;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; output:\n${out()}`);
    await sleep(200);
  }
}

interface Way { name: string; cmd: string; args: (cfg: string) => string[]; account: string; command: 'monitor' | 'run'; root?: boolean }
const ways: Way[] = [
  { name: 'npx portal-probe monitor', cmd: 'npx', args: (c) => ['--no', 'portal-probe', 'monitor', '--config', c], account: 'halt1', command: 'monitor' },
  { name: 'an npm script (npm run portal-probe -- monitor)', cmd: 'npm', args: (c) => ['run', '--silent', 'portal-probe', '--', 'monitor', '--config', c], account: 'halt2', command: 'monitor' },
  { name: 'PID 1 of a fresh PID namespace (a container)', cmd: 'unshare', args: (c) => ['--pid', '--fork', '--mount-proc', process.execPath, path.join(ROOT, 'bin', 'portal-probe.js'), 'monitor', '--config', c], account: 'halt3', command: 'monitor', root: true },
  { name: 'npx portal-probe run', cmd: 'npx', args: (c) => ['--no', 'portal-probe', 'run', '--config', c], account: 'halt4', command: 'run' },
];

for (const way of ways) {
  const skip = chromium.skip || (way.root && process.getuid?.() !== 0 ? 'needs root for unshare --pid' : false);
  test(`SIGTERM to ${way.name} mid-journey: nothing left running within the bound, the tick recorded as interrupted`, { skip }, async () => {
    const c = config(way.name.replace(/\W+/g, '-'), way.account);
    const child = spawn(way.cmd, way.args(c.file), { cwd: ROOT, env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const top = child.pid!;
    try {
      const seen = await waitFor('Chromium to start', () => {
        const procs = descendants(top);
        return procs.some((p) => /chrom/.test(p.cmdline)) ? procs : undefined;
      }, 90_000, () => out);
      await sleep(2000);
      const all = new Map<string, Proc>([...seen, ...descendants(top)].map((p) => [`${p.pid}/${p.startTime}`, p]));
      // What a supervisor signals: the process it started, or a container's PID 1.
      const target = way.root ? [...all.values()].find((p) => p.ppid === top) : undefined;
      const t0 = Date.now();
      process.kill(target?.pid ?? top, 'SIGTERM');
      await exited;
      for (;;) {
        const left = [...all.values()].filter(stillRunning);
        if (left.length === 0) break;
        if (Date.now() - t0 > BOUND_MS) assert.fail(`still running ${BOUND_MS / 1000} s after SIGTERM: ${left.map((p) => `${p.pid} ${p.cmdline.slice(0, 80)}`).join('; ')}\n${out}`);
        await sleep(200);
      }
      const stopMs = Date.now() - t0;
      assert.ok(stopMs < BOUND_MS, `${stopMs} ms`);
      const raw = new BetterSqlite3(c.store, { readonly: true });
      const rows = raw.prepare('select r.outcome, r.reason, runs.interrupted from results r join runs on runs.id = r.run_id').all() as { outcome: string; reason: string; interrupted: string }[];
      raw.close();
      assert.equal(rows.length, 1, `the tick's run is recorded\n${out}`);
      assert.equal(rows[0]!.outcome, 'not-run');
      assert.match(rows[0]!.reason, /interrupted/);
      assert.equal(rows[0]!.interrupted, 'SIGTERM');
    } finally {
      for (const p of descendants(top)) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
      child.kill('SIGKILL');
    }
  });
}
