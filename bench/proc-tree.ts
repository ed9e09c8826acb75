/**
 * Samples a process tree from /proc (Linux): peak summed RSS, peak summed PSS, peak process
 * count, and CPU time per process role. RSS (VmRSS) counts shared pages once per process, so
 * its sum is an upper bound; PSS (smaps_rollup) splits shared pages between their users and
 * is the better estimate, but is dearer to read, so it is sampled every `pssEvery`-th tick.
 * CPU per role is each process's utime + stime as last seen: what a process burns after its
 * last sample (< 200 ms) is missed, so CPU figures are slight underestimates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || '100');

/** What a process is, from its command line. */
export function roleOf(cmdline: string): string {
  if (/chromium|firefox|crashpad/.test(cmdline)) return 'browser';
  if (cmdline.includes('workerProcessEntry')) return 'playwright worker';
  if (cmdline.includes('@playwright/test/cli.js')) return 'playwright runner';
  if (cmdline.includes('bin/portal-probe.js') || cmdline.includes('scripts/cli.ts')) return 'portal-probe CLI';
  if (cmdline.includes('bare-login.ts')) return 'bare script';
  if (cmdline.includes('esbuild')) return 'esbuild (tsx)';
  return 'other';
}

interface Proc { ppid: number; cpuMs: number }

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/** A process's resident set (VmRSS), 0 once it has exited. */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function pssKiB(pid: number): number {
  try {
    return Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export class TreeSampler {
  peakRssKiB = 0;
  peakPssKiB = 0;
  peakProcs = 0;
  /** The summed RSS of the latest sample. */
  lastRssKiB = 0;
  private readonly seen = new Map<number, { role: string; cpuMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;

  constructor(private readonly everyMs = 200, private readonly pssEvery = 5) {}

  start(root: number): void {
    this.sample(root);
    this.timer = setInterval(() => this.sample(root), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** CPU ms per role over the processes seen. */
  cpuByRole(): Map<string, number> {
    const out = new Map<string, number>();
    for (const { role, cpuMs } of this.seen.values()) out.set(role, (out.get(role) ?? 0) + cpuMs);
    return out;
  }

  private sample(root: number): void {
    const procs = new Map<number, Proc>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const p = readProc(Number(name));
      if (p) procs.set(Number(name), p);
    }
    const children = new Map<number, number[]>();
    for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    const withPss = this.tick++ % this.pssEvery === 0;
    let rss = 0;
    let pss = 0;
    let count = 0;
    const queue = [root];
    for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
      const p = procs.get(pid);
      if (!p) continue;
      rss += rssKiB(pid);
      if (withPss) pss += pssKiB(pid);
      count++;
      this.remember(pid, p.cpuMs);
      queue.push(...(children.get(pid) ?? []));
    }
    this.lastRssKiB = rss;
    this.peakRssKiB = Math.max(this.peakRssKiB, rss);
    this.peakPssKiB = Math.max(this.peakPssKiB, pss);
    this.peakProcs = Math.max(this.peakProcs, count);
  }

  private remember(pid: number, cpuMs: number): void {
    const known = this.seen.get(pid);
    if (known) {
      known.cpuMs = Math.max(known.cpuMs, cpuMs);
      return;
    }
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return;
    }
    this.seen.set(pid, { role: roleOf(cmdline), cpuMs });
  }
}
