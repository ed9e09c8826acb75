/**
 * Merging bundles written the way `portal-probe run` writes them (results.json, then
 * bundle.json): placeholders replaced, a cell run twice kept twice, ids that no longer
 * collide, the shared-account warning, and the config identity merge relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configIdentity } from '../../config/identity.ts';
import { demoConfig } from '../../config/demo.config.ts';
import { configSchema } from '../../config/schema.ts';
import type { RunResult } from '../../core/result.ts';
import { writeBundle } from '../../report/bundle.ts';
import { mergeBundles } from '../../report/merge.ts';
import { buildReport } from '../../report/model.ts';
import { fromBundles, fromJourneyResult } from '../../report/sources.ts';
import { readBundles } from '../../report/merge.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { runSet } from '../helpers/report-data.ts';

const tmp = tempDir('pp-merge-');
test.after(() => tmp.cleanup());

function bundle(name: string, run: RunResult, host: string): string {
  const dir = path.join(tmp.dir, name, run.runId);
  mkdirSync(dir, { recursive: true });
  const r = { ...run, host, configHash: 'sha256:same', group: 'g-1' };
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r));
  writeBundle(dir, r, { runnable: [], notRun: [] });
  return dir;
}

/** One synthetic matrix run split by browser: machine A ran Chromium (Firefox not run there), B the reverse, C Chromium again. */
function machines(): { a: RunResult; b: RunResult; c: RunResult } {
  const [whole] = runSet({ runs: 1, cells: ['chromium/desktop', 'firefox/desktop'], journeys: 1 });
  if (!whole) throw new Error('no run');
  const only = (browser: string, id: string, shiftMs: number): RunResult => ({
    ...whole, runId: id,
    results: whole.results.map((r) => (r.browser.name === browser
      ? { ...r, runId: id, startedAt: new Date(Date.parse(r.startedAt) + shiftMs).toISOString() }
      : { ...r, runId: id, outcome: 'not-run' as const, reason: `${r.browser.name} not found`, steps: [], durationMs: null })),
  });
  return { a: only('chromium', 'run-a', 0), b: only('firefox', 'run-b', 0), c: only('chromium', 'run-c', 3_600_000) };
}

test('a ran result replaces the placeholders of its cell; a cell run on two machines is kept twice; ids gain the machine', () => {
  const { a, b, c } = machines();
  const dirs = [bundle('a', a, 'linux-1'), bundle('b', b, 'linux-2'), bundle('c', c, 'mac-1')];
  const { run, warnings } = mergeBundles(dirs, { maxApartMs: 12 * 3_600_000 });
  const login = run.results.filter((r) => r.journey === 'login 1');
  assert.deepEqual(login.map((r) => `${r.browser.name} ${r.outcome} ${r.source?.host}`).sort(), ['chromium passed linux-1', 'chromium passed mac-1', 'firefox passed linux-2']);
  assert.deepEqual(run.results.filter((r) => r.outcome === "not-run").map((r) => r.id), [], "no placeholder survives a ran result");
  assert.equal(new Set(run.results.map((r) => r.id)).size, run.results.length);
  assert.ok(login.some((r) => r.id === 'demo/login 1/chromium/desktop@mac-1'), login.map((r) => r.id).join(', '));
  assert.equal(run.group, 'g-1');
  assert.equal(run.exitCode, 0);
  // A and B shared an account at the same moment; C, an hour later, did not.
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /run-a and .*run-b used account acct-0/);
  // The report shows the twice-run cell as such, and counts it once.
  const report = buildReport({ source: { kind: 'bundles', where: dirs, selection: 'test' }, ...fromBundles(readBundles(dirs, 12 * 3_600_000)) });
  const cell = report.rows.find((r) => r.journey === 'login 1')?.cells.find((x) => x.column === 'chromium/desktop');
  assert.equal(cell?.duplicates, 1);
  assert.deepEqual(cell?.hosts.sort(), ['linux-1', 'mac-1']);
  assert.equal(report.summary.cells, 3);
  assert.ok(report.summary.lines.some((l) => /^2 cells ran on more than one machine in one run; every result is kept\./.test(l)), report.summary.lines.join('\n'));
});

