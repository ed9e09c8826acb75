/**
 * The quarterly GitHub Actions example is documentation people copy into
 * .github/workflows/: it must be a valid workflow (checked offline with
 * @action-validator/cli, whose rejection of a broken copy shows it really checks), and
 * its matrix must split the work the way the comments promise — one run group, one
 * output folder and one set of accounts per machine, the session/security checks on
 * one machine only, secrets only in `env:`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowCommands, workflowRunScripts, TEST_RUN_GROUP } from '../helpers/workflow.ts';
import { parse } from 'yaml';
import { repoRoot, tempDir } from './helpers.ts';

const workflow = path.join(repoRoot, 'config/examples/quarterly-matrix.workflow.yml');
const validatorBin = path.join(repoRoot, 'node_modules/.bin', process.platform === 'win32' ? 'action-validator.cmd' : 'action-validator');

/** Runs action-validator on `file`: its exit code and what it printed (errors are JSON on stderr). */
function validate(file: string): { status: number | null; output: string } {
  const r = spawnSync(validatorBin, [file], { encoding: 'utf8', timeout: 60_000, shell: process.platform === 'win32' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The value after `flag` in argv, or undefined. */
function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
}

/** argv without `names` and their values. */
function without(argv: string[], names: string[]): string[] {
  return argv.filter((_, i) => !names.includes(argv[i] as string) && !names.includes(argv[i - 1] as string));
}

void test('the workflow is valid for @action-validator/cli', () => {
  const { status, output } = validate(workflow);
  assert.equal(status, 0, `action-validator rejected ${workflow}:\n${output}`);
});

void test('the validator rejects a broken copy (a job without runs-on, an unknown job key)', (t) => {
  const tmp = tempDir(t, 'pp-workflow-');
  const text = readFileSync(workflow, 'utf8');
  const noRunsOn = text.replace(/^ {4}runs-on: ubuntu-latest\n/m, '');
  assert.notEqual(noRunsOn, text, 'the merge job has a runs-on line to remove');
  const unknownKey = text.replace(/^ {4}steps:$/m, '    stepz:');
  assert.notEqual(unknownKey, text, 'a job has a steps: line to rename');
  for (const [name, broken, expected] of [
    ['no-runs-on.workflow.yml', noRunsOn, /runs-on/],
    ['stepz.workflow.yml', unknownKey, /Additional property 'stepz' is not allowed/],
  ] as const) {
    const { status, output } = validate(tmp.write(name, broken));
    assert.notEqual(status, 0, `${name} was accepted:\n${output}`);
    assert.match(output, expected, output);
  }
});

void test('four matrix shares and one merge: one run group, distinct outputs and accounts, checks on ubuntu shard 1', () => {
  const { shards, merge } = workflowCommands(workflow);
  assert.deepEqual(
    shards.map((s) => [s.os, flag(s.command, '--shard') ?? null]),
    [
      ['ubuntu-latest', '1/2'],
      ['ubuntu-latest', '2/2'],
      ['windows-latest', null],
      ['macos-latest', null],
    ],
  );
  for (const s of shards) {
    assert.deepEqual(s.command.slice(0, 3), ['run', '--config', 'portal-probe.config.ts'], s.name);
    assert.equal(flag(s.command, '--run-group'), TEST_RUN_GROUP, s.name);
    assert.equal(flag(s.command, '--label'), 'vendorVersion=scheduled', s.name);
    assert.equal(flag(s.command, '--output'), `bundles/${s.name}`, s.name);
    assert.ok(!s.command.some((w) => w.includes('${{')), `${s.name}: unexpanded expression in ${s.command.join(' ')}`);
  }
  assert.equal(new Set(shards.map((s) => flag(s.command, '--output'))).size, shards.length, 'every share writes its own folder');

  const [u1, u2, win, mac] = shards;
  assert.ok(u1 && u2 && win && mac);
  assert.equal(flag(u1.command, '--browsers'), 'chromium,firefox');
  assert.equal(flag(u1.command, '--viewports'), 'desktop,android,iphone');
  const rest = ['--shard', '--accounts', '--output'];
  assert.deepEqual(without(u1.command, rest), without(u2.command, rest), 'the ubuntu shares differ only in --shard, --accounts and --output');

  // The session/security checks run on ubuntu shard 1 (the --shard default); the others run logins only.
  for (const s of [u1, u2]) assert.equal(flag(s.command, '--checks'), undefined, s.name);
  for (const s of [win, mac]) assert.equal(flag(s.command, '--checks'), 'login', s.name);
  assert.equal(flag(win.command, '--browsers'), 'edge,chrome');
  assert.equal(flag(mac.command, '--browsers'), 'webkit');
  assert.equal(flag(mac.command, '--viewports'), 'desktop,iphone');

  const seen = new Map<string, string>();
  for (const s of shards) {
    const ids = (flag(s.command, '--accounts') ?? '').split(',').filter(Boolean);
    assert.ok(ids.length > 0, `${s.name} passes --accounts`);
    for (const id of ids) {
      assert.equal(seen.get(id), undefined, `account ${id} is used by both ${seen.get(id)} and ${s.name}`);
      seen.set(id, s.name);
    }
  }

  assert.deepEqual(merge, ['merge', 'bundles/*/*', '--output', 'merged']);
});

void test('no run: script contains a secret expression (secrets go in env: only)', () => {
  const scripts = workflowRunScripts(workflow);
  assert.ok(scripts.length >= 6, `found ${scripts.length} run: scripts`);
  for (const s of scripts) assert.doesNotMatch(s.run, /\$\{\{\s*secrets\./, `jobs.${s.job} step "${s.step}" puts a secret in its script`);
  // …and the secrets are really there, in the run step's env.
  assert.match(readFileSync(workflow, 'utf8'), /^ {10}PORTAL_TOTP_LINUX_1A: \$\{\{ matrix\.pool == 'linux-1' && secrets\.PORTAL_TOTP_LINUX_1A \|\| '' \}\}$/m);
});

void test('each job gets only its own accounts\' secrets: every secret in the run step\'s env is gated by the pool of the job that logs in with it', () => {
  const doc = parse(readFileSync(workflow, 'utf8')) as { jobs: { matrix: { strategy: { matrix: { include: { pool: string; accounts: string }[] } }; steps: { env?: Record<string, string> }[] } } };
  const job = doc.jobs.matrix;
  const env = job.steps.find((s) => s.env && Object.values(s.env).some((v) => v.includes('secrets.')))?.env ?? {};
  const entries = Object.entries(env).filter(([, v]) => v.includes('secrets.'));
  assert.equal(entries.length, 16, 'a password and a TOTP seed for each of the 8 accounts');
  const poolOf = new Map(job.strategy.matrix.include.flatMap((m) => m.accounts.split(',').map((a) => [a.toUpperCase().replace(/-/g, '_'), m.pool] as [string, string])));
  for (const [name, value] of entries) {
    const account = name.replace(/^PORTAL_(PASSWORD|TOTP)_/, '');
    const pool = poolOf.get(account);
    assert.ok(pool, `${name}: no matrix entry logs in with account ${account}`);
    assert.equal(value, `\${{ matrix.pool == '${pool}' && secrets.${name} || '' }}`, name);
  }
});
