import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isHarnessError } from '../../core/errors.ts';
import { DEFAULT_TOTP, totpAt, type TotpParams } from '../../core/totp.ts';
import { accountKey, reserveTotp, type ReserveOptions } from '../../core/totp-reservation.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const KEY = accountKey('demo', 'alice');
const P = 30_000;
const T = 56_000_000; // an arbitrary step; the fake clock starts inside it

/** Fake clock: sleeping just advances time, so waits are exact and instant. */
function fakeClock(startMs: number) {
  const c = {
    t: startMs,
    sleeps: [] as number[],
    now: (): number => c.t,
    sleep: (ms: number): Promise<void> => {
      c.sleeps.push(ms);
      c.t += ms;
      return Promise.resolve();
    },
  };
  return c;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pp-totp-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function opts(dir: string, clock: ReturnType<typeof fakeClock>, params: Partial<TotpParams>, extra: Partial<ReserveOptions> = {}): ReserveOptions {
  return { accountKey: KEY, seed: SEED, dir, now: clock.now, sleep: clock.sleep, params: { ...DEFAULT_TOTP, ...params }, ...extra };
}

void test('too little time left: waits for the next step boundary (window 0)', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 28_000); // 2 s left < minRemainingMs 5 s
    const r = await reserveTotp(opts(dir, clock, {}));
    assert.equal(r.step, T + 1);
    assert.deepEqual(clock.sleeps, [2_010]);
    assert.equal(r.waitedMs, 2_010);
    assert.equal(r.code, totpAt(SEED, T + 1, DEFAULT_TOTP));
    assert.equal(r.validUntilMs, (T + 2) * P);
  });
});

void test('window 0: one code per step, steps strictly increasing', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 1_000);
    const steps: number[] = [];
    for (let i = 0; i < 4; i++) steps.push((await reserveTotp(opts(dir, clock, {}))).step);
    assert.deepEqual(steps, [T, T + 1, T + 2, T + 3]);
    assert.deepEqual(clock.sleeps, [29_010, 30_000, 30_000]);
  });
});

void test('window 1: three codes at once (t−1, t, t+1), then one per step', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 1_000);
    const got: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) {
      const r = await reserveTotp(opts(dir, clock, { acceptedWindow: 1 }));
      got.push([r.step, r.waitedMs]);
      assert.ok(r.validUntilMs - clock.t >= 5_000, 'enough validity left');
      assert.equal(r.code, totpAt(SEED, r.step, DEFAULT_TOTP));
    }
    assert.deepEqual(got, [[T - 1, 0], [T, 0], [T + 1, 0], [T + 2, 29_010], [T + 3, 30_000]]);
  });
});

void test('window 1 near the end of a step skips the expiring step t−1 instead of waiting', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 28_000);
    const a = await reserveTotp(opts(dir, clock, { acceptedWindow: 1 }));
    const b = await reserveTotp(opts(dir, clock, { acceptedWindow: 1 }));
    assert.deepEqual([a.step, b.step], [T, T + 1]);
    assert.deepEqual(clock.sleeps, []);
    const c = await reserveTotp(opts(dir, clock, { acceptedWindow: 1 }));
    assert.equal(c.step, T + 2);
    assert.deepEqual(clock.sleeps, [2_010]);
  });
});

void test('gives up with a HarnessError when no step frees up within maxWaitMs, without sleeping', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 1_000);
    await reserveTotp(opts(dir, clock, {}));
    await assert.rejects(reserveTotp(opts(dir, clock, {}, { maxWaitMs: 20_000 })), (e: unknown) => {
      assert.ok(isHarnessError(e));
      assert.equal(e.code, 'TOTP_RESERVATION');
      assert.ok(!e.message.includes(SEED));
      return true;
    });
    assert.deepEqual(clock.sleeps, []);
  });
});

void test('state file: 0600, holds only the step and time — never the seed or a code', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 1_000);
    const r = await reserveTotp(opts(dir, clock, {}));
    assert.deepEqual((await readdir(dir)).sort(), [`${KEY}.json`]);
    const file = path.join(dir, `${KEY}.json`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const text = await readFile(file, 'utf8');
    assert.deepEqual(JSON.parse(text), { version: 1, lastStep: T, reservedAtMs: T * P + 1_000 });
    assert.ok(!text.includes(r.code) && !text.includes(SEED));
  });
});

void test('a state file ahead of the clock (clock stepped back) makes callers wait, never reuse', async () => {
  await withDir(async (dir) => {
    await writeFile(path.join(dir, `${KEY}.json`), JSON.stringify({ version: 1, lastStep: T + 5, reservedAtMs: 0 }));
    const clock = fakeClock(T * P + 1_000);
    await assert.rejects(reserveTotp(opts(dir, clock, {})), { code: 'TOTP_RESERVATION' });
    const r = await reserveTotp(opts(dir, clock, {}, { maxWaitMs: 10 * P }));
    assert.equal(r.step, T + 6);
    assert.equal(r.waitedMs, 6 * P - 1_000 + 10);
  });
});

void test('an unreadable state file counts as every acceptable step used', async () => {
  await withDir(async (dir) => {
    await writeFile(path.join(dir, `${KEY}.json`), '{"version":1,"lastSt');
    const clock = fakeClock(T * P + 1_000);
    const r = await reserveTotp(opts(dir, clock, { acceptedWindow: 1 }));
    assert.equal(r.step, T + 2); // t−1 … t+1 might have been handed out already
  });
});

void test('bad input is refused before any state is written', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 1_000);
    await assert.rejects(reserveTotp(opts(dir, clock, {}, { seed: 'not base32!' })), { code: 'TOTP_RESERVATION', message: 'TOTP seed is not valid base32' });
    await assert.rejects(reserveTotp(opts(dir, clock, {}, { accountKey: '../etc' })), { code: 'TOTP_RESERVATION' });
    await assert.rejects(reserveTotp(opts(dir, clock, { minRemainingMs: 30_000 })), { code: 'TOTP_RESERVATION' });
    assert.deepEqual(await readdir(dir), []);
  });
});

void test('an abort during the wait stops the reservation', async () => {
  await withDir(async (dir) => {
    const clock = fakeClock(T * P + 1_000);
    await reserveTotp(opts(dir, clock, {}));
    const ac = new AbortController();
    const sleep = (ms: number): Promise<void> => {
      ac.abort(new Error('run cancelled'));
      return clock.sleep(ms);
    };
    await assert.rejects(reserveTotp(opts(dir, clock, {}, { sleep, signal: ac.signal })), /run cancelled/);
  });
});

void test('accountKey is short, stable hex and separates portal from account id', () => {
  assert.match(KEY, /^[0-9a-f]{16}$/);
  assert.equal(accountKey('demo', 'alice'), KEY);
  assert.notEqual(accountKey('demo', 'bob'), KEY);
  assert.notEqual(accountKey('a', 'bc'), accountKey('ab', 'c'));
});