test('"since" is when the failures that continue to the newest result began: none once the cell passes again', () => {
  const runs = runSet({ runs: 4, cells: ['chromium/desktop', 'firefox/desktop'], journeys: 1, failing: { cell: 'firefox/desktop', journey: 0, fromRun: 1 } });
  const input = (rs: RunResult[]): Parameters<typeof buildReport>[0] => ({
    source: { kind: 'bundles', where: [], selection: 'test' },
    runs: rs.map((r) => ({ id: r.runId, group: null, host: r.host, location: r.location, startedAt: Date.parse(r.startedAt), finishedAt: Date.parse(r.finishedAt), labels: {}, shard: null, os: null, configHash: null })),
    results: rs.flatMap((r) => r.results.map((x) => fromJourneyResult(x, r, null))),
  });
  const cellOf = (rs: RunResult[]) => buildReport(input(rs)).rows.find((r) => r.journey === 'login 1')?.cells.find((c) => c.column === 'firefox/desktop');
  assert.equal(cellOf(runs)?.since?.slice(0, 10), '2026-11-02');
  // The newest run passes again: the cell still shows its failures (the worst), but no "since".
  const last = runs[3] as RunResult;
  const recovered = [...runs.slice(0, 3), { ...last, results: last.results.map((r) => (r.browser.name === 'firefox' && r.journey === 'login 1' ? { ...r, outcome: 'passed' as const } : r)) }];
  assert.equal(cellOf(recovered)?.outcome, 'failed');
  assert.equal(cellOf(recovered)?.since, null);
});

test('two machines that used one account within one TOTP time step are warned about; separate accounts are not', () => {
  const { a, b } = machines();
  // A and B signed in with the same account ids (acct-0) at the same time.
  const warned = mergeBundles([bundle('w1', a, 'linux-1'), bundle('w2', b, 'linux-2')], { maxApartMs: 3_600_000 }).warnings;
  assert.ok(warned.some((w) => /used account acct-0 of demo within neighbouring TOTP time steps/.test(w)), warned.join('\n'));
  assert.equal(warned.length, 1, 'one warning per account and pair of bundles');
  const own = { ...b, runId: 'run-b2', results: b.results.map((r) => ({ ...r, runId: 'run-b2', account: r.account ? `${r.account}-b` : null })) };
  assert.deepEqual(mergeBundles([bundle('w3', a, 'linux-1'), bundle('w4', own, 'linux-2')], { maxApartMs: 3_600_000 }).warnings, []);
});

test('a config\'s identity: the same config in another key order is the same; another journey or browser list is not', () => {
  const base = configSchema.parse(demoConfig);
  const reordered = configSchema.parse(Object.fromEntries(Object.entries(demoConfig).reverse()));
  assert.equal(configIdentity(base), configIdentity(reordered));
  assert.match(configIdentity(base), /^sha256:[0-9a-f]{64}$/);
  const changed = configSchema.parse({ ...demoConfig, browsers: ['chromium'] });
  assert.notEqual(configIdentity(changed), configIdentity(base));
  const budget = configSchema.parse({ ...demoConfig, budgets: { default: 4000 } });
  assert.notEqual(configIdentity(budget), configIdentity(base));
  // Each machine's own settings are not part of it.
  const local = configSchema.parse({ ...demoConfig, workers: 7, location: 'clinic-3', outputDir: 'elsewhere', store: 'other.db' });
  assert.equal(configIdentity(local), configIdentity(base));
});

test('run\'s matrix options are checked before anything runs: --shard, --checks-shard, --accounts', async () => {
  const cwd = tmp.dir;
  const cases: [string[], RegExp][] = [
    [['run', '--shard', '3/2'], /--shard 3\/2 must look like i\/n with 1 <= i <= n/],
    [['run', '--shard', 'two'], /--shard two must look like i\/n/],
    [['run', '--checks-shard', '2'], /--checks-shard applies only with --shard/],
    [['run', '--shard', '1/2', '--checks-shard', '3'], /--checks-shard 3 is not one of the 2 shards/],
    [['run', '--accounts', 'dr.rivera,dr.nobody'], /--accounts names unknown account\(s\): dr\.nobody\./],
    [['run', '--accounts', 'dr.rivera', '--journeys', 'billing login'], /--accounts leaves journey "billing login" of portal "demo-provider" no account to use \(it needs account billing\.chen\)/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runCli([...args, '--output', 'out'], { cwd });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});
