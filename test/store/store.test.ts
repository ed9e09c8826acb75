/**
 * The history store on a real SQLite file: what a run records comes back whole; WAL and
 * migrations at start-up; a newer schema, a corrupt file, a foreign database and an
 * unwritable path each refused with a sentence naming the file and nothing lost; two
 * processes writing at once both land whole; retention; and no SQLite-only SQL outside
 * the SQLite adapter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { openStore, fromRun } from '../../store/index.ts';
import { SCHEMA_VERSION } from '../../store/migrations.ts';
import { isHarnessError } from '../../core/errors.ts';
import { tempDir } from '../helpers/cli.ts';
import { syntheticRun } from '../helpers/history.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = tempDir();
test.after(() => tmp.cleanup());
const T0 = Date.parse('2026-11-01T00:00:00Z');
const record = (run: ReturnType<typeof syntheticRun>) => fromRun(run);

test('a recorded run comes back whole: run, labels, results, steps, measurements; newest first per key', async () => {
  const file = path.join(tmp.dir, 'a', 'history.db');
  const store = await openStore(file, tmp.dir);
  const runs = [0, 1, 2].map((i) => syntheticRun(T0 + i * 60_000, [
    { steps: [['open', 400 + i], ['sign in', 900 + i]] },
    { browser: 'firefox', outcome: 'failed', failedStep: 'sign in', steps: [['open', 500], ['sign in', 15_000, 'failed'], ['dashboard', null]] },
    { journey: 'idle expiry', check: { kind: 'idle-expiry', measurements: [{ name: 'idle timeout', value: 600, unit: 's', expected: 600, lo: 590, hi: 610 }] } },
  ], { labels: { vendorVersion: i < 2 ? '2026.2' : '2026.3', site: 'dmz' } }));
  for (const r of runs) await store.record(record(r));
  assert.equal(readFileSync(file).subarray(0, 15).toString(), 'SQLite format 3');
  assert.ok(existsSync(`${file}-wal`), 'the store runs in WAL mode');

  const all = await store.runs({});
  assert.deepEqual(all.map((r) => r.id), runs.map((r) => r.runId).reverse());
  assert.deepEqual(all[0]?.labels, { vendorVersion: '2026.3', site: 'dmz' });
  assert.equal(all[0]?.host, 'test-host');
  assert.deepEqual((await store.runs({ labels: { vendorVersion: '2026.2', site: 'dmz' } })).map((r) => r.id), [runs[1]?.runId, runs[0]?.runId]);
  assert.deepEqual(await store.runs({ labels: { vendorVersion: '2026.9' } }), []);
  assert.deepEqual((await store.runs({ before: T0 + 60_000 })).map((r) => r.id), [runs[0]?.runId]);
  assert.deepEqual((await store.runs({ ids: [runs[2]!.runId] })).map((r) => r.id), [runs[2]?.runId]);
  assert.equal((await store.runs({ limit: 2 })).length, 2);

  const results = await store.results([runs[0]!.runId]);
  assert.equal(results.length, 3);
  const ff = results.find((r) => r.browser === 'firefox');
  assert.deepEqual(ff?.steps.map((s) => [s.name, s.status, s.durationMs]), [['open', 'passed', 500], ['sign in', 'failed', 15_000], ['dashboard', 'not-reached', null]]);
  assert.equal(ff?.failedStep, 'sign in');
  const idle = results.find((r) => r.kind === 'idle-expiry');
  assert.deepEqual(idle?.measurements, [{ name: 'idle timeout', value: 600, unit: 's', expected: 600, lo: 590, hi: 610 }]);

  const h = await store.keyHistory({ portal: 'demo', journey: 'physician login', browser: 'chromium', viewport: 'desktop', location: 'test-host' }, { limit: 10 });
  assert.deepEqual(h.map((r) => r.steps[0]?.durationMs), [402, 401, 400]);
  assert.deepEqual((await store.keyHistory({ portal: 'demo', journey: 'physician login', browser: 'chromium', viewport: 'desktop', location: 'elsewhere' }, { limit: 10 })), [], 'baselines are per location');

  assert.equal(await store.accept([runs[2]!.runId]), 7);
  assert.ok((await store.results([runs[2]!.runId])).every((r) => r.steps.every((s) => s.accepted)));
  await assert.rejects(store.record(record(runs[0]!)), (e: unknown) => isHarnessError(e) && e.message.includes(file), 'a run recorded twice is refused, naming the store');
  assert.equal((await store.runs({})).length, 3, 'and the refused write left nothing half-done');

  assert.equal(await store.prune(T0 + 90_000), 2);
  assert.deepEqual((await store.runs({})).map((r) => r.id), [runs[2]?.runId]);
  assert.equal((await store.results([runs[0]!.runId])).length, 0, 'pruned runs take their results along');
  await store.close();
});

test('a store from a newer portal-probe is refused, naming the file and both versions, and left as it was', async () => {
  const file = path.join(tmp.dir, 'newer.db');
  await (await openStore(file, tmp.dir)).close();
  const raw = new BetterSqlite3(file);
  raw.prepare('insert into pp_schema (version, applied_at) values (?, ?)').run(SCHEMA_VERSION + 5, Date.now());
  raw.close();
  await assert.rejects(openStore(file, tmp.dir), (e: unknown) => isHarnessError(e) && e.code === 'STORE_VERSION' && e.message.includes(file) && e.message.includes(`schema version ${SCHEMA_VERSION + 5}`));
  const again = new BetterSqlite3(file, { readonly: true });
  assert.equal((again.prepare('select max(version) v from pp_schema').get() as { v: number }).v, SCHEMA_VERSION + 5);
  again.close();
});

test('a corrupt store, a foreign database and an unwritable path: each a clear error naming the file; the corrupt file is not touched', async () => {
  const corrupt = path.join(tmp.dir, 'corrupt.db');
  const garbage = Buffer.from('this is not a database, it is a canary 8c1f\n'.repeat(200));
  writeFileSync(corrupt, garbage);
  await assert.rejects(openStore(corrupt, tmp.dir), (e: unknown) => isHarnessError(e) && e.code === 'STORE_CORRUPT' && e.message.includes(corrupt) && /move it aside/.test(e.message));
  assert.deepEqual(readFileSync(corrupt), garbage, 'nothing else is lost');

  const foreign = path.join(tmp.dir, 'foreign.db');
  const raw = new BetterSqlite3(foreign);
  raw.exec('create table patients (id integer)');
  raw.close();
  await assert.rejects(openStore(foreign, tmp.dir), (e: unknown) => isHarnessError(e) && e.code === 'STORE_CORRUPT' && e.message.includes(foreign) && e.message.includes('patients'));

  const blocker = path.join(tmp.dir, 'a-file');
  writeFileSync(blocker, 'x');
  const unwritable = path.join(blocker, 'history.db');
  await assert.rejects(openStore(unwritable, tmp.dir), (e: unknown) => isHarnessError(e) && e.code === 'STORE_UNWRITABLE' && e.message.includes(unwritable));
});

test('two processes writing at once both land whole', async () => {
  const file = path.join(tmp.dir, 'parallel.db');
  const script = `
    import { openStore, fromRun } from ${JSON.stringify(path.join(ROOT, 'store/index.ts'))};
    import { syntheticRun } from ${JSON.stringify(path.join(ROOT, 'test/helpers/history.ts'))};
    const who = process.env.PP_WRITER;
    const store = await openStore(${JSON.stringify(file)}, process.cwd());
    for (let i = 0; i < 40; i++) {
      const results = Array.from({ length: 12 }, (_, j) => ({ journey: 'j' + j, steps: [['open', 100 + i], ['sign in', 200 + j], ['totp', 300]] }));
      await store.record(fromRun(syntheticRun(Date.parse('2026-11-02T00:00:00Z') + i * 1000, results, { id: who + '-' + i, labels: { writer: who } })));
    }
    await store.close();
  `;
  const run = (who: string): Promise<number> => new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, PP_WRITER: who }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => resolve(code ?? 1));
  });
  assert.deepEqual(await Promise.all([run('a'), run('b')]), [0, 0]);
  const store = await openStore(file, tmp.dir);
  for (const who of ['a', 'b']) {
    const runs = await store.runs({ labels: { writer: who }, limit: 100 });
    assert.equal(runs.length, 40, `writer ${who}: every run landed`);
    const results = await store.results(runs.map((r) => r.id));
    assert.equal(results.length, 40 * 12);
    assert.ok(results.every((r) => r.steps.length === 3), 'with all its steps');
  }
  await store.close();
});

test('no SQLite-only SQL outside the SQLite adapter', () => {
  const dir = path.join(ROOT, 'store');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts') && x !== 'sqlite.ts')) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const bad of [/\bsql`/, /pragma/i, /begin immediate/i, /sqlite_master/i, /\bautoincrement\b/i, /better-sqlite3/, /\.raw\(/]) {
      assert.doesNotMatch(text, bad, `store/${f} uses engine-specific SQL (${bad.source})`);
    }
  }
  for (const folder of ['analysis', 'scripts']) {
    for (const f of readdirSync(path.join(ROOT, folder)).filter((x) => x.endsWith('.ts'))) {
      assert.doesNotMatch(readFileSync(path.join(ROOT, folder, f), 'utf8'), /from 'kysely'|better-sqlite3/, `${folder}/${f} reaches past the store interface`);
    }
  }
});

test('probeWrite (readiness) commits a real write: another connection sees it', async () => {
  const file = path.join(tmp.dir, 'probe', 'history.db');
  const store = await openStore(file, tmp.dir);
  const other = new BetterSqlite3(file, { readonly: true });
  try {
    const rows = (): { writer: string; at: number }[] => other.prepare('select writer, at from pp_write_probe').all() as { writer: string; at: number }[];
    assert.deepEqual(rows(), []);
    const t0 = Date.now();
    await store.probeWrite();
    await store.probeWrite();
    const after = rows();
    assert.equal(after.length, 1, 'one row per writing process');
    assert.ok(after[0]!.writer.endsWith(`:${process.pid}`) && after[0]!.at >= t0);
  } finally {
    other.close();
    await store.close();
  }
});

test('a large run lands whole: every result, step and measurement once, over the insert batch sizes; budgets, requirement ids and screenshots (v4) kept', async () => {
  const store = await openStore(path.join(tmp.dir, 'large', 'history.db'), tmp.dir);
  // 60 results × 8 steps = 480 step rows and 60 measurements: several batches of each table.
  const steps: [string, number][] = ['open', 'username', 'password', 'sign in', 'TOTP', 'acknowledge', 'dashboard', 'sign out'].map((n, i) => [n, 100 + i]);
  const run = syntheticRun(T0, Array.from({ length: 60 }, (_, i) => ({
    journey: `journey ${i}`, steps, check: { kind: 'cookie-policy', measurements: [{ name: 'session cookies', value: i, unit: 'cookies' }] },
  })));
  for (const r of run.results) {
    r.steps = r.steps.map((s) => ({ ...s, budgetMs: 5000 }));
    if (r.check) r.check.requirements = ['REQ-1', `REQ-${r.journey}`];
    r.artifacts.screenshot = `/runs/${r.journey}/failure.png`;
  }
  await store.record(record(run));
  const back = await store.results([run.runId]);
  await store.close();
  assert.equal(back.length, 60);
  assert.equal(back.reduce((n, r) => n + r.steps.length, 0), 480);
  assert.equal(back.reduce((n, r) => n + r.measurements.length, 0), 60);
  const one = back.find((r) => r.journey === 'journey 42');
  assert.deepEqual(one?.steps.map((s) => [s.name, s.durationMs, s.budgetMs]), steps.map(([n, d]) => [n, d, 5000]));
  assert.deepEqual(one?.requirements, ['REQ-1', 'REQ-journey 42']);
  assert.equal(one?.screenshot, '/runs/journey 42/failure.png');
  assert.equal(one?.measurements[0]?.value, 42);
});
