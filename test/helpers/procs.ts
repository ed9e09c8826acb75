/**
 * Processes under a pid, from /proc (Linux): to prove a stopped run left nothing behind.
 * A process is identified by pid and start time, so a reused pid is not mistaken for it.
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

/** Every process below root (not root itself). */
export function descendants(root: number): Proc[] {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => read(Number(n))).filter((p): p is Proc => p !== undefined);
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

/** Still running: same pid, same start time, not a zombie. */
export function stillRunning(p: Proc): boolean {
  const now = read(p.pid);
  return now !== undefined && now.startTime === p.startTime && now.state !== 'Z';
}
