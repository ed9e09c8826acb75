/**
 * Processes under a pid, from /proc (Linux; elsewhere there is nothing to read and every
 * list is empty). A stopped run uses it to end whatever its runner left behind, the
 * resident runner to find (and, hung, kill) a browser it launched, the tests to prove
 * nothing was left. A process is identified by pid and start time, so a reused
 * pid is never mistaken for it.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface Proc { pid: number; ppid: number; startTime: string; state: string; cmdline: string }

function read(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(f[1]), state: f[0] ?? '?', startTime: f[19] ?? '', cmdline };
  } catch {
    return undefined;
  }
}

function allProcs(): Proc[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => read(Number(n))).filter((p): p is Proc => p !== undefined);
  } catch {
    return [];
  }
}

/** Every process below root (not root itself). */
export function descendants(root: number): Proc[] {
  const all = allProcs();
  const out: Proc[] = [];
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    for (const p of all) {
      if (p.ppid === pid) {
        out.push(p);
        queue.push(p.pid);
      }
    }
  }
  return out;
}

/** The parent, grandparent … of `pid`, nearest first, up to (not including) pid 1. */
export function ancestors(pid: number): Proc[] {
  const out: Proc[] = [];
  for (let p = read(pid); p !== undefined && p.ppid > 1 && out.length < 64;) {
    const parent = read(p.ppid);
    if (!parent) break;
    out.push(parent);
    p = parent;
  }
  return out;
}

/** Still running: same pid, same start time, not a zombie. */
export function stillRunning(p: Proc): boolean {
  const now = read(p.pid);
  return now !== undefined && now.startTime === p.startTime && now.state !== 'Z';
}

/** Sends a signal to each of `procs` that is still running. */
export function signalAll(procs: Iterable<Proc>, signal: NodeJS.Signals): void {
  for (const p of procs) {
    if (!stillRunning(p)) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // Gone in between.
    }
  }
}

/** The process below root that has `name=value` in its environment and whose parent has not (a launched program, not its helpers). */
export function launchedWith(root: number, name: string, value: string): Proc | undefined {
  const mark = `${name}=${value}`;
  const marked = descendants(root).filter((p) => environ(p.pid).includes(mark));
  return marked.find((p) => !marked.some((q) => q.pid === p.ppid));
}

function environ(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Sends a signal to the process group `p` leads (a program launched detached, with its helpers), if `p` still runs. */
export function signalGroup(p: Proc, signal: NodeJS.Signals): void {
  if (!stillRunning(p)) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    // Gone in between, or not a group leader: the process alone.
    signalAll([p], signal);
  }
}
