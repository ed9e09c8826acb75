import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { leaseAccount, type AccountLease } from '../../core/account-lease.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const KEYS = ['acct-a', 'acct-b', 'acct-c'];

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pp-lease-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function liveLeases(dir: string, pool: string): Promise<Array<{ accountKey: string; pid: number }>> {
  return (JSON.parse(await readFile(path.join(dir, `pool-${pool}.json`), 'utf8')) as { leases: Array<{ accountKey: string; pid: number }> }).leases;
}

void test('sequential leases rotate through the pool (least recently leased first)', async () => {
  await withDir(async (dir) => {
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      const l = await leaseAccount({ poolKey: 'p', accountKeys: KEYS, dir });
      got.push(l.accountKey);
      await l.release();
    }
    assert.deepEqual(got, ['acct-a', 'acct-b', 'acct-c', 'acct-a', 'acct-b']);
    assert.deepEqual(await liveLeases(dir, 'p'), []);
  });
});

void test('concurrent leases go to the account with the fewest live leases', async () => {
  await withDir(async (dir) => {
    const held: AccountLease[] = [];
    for (let i = 0; i < 4; i++) held.push(await leaseAccount({ poolKey: 'p', accountKeys: KEYS, dir }));
    assert.deepEqual(held.map((l) => l.accountKey), ['acct-a', 'acct-b', 'acct-c', 'acct-a']);
    await (held[1] as AccountLease).release();
    await (held[1] as AccountLease).release(); // idempotent: must not remove someone else's lease
    const next = await leaseAccount({ poolKey: 'p', accountKeys: KEYS, dir });
    assert.equal(next.accountKey, 'acct-b'); // b: 0 live, a: 2, c: 1
    assert.equal((await liveLeases(dir, 'p')).length, 4);
  });
});

void test('bad pools are refused; a corrupt pool file is replaced', async () => {
  await withDir(async (dir) => {
    await assert.rejects(leaseAccount({ poolKey: 'p', accountKeys: [], dir }), { code: 'TOTP_RESERVATION' });
    await assert.rejects(leaseAccount({ poolKey: '../p', accountKeys: KEYS, dir }), { code: 'TOTP_RESERVATION' });
    await writeFile(path.join(dir, 'pool-q.json'), '{"leases": [');
    const l = await leaseAccount({ poolKey: 'q', accountKeys: ['x', 'x', 'y'], dir });
    assert.equal(l.accountKey, 'x');
    assert.equal((await leaseAccount({ poolKey: 'q', accountKeys: ['x', 'x', 'y'], dir })).accountKey, 'y');
  });
});

const CHILD = `
import { createInterface } from 'node:readline';
import { leaseAccount } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'core/account-lease.ts')).href)};
const [dir, pool, ...keys] = process.argv.slice(2);
const lease = await leaseAccount({ poolKey: pool, accountKeys: keys, dir, holder: 'child ' + process.pid });
process.stdout.write(lease.accountKey + '\\n');
const rl = createInterface({ input: process.stdin });
for await (const line of rl) if (line === 'release') break;
rl.close();
await lease.release();
process.stdout.write('released\\n');
`;

interface Child {
  proc: ChildProcess;
  next: () => Promise<string>;
  exited: Promise<number | null>;
}

function startChild(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', resolve));
  const it = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await it.next();
    if (r.done === true) throw new Error(`child ended early: ${stderr}`);
    return r.value;
  };
  return { proc, next, exited };
}

void test('leases balance across processes, and a killed holder’s lease is dropped', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    const script = path.join(dir, 'lease-child.mts');
    await writeFile(script, CHILD);
    const children = Array.from({ length: 6 }, () => startChild(script, [dir, 'shared', ...KEYS]));
    try {
      const keys = await Promise.all(children.map((c) => c.next()));
      assert.deepEqual([...keys].sort(), ['acct-a', 'acct-a', 'acct-b', 'acct-b', 'acct-c', 'acct-c']);

      const victim = children[keys.indexOf('acct-b')] as Child;
      victim.proc.kill('SIGKILL');
      await victim.exited;
      const mine = await leaseAccount({ poolKey: 'shared', accountKeys: KEYS, dir });
      assert.equal(mine.accountKey, 'acct-b', 'the dead holder’s lease no longer counts');
      assert.ok(!(await liveLeases(dir, 'shared')).some((l) => l.pid === victim.proc.pid));

      const rest = children.filter((c) => c !== victim);
      for (const c of rest) c.proc.stdin?.end('release\n');
      for (const c of rest) assert.equal(await c.next(), 'released');
      for (const c of rest) assert.equal(await c.exited, 0);
      assert.deepEqual((await liveLeases(dir, 'shared')).map((l) => [l.accountKey, l.pid]), [['acct-b', process.pid]]);
      await mine.release();
      assert.deepEqual(await liveLeases(dir, 'shared'), []);
    } finally {
      for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    }
  });
});
