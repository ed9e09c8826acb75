/**
 * Real processes, real clock, real files: 8 children reserve a code for the same
 * account at the same instant. A 2 s period keeps the run to ~10 s; the module has no
 * special case for short periods, so this exercises exactly the production path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { stepStartMs, timeStep, totpAt, validUntilMs, type TotpParams } from '../../core/totp.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const PARAMS: TotpParams = { periodSeconds: 2, digits: 6, algorithm: 'sha1', acceptedWindow: 1, minRemainingMs: 300 };
const WORKERS = 8;

const CHILD = `
import { createInterface } from 'node:readline';
import { reserveTotp } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'core/totp-reservation.ts')).href)};
const [dir, key, seed, params] = process.argv.slice(2);
const rl = createInterface({ input: process.stdin });
const it = rl[Symbol.asyncIterator]();
process.stdout.write('ready\\n');
const goAt = Number((await it.next()).value);
rl.close();
await new Promise((r) => setTimeout(r, Math.max(0, goAt - Date.now())));
let first = 0;
const now = () => { const t = Date.now(); if (first === 0) first = t; return t; };
const r = await reserveTotp({ accountKey: key, seed, dir, now, maxWaitMs: 60_000, params: JSON.parse(params) });
process.stdout.write(JSON.stringify({ ...r, acquiredAt: first + r.waitedMs }) + '\\n');
`;

interface Child {
  proc: ChildProcess;
  line(): Promise<string>;
}

/** Line-oriented child; a pending line() rejects (with stderr) if the child exits first. */
function startChild(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: string[] = [];
  const waiters: Array<{ resolve: (l: string) => void; reject: (e: Error) => void }> = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (l) => {
    const w = waiters.shift();
    if (w) w.resolve(l);
    else lines.push(l);
  });
  proc.once('close', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`child exited (${code}) before writing a line: ${stderr}`));
  });
  const line = (): Promise<string> => {
    const l = lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (proc.exitCode !== null) return Promise.reject(new Error(`child already exited: ${stderr}`));
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
  return { proc, line };
}

interface Result {
  step: number;
  code: string;
  validUntilMs: number;
  acquiredAt: number;
}

void test(`${WORKERS} processes reserving one account at once get distinct steps, in order, without needless waiting`, { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pp-totp-conc-'));
  const children: Child[] = [];
  try {
    const script = path.join(dir, 'reserve-child.mts');
    await writeFile(script, CHILD);
    for (let i = 0; i < WORKERS; i++) children.push(startChild(script, [path.join(dir, 'state'), 'acct0123', SEED, JSON.stringify(PARAMS)]));
    for (const c of children) assert.equal(await c.line(), 'ready');

    // Start everyone together, 100 ms into a fresh step, so the expected schedule is exact.
    const T = timeStep(Date.now() + 300, PARAMS.periodSeconds) + 1;
    const goAt = stepStartMs(T, PARAMS.periodSeconds) + 100;
    for (const c of children) c.proc.stdin?.end(`${goAt}\n`);
    const results = await Promise.all(children.map(async (c) => JSON.parse(await c.line()) as Result));
    const w = PARAMS.acceptedWindow;
    const periodMs = PARAMS.periodSeconds * 1000;

    const byTime = [...results].sort((a, b) => a.acquiredAt - b.acquiredAt || a.step - b.step);
    const schedule = byTime.map((r) => `T${r.step - T >= 0 ? '+' : ''}${r.step - T}@${r.acquiredAt - goAt}ms`).join(' ');

    // Distinct and gap-free: t−1, t, t+1 at once, then one per step. The first caller
    // must get t−1 unless (machine load) it came so late that t−1 had too little time left.
    const steps = results.map((r) => r.step).sort((a, b) => a - b);
    const first = steps[0] as number;
    const firstAt = (byTime[0] as Result).acquiredAt;
    const tMinus1Usable = firstAt <= validUntilMs(T - w, PARAMS) - PARAMS.minRemainingMs;
    assert.equal(first, tMinus1Usable ? T - w : T - w + 1, `first step: ${schedule}`);
    assert.deepEqual(steps, Array.from({ length: WORKERS }, (_, i) => first + i), schedule);

    for (const r of results) {
      assert.equal(r.code, totpAt(SEED, r.step, PARAMS));
      // Handed out only once the server's window reaches it, with enough time left to type it.
      const due = Math.max(goAt, stepStartMs(r.step - w, PARAMS.periodSeconds));
      assert.ok(r.acquiredAt >= due, `step T+${r.step - T} handed out too early: ${schedule}`);
      assert.ok(r.validUntilMs - r.acquiredAt >= PARAMS.minRemainingMs, `step T+${r.step - T} had too little time left: ${schedule}`);
      // No needless waiting: served as soon as it became usable (typically within ~20 ms;
      // bounded by one period so machine load cannot flake it, while skipping or
      // sleeping through a usable step still fails).
      assert.ok(r.acquiredAt - due < periodMs, `step T+${r.step - T} served ${r.acquiredAt - due} ms late: ${schedule}`);
    }
    // Acquisition order (clock read under the lock) matches step order.
    for (let i = 1; i < byTime.length; i++) {
      const [prev, cur] = [byTime[i - 1] as Result, byTime[i] as Result];
      if (cur.acquiredAt > prev.acquiredAt) assert.ok(cur.step > prev.step, `out of order: ${schedule}`);
    }

    for (const c of children) {
      const code = c.proc.exitCode ?? (await new Promise((resolve) => c.proc.once('exit', resolve)));
      assert.equal(code, 0);
    }
  } finally {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
