/**
 * Cross-process mutex on a directory path. Playwright workers are separate processes,
 * and several portal-probe runs may share a machine, so in-memory locks are useless;
 * `mkdir` is atomic on every local filesystem and fails with EEXIST if the path exists.
 *
 * The lock directory holds `owner.json` (pid, host, random token, time). A lock is
 * broken when its owner pid is dead (same host only — pids mean nothing across hosts or
 * pid namespaces) or when it has not been refreshed for `staleMs`. Holders refresh the
 * owner file's mtime while `fn` runs, so a slow-but-alive holder is never broken.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from './errors.ts';

export interface FileLockOptions {
  /** Give up (HarnessError) after waiting this long for the lock. */
  timeoutMs: number;
  /** A lock not refreshed for this long is presumed abandoned and broken. */
  staleMs: number;
  signal?: AbortSignal;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
  acquiredAt: number;
}

const OWNER_FILE = 'owner.json';

/** `kill(pid, 0)` probes without signalling; EPERM means it exists but is not ours. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Keys become file names, so anything that could traverse or collide is refused. */
export function assertSafeKey(key: string, what: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(key)) {
    throw new HarnessError('TOTP_RESERVATION', `${what} must be 1–64 letters, digits, "_" or "-" (it names a state file)`);
  }
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/**
 * Readers must never see a half-written file (a crash mid-write would otherwise corrupt
 * shared state), so write a sibling and rename it over the target.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function readOwner(lockPath: string): Promise<{ owner: Owner | null; ageMs: number } | null> {
  const ownerFile = path.join(lockPath, OWNER_FILE);
  try {
    const st = await stat(ownerFile);
    const parsed = JSON.parse(await readFile(ownerFile, 'utf8')) as Partial<Owner> | null;
    // Anything but our own shape counts as "no owner": then only its age can break it.
    const owner = typeof parsed?.pid === 'number' && typeof parsed.token === 'string' ? (parsed as Owner) : null;
    return { owner, ageMs: Date.now() - st.mtimeMs };
  } catch (e) {
    if (errCode(e) !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
  }
  // No (complete) owner file: either the holder is between mkdir and writeFile, or it
  // crashed there. The directory's own age tells the two apart.
  try {
    const st = await stat(lockPath);
    return { owner: null, ageMs: Date.now() - st.mtimeMs };
  } catch (e) {
    if (errCode(e) === 'ENOENT') return null; // released meanwhile
    throw e;
  }
}

function isStale(info: { owner: Owner | null; ageMs: number }, staleMs: number): boolean {
  if (info.ageMs > staleMs) return true;
  const o = info.owner;
  return o !== null && o.host === os.hostname() && !isProcessAlive(o.pid);
}

/**
 * Break a stale lock without clobbering a fresh one: rename is atomic, so only one
 * breaker wins, and the token check after the rename catches the (tiny) window in which
 * the stale lock was released and re-taken between our inspection and the rename.
 */
async function breakLock(lockPath: string, seenToken: string | null): Promise<void> {
  const graveyard = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, graveyard);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return;
    throw e;
  }
  const taken = await readOwner(graveyard);
  if ((taken?.owner?.token ?? null) !== seenToken) {
    // We moved a live lock; put it back. If the path was re-taken already, rename fails
    // (target not empty) and the best remaining option is to leave the live one alone.
    try {
      await rename(graveyard, lockPath);
      return;
    } catch {
      /* fall through: discard */
    }
  }
  await rm(graveyard, { recursive: true, force: true });
}

async function acquire(lockPath: string, opts: FileLockOptions): Promise<Owner> {
  const started = Date.now();
  await mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    let created = false;
    try {
      await mkdir(lockPath, { mode: 0o700 });
      created = true;
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw e;
    }
    if (created) {
      const owner: Owner = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString('hex'), acquiredAt: Date.now() };
      try {
        await writeFile(path.join(lockPath, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
      } catch (e) {
        // An ownerless lock would block everyone for staleMs; don't leave one behind.
        await rm(lockPath, { recursive: true, force: true });
        throw e;
      }
      return owner;
    }
    const info = await readOwner(lockPath);
    if (info !== null && isStale(info, opts.staleMs)) {
      await breakLock(lockPath, info.owner?.token ?? null);
      continue;
    }
    if (Date.now() - started >= opts.timeoutMs) {
      throw new HarnessError('TOTP_RESERVATION', `Timed out after ${opts.timeoutMs} ms waiting for lock ${lockPath}`);
    }
    // Jittered, slowly growing sleeps keep contending processes from retrying in lockstep.
    const base = Math.min(5 + attempt * 5, 50);
    await sleep(base + Math.random() * base, undefined, opts.signal ? { signal: opts.signal } : undefined);
  }
}

async function releaseLock(lockPath: string, owner: Owner): Promise<void> {
  const info = await readOwner(lockPath);
  // Only remove the lock if it is still ours; if it was broken and re-taken, removing it
  // would hand a third process a lock someone else holds.
  if (info?.owner?.token === owner.token) await rm(lockPath, { recursive: true, force: true });
}

/** Runs `fn` while holding the lock at `lockPath`; the lock is released even if `fn` throws. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions): Promise<T> {
  const owner = await acquire(lockPath, opts);
  const ownerFile = path.join(lockPath, OWNER_FILE);
  const heartbeat = setInterval(() => {
    const t = new Date();
    // Best effort: a missed refresh only matters if several in a row are missed.
    void utimes(ownerFile, t, t).catch(() => undefined);
  }, Math.max(10, Math.floor(opts.staleMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await releaseLock(lockPath, owner);
  }
}
