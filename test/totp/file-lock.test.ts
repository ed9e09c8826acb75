import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isHarnessError } from '../../core/errors.ts';
import { isProcessAlive, withFileLock } from '../../core/file-lock.ts';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pp-lock-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A pid that certainly belonged to a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid as number;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

async function plantLock(lockPath: string, pid: number, ageMs = 0): Promise<void> {
  await mkdir(lockPath);
  const owner = path.join(lockPath, 'owner.json');
  await writeFile(owner, JSON.stringify({ pid, host: os.hostname(), token: 'planted', acquiredAt: Date.now() - ageMs }));
  const t = new Date(Date.now() - ageMs);
  await utimes(owner, t, t);
}

void test('at most one holder at a time, and every waiter gets its turn', async () => {
  await withTempDir(async (dir) => {
    const lock = path.join(dir, 'a.lock');
    let inside = 0;
    let maxInside = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        withFileLock(
          lock,
          async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            await sleep(3);
            inside--;
            done++;
          },
          { timeoutMs: 10_000, staleMs: 10_000 },
        ),
      ),
    );
    assert.equal(maxInside, 1);
    assert.equal(done, 12);
    assert.deepEqual(await readdir(dir), [], 'lock directory removed after use');
  });
});

void test('the lock is released when fn throws, and fn’s error propagates', async () => {
  await withTempDir(async (dir) => {
    const lock = path.join(dir, 'b.lock');
    await assert.rejects(withFileLock(lock, () => Promise.reject(new Error('boom')), { timeoutMs: 1000, staleMs: 10_000 }), /boom/);
    assert.equal(await withFileLock(lock, () => Promise.resolve(42), { timeoutMs: 200, staleMs: 10_000 }), 42);
  });
});

void test('a lock held by a live, fresh owner times out with a HarnessError naming the path', async () => {
  await withTempDir(async (dir) => {
    const lock = path.join(dir, 'c.lock');
    await plantLock(lock, process.pid);
    const started = Date.now();
    await assert.rejects(withFileLock(lock, () => Promise.resolve(1), { timeoutMs: 300, staleMs: 60_000 }), (e: unknown) => {
      assert.ok(isHarnessError(e));
      assert.equal(e.code, 'TOTP_RESERVATION');
      assert.ok(e.message.includes(lock), e.message);
      return true;
    });
    assert.ok(Date.now() - started >= 300);
  });
});

void test('a lock whose owner pid is dead is broken at once', async () => {
  await withTempDir(async (dir) => {
    const lock = path.join(dir, 'd.lock');
    const pid = await deadPid();
    assert.equal(isProcessAlive(pid), false);
    await plantLock(lock, pid);
    const started = Date.now();
    assert.equal(await withFileLock(lock, () => Promise.resolve('ok'), { timeoutMs: 2000, staleMs: 60_000 }), 'ok');
    assert.ok(Date.now() - started < 1000);
  });
});

void test('a lock older than staleMs is broken even if its pid is alive; a fresh one is not', async () => {
  await withTempDir(async (dir) => {
    const old = path.join(dir, 'e.lock');
    await plantLock(old, process.pid, 5000);
    assert.equal(await withFileLock(old, () => Promise.resolve('ok'), { timeoutMs: 2000, staleMs: 1000 }), 'ok');
    const fresh = path.join(dir, 'f.lock');
    await plantLock(fresh, process.pid, 0);
    await assert.rejects(withFileLock(fresh, () => Promise.resolve('ok'), { timeoutMs: 200, staleMs: 1000 }), /Timed out/);
  });
});

void test('a holder that runs longer than staleMs keeps its lock (heartbeat)', async () => {
  await withTempDir(async (dir) => {
    const lock = path.join(dir, 'g.lock');
    let overlapped = false;
    let holding = false;
    const slow = withFileLock(
      lock,
      async () => {
        holding = true;
        await sleep(700);
        holding = false;
      },
      { timeoutMs: 1000, staleMs: 200 },
    );
    await sleep(50);
    const second = withFileLock(
      lock,
      async () => {
        overlapped = holding;
      },
      { timeoutMs: 3000, staleMs: 200 },
    );
    await Promise.all([slow, second]);
    assert.equal(overlapped, false);
  });
});

void test('an abort signal stops the wait', async () => {
  await withTempDir(async (dir) => {
    const lock = path.join(dir, 'h.lock');
    await plantLock(lock, process.pid);
    await assert.rejects(
      withFileLock(lock, () => Promise.resolve(1), { timeoutMs: 10_000, staleMs: 60_000, signal: AbortSignal.timeout(100) }),
      (e: unknown) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'),
    );
  });
});
