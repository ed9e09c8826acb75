/**
 * Account pools spread a matrix run over several accounts: each login leases the pool
 * account with the fewest live leases, so concurrent browsers rarely share an account
 * (and so rarely queue for the same account's TOTP steps or trip its session limits).
 *
 * Leases live in one shared JSON file per pool, guarded by a file lock, because the
 * callers are separate processes (Playwright workers, concurrent runs). A process that
 * dies without releasing is detected by its pid and its leases are dropped.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { HarnessError } from './errors.ts';
import { assertSafeKey, isProcessAlive, withFileLock, writeFileAtomic } from './file-lock.ts';

export interface LeaseOptions {
  poolKey: string;
  accountKeys: string[];
  /** Default path.join(os.tmpdir(), 'portal-probe-leases'). */
  dir?: string;
  /** Shown in the state file to explain who holds what; default "pid <pid>". */
  holder?: string;
}

export interface AccountLease {
  accountKey: string;
  /** Idempotent: a second call does nothing. */
  release(): Promise<void>;
}

const leaseSchema = z.object({
  id: z.string(),
  accountKey: z.string(),
  pid: z.number().int(),
  host: z.string(),
  holder: z.string(),
  leasedAt: z.number(),
});
const poolSchema = z.object({
  version: z.literal(1),
  /** Lease counter; "least recently leased" compares these, not clock times, which tie within a millisecond. */
  seq: z.number().int(),
  lastLeasedSeq: z.record(z.string(), z.number().int()),
  leases: z.array(leaseSchema),
});
type PoolState = z.infer<typeof poolSchema>;
type Lease = z.infer<typeof leaseSchema>;

const LOCK_OPTS = { timeoutMs: 15_000, staleMs: 10_000 };

export function defaultLeaseDir(): string {
  return path.join(os.tmpdir(), 'portal-probe-leases');
}

/**
 * Unlike TOTP state, a lost lease file costs only balance, never correctness, so an
 * unreadable one is replaced rather than failing the run.
 */
async function readPool(file: string): Promise<PoolState> {
  try {
    return poolSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code !== 'ENOENT') throw e;
    return { version: 1, seq: 0, lastLeasedSeq: {}, leases: [] };
  }
}

/** Pids only mean something on this host; leases from other hosts are kept as they are. */
function isLive(l: Lease): boolean {
  return l.host !== os.hostname() || isProcessAlive(l.pid);
}

async function updatePool<T>(dir: string, poolKey: string, change: (s: PoolState) => T): Promise<T> {
  const file = path.join(dir, `pool-${poolKey}.json`);
  return withFileLock(
    path.join(dir, `pool-${poolKey}.lock`),
    async () => {
      const state = await readPool(file);
      state.leases = state.leases.filter(isLive);
      const result = change(state);
      await writeFileAtomic(file, JSON.stringify(state), 0o600);
      return result;
    },
    LOCK_OPTS,
  );
}

export async function leaseAccount(o: LeaseOptions): Promise<AccountLease> {
  assertSafeKey(o.poolKey, 'Account pool key');
  const keys = [...new Set(o.accountKeys)];
  if (keys.length === 0) throw new HarnessError('TOTP_RESERVATION', `Account pool ${o.poolKey} has no accounts to lease`);
  const dir = o.dir ?? defaultLeaseDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = randomBytes(8).toString('hex');

  const accountKey = await updatePool(dir, o.poolKey, (state) => {
    const live = new Map<string, number>();
    for (const l of state.leases) live.set(l.accountKey, (live.get(l.accountKey) ?? 0) + 1);
    // Fewest live leases; ties go to the least recently leased (never leased first),
    // then to pool order, so the choice is deterministic.
    const rank = (k: string): [number, number] => [live.get(k) ?? 0, state.lastLeasedSeq[k] ?? -1];
    let best = keys[0] as string;
    for (const k of keys.slice(1)) {
      const [a, b] = [rank(k), rank(best)];
      if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) best = k;
    }
    state.seq += 1;
    state.lastLeasedSeq[best] = state.seq;
    state.leases.push({ id, accountKey: best, pid: process.pid, host: os.hostname(), holder: o.holder ?? `pid ${process.pid}`, leasedAt: Date.now() });
    return best;
  });

  let released = false;
  return {
    accountKey,
    async release(): Promise<void> {
      if (released) return;
      await updatePool(dir, o.poolKey, (state) => {
        state.leases = state.leases.filter((l) => l.id !== id);
      });
      released = true; // only now: a failed release (lock timeout) may be retried
    },
  };
}
