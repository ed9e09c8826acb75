/**
 * Hands out TOTP time steps so that no two logins — in any process on this machine —
 * submit the same account's code for the same step. Portals accept each code at most
 * once per account (NIST SP 800-63B §5.1.4.2) and many reject any step ≤ the last one
 * used, so steps for one account are handed out strictly increasing.
 *
 * Per account there is a state file (last reserved step + time; mode 0600; never the
 * seed or a code) guarded by a file lock. Only the step is decided under the lock; the
 * code is derived afterwards, right before the caller types it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { z } from 'zod';
import { HarnessError } from './errors.ts';
import { assertSafeKey, withFileLock, writeFileAtomic } from './file-lock.ts';
import { assertSeed, assertTotpParams, stepStartMs, timeStep, totpAt, validUntilMs, type TotpParams } from './totp.ts';

export interface TotpReservation {
  step: number;
  code: string;
  /** The server stops accepting the code at this instant (exclusive). */
  validUntilMs: number;
  /** From the call until the step was recorded under the lock (lock waits included). */
  waitedMs: number;
}

export interface ReserveOptions {
  /** Opaque id — callers pass a hash (see accountKey), never the seed. */
  accountKey: string;
  seed: string;
  params: TotpParams;
  /** Default path.join(os.tmpdir(), 'portal-probe-totp'). */
  dir?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /** Default 3 × period. */
  maxWaitMs?: number;
}

/** setTimeout may fire a hair before the wall clock crosses the boundary; wake just after it. */
const BOUNDARY_MARGIN_MS = 10;
/** Critical sections here take milliseconds; the lock heartbeat covers slow ones anyway. */
const LOCK_STALE_MS = 10_000;

const stateSchema = z.object({ version: z.literal(1), lastStep: z.number().int(), reservedAtMs: z.number() });

export function defaultTotpDir(): string {
  return path.join(os.tmpdir(), 'portal-probe-totp');
}

/** Short, stable, filename-safe id for an account; keeps user names out of /tmp. */
export function accountKey(portal: string, accountId: string): string {
  return createHash('sha256').update(portal).update('\0').update(accountId).digest('hex').slice(0, 16);
}

function writeState(file: string, lastStep: number, atMs: number): Promise<void> {
  return writeFileAtomic(file, JSON.stringify({ version: 1, lastStep, reservedAtMs: atMs }), 0o600);
}

/**
 * Last reserved step, or null if this account was never used here. An unreadable state
 * file (only possible through outside interference: writes are atomic) must not cause
 * a step to be handed out twice, so it is replaced by "everything acceptable now is
 * used" — persisted at once, or every retry would push the horizon out again.
 */
async function readLastStep(file: string, ifCorrupt: number, atMs: number): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    return stateSchema.parse(JSON.parse(text)).lastStep;
  } catch {
    await writeState(file, ifCorrupt, atMs);
    return ifCorrupt;
  }
}

/** Smallest step whose code still has minRemainingMs of validity at `atMs`. */
function firstStepWithTimeLeft(atMs: number, p: TotpParams): number {
  const periodMs = p.periodSeconds * 1000;
  return Math.ceil((atMs + p.minRemainingMs) / periodMs) - p.acceptedWindow - 1;
}

type Decision = { kind: 'reserved'; step: number; atMs: number } | { kind: 'wait'; untilMs: number };

export async function reserveTotp(o: ReserveOptions): Promise<TotpReservation> {
  // Validate before touching state: a bad seed must not burn steps for other workers.
  try {
    assertSeed(o.seed);
    assertTotpParams(o.params);
  } catch (e) {
    // Both messages are fixed texts that never quote the seed.
    throw new HarnessError('TOTP_RESERVATION', (e as Error).message);
  }
  assertSafeKey(o.accountKey, 'TOTP account key');
  const p = o.params;
  const w = p.acceptedWindow;
  const now = o.now ?? Date.now;
  const signal = o.signal;
  const sleep = o.sleep ?? ((ms: number) => sleepTimer(ms, undefined, signal ? { signal } : undefined));
  const maxWaitMs = o.maxWaitMs ?? 3 * p.periodSeconds * 1000;
  const dir = o.dir ?? defaultTotpDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stateFile = path.join(dir, `${o.accountKey}.json`);
  const lockPath = path.join(dir, `${o.accountKey}.lock`);

  const start = now();
  for (;;) {
    signal?.throwIfAborted();
    const decision = await withFileLock<Decision>(
      lockPath,
      async () => {
        const atMs = now(); // read under the lock, so decisions across processes are ordered
        const t = timeStep(atMs, p.periodSeconds);
        const last = await readLastStep(stateFile, t + w, atMs);
        const s = Math.max(last === null ? 0 : last + 1, t - w, firstStepWithTimeLeft(atMs, p), 0);
        if (s <= t + w) {
          await writeState(stateFile, s, atMs);
          return { kind: 'reserved', step: s, atMs };
        }
        // Nothing usable before step s − w begins (the server's window then reaches s), and
        // never before the next boundary: other callers can only push s higher meanwhile.
        return { kind: 'wait', untilMs: stepStartMs(Math.max(t + 1, s - w), p.periodSeconds) + BOUNDARY_MARGIN_MS };
      },
      { timeoutMs: Math.max(1000, start + maxWaitMs - now()), staleMs: LOCK_STALE_MS, ...(signal ? { signal } : {}) },
    );
    if (decision.kind === 'reserved') {
      return {
        step: decision.step,
        code: totpAt(o.seed, decision.step, p), // derived now, just before it is typed
        validUntilMs: validUntilMs(decision.step, p),
        waitedMs: decision.atMs - start,
      };
    }
    if (decision.untilMs - start > maxWaitMs) {
      throw new HarnessError(
        'TOTP_RESERVATION',
        `No usable TOTP step for account ${o.accountKey} within ${maxWaitMs} ms: other logins hold the steps the portal accepts now; the next becomes usable at ${new Date(decision.untilMs).toISOString()}`,
      );
    }
    await sleep(Math.max(0, decision.untilMs - now()));
  }
}
