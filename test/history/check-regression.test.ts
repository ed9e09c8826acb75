/**
 * Check regressions and a store that cannot be written, against the demo portal in real
 * Chromium with a real database file: an idle timeout cut by the `idle-timeout` fault is a
 * check regression carrying both values; a store under a path that cannot be a directory
 * makes the run exit 2 with results.json still written, and a corrupt store loses nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians } from '../helpers/portal-config.ts';
import { TIMEOUTS, writeSecurityConfig } from '../helpers/security-config.ts';

let portal: DemoPortal;
const tmp = tempDir();
let setup: ReturnType<typeof writeSecurityConfig>;

before(async () => {
  portal = await startDemoPortal({ https: false, idleTimeoutMs: TIMEOUTS.idleMs, accounts: physicians('chk', 8) });
  setup = writeSecurityConfig(tmp.dir, portal, { pool: ['chk1', 'chk2', 'chk3', 'chk4', 'chk5', 'chk6'], lockoutAccount: 'chk7', enumAccount: 'chk8', only: ['idle-expiry'] });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

const run = (args: string[]) => runCli(['run', '--config', setup.configFile, ...args], { cwd: tmp.dir, env: setup.env, timeoutMs: 240_000 });

test('a shorter idle timeout is a check regression with both values', async () => {
  portal.setFaults([]);
  const clean = await run(['--journeys', 'idle expiry']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  portal.setFaults(['idle-timeout:5000ms']);
  portal.reset();
  const cut = await run(['--journeys', 'idle expiry']);
  assert.equal(cut.code, 1);
  const { run: result } = latestRun(setup.outputDir);
  const idle = result.results.find((r) => r.journey === 'idle expiry');
  assert.equal(idle?.cause, 'idle-timeout-too-short');
  assert.equal(idle?.verdict?.verdict, 'regressed', JSON.stringify(idle?.verdict));
  const finding = idle?.verdict?.findings.find((f) => f.kind === 'check');
  assert.equal(finding?.verdict, 'regressed');
  assert.equal(finding?.message, 'idle timeout changed: 10 s (7 s–13 s) → 7 s (…–7 s)');
  assert.match(cut.stdout, /▲ secure-portal › idle expiry {2}chromium\/desktop: idle timeout changed: 10 s \(7 s–13 s\) → 7 s/);
});

test('an unwritable store: exit 2, results.json still written with the reason; a corrupt store is left as it was', async () => {
  portal.setFaults([]);
  const blocker = path.join(tmp.dir, 'not-a-dir');
  writeFileSync(blocker, 'x');
  const out = path.join(tmp.dir, 'out-unwritable');
  const r = await run(['--journeys', 'physician login', '--store', path.join(blocker, 'history.db'), '--output', out]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /The history store .*not-a-dir\/history\.db cannot be written/);
  const { run: written } = latestRun(out);
  assert.equal(written.results.find((x) => x.journey === 'physician login')?.outcome, 'passed', 'the run itself is kept');
  assert.equal(written.store?.recorded, false);
  assert.match(written.store?.error ?? '', /not-a-dir\/history\.db/);

  const corrupt = path.join(tmp.dir, 'corrupt.db');
  const bytes = Buffer.from('not a database\n'.repeat(100));
  writeFileSync(corrupt, bytes);
  const out2 = path.join(tmp.dir, 'out-corrupt');
  const c = await run(['--journeys', 'physician login', '--store', corrupt, '--output', out2]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /corrupt\.db is corrupt or not a SQLite database/);
  assert.deepEqual(readFileSync(corrupt), bytes);
  assert.equal(latestRun(out2).run.results.find((x) => x.journey === 'physician login')?.outcome, 'passed');
});
