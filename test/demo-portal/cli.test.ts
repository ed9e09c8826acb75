import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, parseCliArgs } from '../../demo-portal/cli.ts';
import { BUILT_IN_ACCOUNTS } from '../../demo-portal/accounts.ts';
import { rawRequest } from './helpers.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

void test('parseCliArgs maps every flag', () => {
  assert.deepEqual(
    parseCliArgs(['--port', '8080', '--https-port', '8443', '--fault', 'extra-step', '--fault', 'delay:login:50',
      '--idle-timeout', '90s', '--absolute-timeout', '2h', '--otp-boxes']),
    { https: true, faults: ['extra-step', 'delay:login:50'], otpBoxes: true, port: 8080, httpsPort: 8443, idleTimeoutMs: 90_000, absoluteTimeoutMs: 7_200_000 },
  );
  assert.deepEqual(parseCliArgs(['--no-https']), { https: false, faults: [], otpBoxes: false });
  assert.equal(parseCliArgs(['--help']), 'help');
  assert.throws(() => parseCliArgs(['--idle-timeout', '30']), /--idle-timeout must be a duration/);
  assert.throws(() => parseCliArgs(['--port', 'eighty']), /--port must be a port number/);
});

void test('main returns 2 on bad usage or a bad fault, without starting anything', async () => {
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(' '));
  try {
    assert.equal(await main(['--bogus']), 2);
    assert.equal(await main(['--no-https', '--fault', 'delay:nowhere:5']), 2);
  } finally {
    console.error = original;
  }
  assert.match(String(errors[1]), /Invalid fault spec "delay:nowhere:5"/);
});

void test('tsx demo-portal/cli.ts serves until SIGTERM, prints URLs, token and accounts but no secrets', async () => {
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'demo-portal/cli.ts', '--no-https', '--fault', 'extra-step'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (!out.includes('Press Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /Press Ctrl-C/, out);
    const url = /HTTP: +(http:\/\/127\.0\.0\.1:\d+)\/login/.exec(out)?.[1] ?? '';
    const token = /Admin token: ([0-9a-f]{64})/.exec(out)?.[1] ?? '';
    assert.equal((await rawRequest(new URL(`${url}/login`), 'GET', {})).status, 200);
    const faults = await rawRequest(new URL(`${url}/__admin/faults`), 'GET', { authorization: `Bearer ${token}` });
    assert.deepEqual(JSON.parse(faults.body), { faults: ['extra-step'] });
    for (const a of BUILT_IN_ACCOUNTS) {
      assert.ok(out.includes(a.username), a.username);
      assert.ok(!out.includes(a.password) && !out.includes(a.totpSeed), `secret of ${a.username} printed`);
    }
    assert.match(out, /demo-portal\/accounts\.ts/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
  assert.match(out, /SIGTERM received, stopped/);
});
