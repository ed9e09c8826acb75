/**
 * Shared helpers for the benchmarks: flags, statistics, tables, temp dirs, browser versions
 * and a timed, black-box run of the real `portal-probe` command in a child process.
 */
import { executableOf } from '../test/helpers/browsers.ts';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../core/result.ts';
import { latestRun } from '../test/helpers/cli.ts';
import { TreeSampler } from './proc-tree.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const QUICK = process.argv.includes('--quick');

/** Found as the product finds it (core/browsers.ts), never a hard-coded path. */
export const CHROMIUM_PATH = executableOf('chromium');
/** Found as the product finds it (core/browsers.ts), never a hard-coded path. */
export const FIREFOX_PATH = executableOf('firefox');

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** The p-th percentile by nearest rank: the smallest sample with at least p % of the samples at or below it. */
export function nearestRank(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1] ?? Number.NaN;
}

export function maxOf(xs: readonly number[]): number {
  return xs.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY);
}

export function ms(x: number, digits = 0): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a';
}

export function secs(x: number): string {
  return Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : 'n/a';
}

/** Prints rows as a left-aligned, space-padded table with a rule under the header. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** A temp dir that is removed when the benchmark exits (normally or through process.exit). */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Fresh TOTP-reservation and lease state for this benchmark invocation (see core/plan.ts stateDir). */
export function freshStateDir(): string {
  const dir = scratchDir('pp-bench-state-');
  process.env.PORTAL_PROBE_STATE_DIR = dir;
  return dir;
}

export function browserVersions(): string {
  const v = (bin: string): string => {
    try {
      return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1) ?? '?';
    } catch {
      return `${bin}: unavailable`;
    }
  };
  return `${v(CHROMIUM_PATH)}; ${v(FIREFOX_PATH)}`;
}

/** Cumulative µs during which some runnable task waited for a CPU (/proc/pressure/cpu), if the kernel has PSI. */
function cpuStallUs(): number | undefined {
  const m = /^some .*total=(\d+)/m.exec(readPsi());
  return m ? Number(m[1]) : undefined;
}

/**
 * How busy the machine was — everything on it, this benchmark's own processes included:
 * load averages, and the share of the benchmark's wall time in which some task waited for
 * a CPU (PSI "some"). On 2 cores a browser run alone reaches a few tens of percent.
 */
export function loadMonitor(): (overRun: boolean) => string {
  const t0 = performance.now();
  const stall0 = cpuStallUs();
  return (overRun) => {
    const stall1 = cpuStallUs();
    let psi = '';
    if (overRun && stall0 !== undefined && stall1 !== undefined) psi = `, CPU pressure over the benchmark ${((stall1 - stall0) / 10 / (performance.now() - t0)).toFixed(0)}%`;
    if (!overRun) psi = `, CPU pressure last 60 s ${/avg60=([\d.]+)/.exec(readPsi())?.[1] ?? '?'}%`;
    return `load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}${psi}`;
  };
}

function readPsi(): string {
  try {
    return readFileSync('/proc/pressure/cpu', 'utf8');
  } catch {
    return '';
  }
}

export function header(title: string): void {
  console.log(`${title}${QUICK ? ' (--quick)' : ''}`);
  console.log(`${new Date().toISOString()} · ${os.cpus().length} cores · node ${process.version} · ${browserVersions()}`);
  const load = loadMonitor();
  console.log(`before: ${load(false)}\n`);
  process.on('exit', () => console.log(`after: ${load(true)}`));
}

export interface TimedRun { code: number; wallMs: number; cpuMs: number; output: string; tree: TreeSampler }
export interface SpawnOptions { cwd: string; env?: Record<string, string> }

/**
 * Runs a command to completion. Wall time is measured here, around the whole process; CPU
 * (user + system, all processes of the tree), memory and CPU by role come from /proc samples
 * every 200 ms. (The kernel's cutime misses browser processes that their parents never
 * reap — Chromium's zygote children — so sampling is the more complete measure.)
 */
export function timedSpawn(cmd: string, args: readonly string[], o: SpawnOptions): Promise<TimedRun> {
  const tree = new TreeSampler();
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) tree.start(child.pid);
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      tree.stop();
      reject(e);
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      tree.stop();
      resolve({ code: code ?? -1, wallMs, cpuMs: [...tree.cpuByRole().values()].reduce((x, y) => x + y, 0), output, tree });
    });
  });
}

/**
 * `node bin/portal-probe.js run ARGS`, timed, plus the results.json it wrote under outputDir.
 * Throws when a journey ran and did not pass, unless `allowNotPassed` (the caller counts outcomes).
 */
export async function portalProbeRun(args: readonly string[], o: SpawnOptions & { outputDir: string; allowNotPassed?: boolean }): Promise<TimedRun & { run: RunResult }> {
  const r = await timedSpawn(process.execPath, [path.join(ROOT, 'bin', 'portal-probe.js'), 'run', '--output', o.outputDir, ...args], o);
  let run: RunResult;
  try {
    run = latestRun(o.outputDir).run;
  } catch {
    throw new Error(`portal-probe exited ${r.code} without results:\n${r.output}`);
  }
  const bad = run.results.filter((x) => x.outcome !== 'passed' && x.outcome !== 'not-run');
  if (bad.length > 0 && !o.allowNotPassed) {
    throw new Error(`portal-probe run had ${bad.length} journey(s) not passed: ${bad.map((x) => `${x.id}: ${x.outcome} ${x.errorText ?? x.errorMessage ?? x.reason ?? ''}`).join('; ')}`);
  }
  return { ...r, run };
}

/** The value of a command-line option `name VALUE`, or undefined when absent. */
export function stringFlag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** A whole-number command-line option `name N` (at least `min`), or `fallback` when absent. */
export function intFlag(name: string, fallback: number, min: number): number {
  const raw = stringFlag(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name}: expected a whole number ≥ ${min}`);
  return v;
}
