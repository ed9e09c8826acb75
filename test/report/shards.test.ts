/**
 * Matrix runs across machines, on this machine: the quarterly workflow's own share and
 * merge commands, and a 3-way split, each run as separate processes against the embedded
 * demo portal, merged, give the same cells and outcomes as one unsharded run. Also: the
 * checks run on the named shard only, and merge refuses what does not belong together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../core/result.ts';
import type { Report } from '../../report/schema.ts';
import { ROOT, latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { TEST_RUN_GROUP, workflowCommands } from '../helpers/workflow.ts';

const WORKFLOW = path.join(ROOT, 'config', 'examples', 'quarterly-matrix.workflow.yml');
/** Narrowed for test time: both flavours' physician login, and one check of each. */
const JOURNEYS = ['--journeys', 'physician login,cookie-policy'];
/** The demo's physician accounts, split into the workflow's pools (each machine its own). */
const DEMO_ACCOUNTS: Record<string, string> = {
  'ubuntu-1': 'dr.rivera,dr.patel,dr.nguyen,dr.haddad',
  'ubuntu-2': 'dr.kim,dr.okoye,dr.silva,dr.larsen',
  windows: 'dr.rivera,dr.nguyen',
  macos: 'dr.patel,dr.haddad',
};

/** The workflow's command for this machine: the embedded demo instead of the config file, the demo's accounts, fewer journeys. */
function adapt(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--config') { i++; continue; }
    if (a === '--accounts') { out.push(a, DEMO_ACCOUNTS[name] ?? ''); i++; continue; }
    out.push(a);
  }
  return [...out, ...JOURNEYS];
}

type Cell = string;
const cells = (results: RunResult['results']): Cell[] => results.map((r) => `${r.portal} › ${r.journey} ${r.browser.name}/${r.viewport.name} ${r.outcome}`).sort();
const withoutOutcome = (c: Cell[]): string[] => c.map((x) => x.replace(/ \S+$/, ''));

function bundlesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((share) => readdirSync(path.join(dir, share)).map((run) => path.join(dir, share, run)));
}

test('the workflow\'s shares and merge, and a 3-way split with the checks on shard 2, give one unsharded run\'s cells; bad bundles are refused', { timeout: 900_000 }, async (t) => {
  const tmp = tempDir('pp-shards-');
  t.after(tmp.cleanup);
  const cwd = tmp.dir;
  const flow = workflowCommands(WORKFLOW);
  const ubuntu = flow.shards.filter((s) => s.os === 'ubuntu-latest');
  const first = ubuntu[0];
  assert.ok(first, 'the workflow has ubuntu shares');

  // One unsharded run of the same config and matrix: the ubuntu share's command without its share.
  const dropped = new Set(['--shard', '--accounts', '--run-group']);
  const whole = adapt(first.command, first.name).filter((a, i, all) => !dropped.has(a) && !dropped.has(all[i - 1] ?? ''))
    .map((a) => (a.startsWith('bundles/') ? 'whole' : a));
  const unsharded = await runCli(whole, { cwd });
  assert.equal(unsharded.code, 0, unsharded.stdout + unsharded.stderr);
  const reference = latestRun(path.join(cwd, 'whole')).run;
  const expected = cells(reference.results);
  assert.ok(reference.results.some((r) => r.journey === 'cookie-policy' && r.outcome === 'passed'), 'the reference run ran a check');

  await t.test('the workflow\'s four shares, as separate processes, merged with its merge command', async () => {
    for (const share of flow.shards) {
      const r = await runCli(adapt(share.command, share.name), { cwd });
      // Windows and macOS shares have no browser here: every cell "not run", which is no pass (exit 2).
      assert.ok(r.code === 0 || (share.os !== 'ubuntu-latest' && r.code === 2), `${share.name}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    }
    const [cmd, ...args] = flow.merge;
    assert.equal(cmd, 'merge');
    const expanded = args.flatMap((a) => (a === 'bundles/*/*' ? bundlesUnder(path.join(cwd, 'bundles')) : [a]));
    const merged = await runCli([cmd, ...expanded], { cwd });
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    const run = JSON.parse(readFileSync(path.join(cwd, 'merged', 'results.json'), 'utf8')) as RunResult;
    const ran = run.results.filter((r) => r.outcome !== 'not-run');
    // Chromium and Firefox cells: as in the unsharded run.
    assert.deepEqual(cells(ran), expected.filter((c) => !c.endsWith('not-run')));
    // Edge, Chrome and WebKit cells: not run, with their reason, never a pass.
    const notRun = run.results.filter((r) => r.outcome === 'not-run');
    assert.ok(notRun.length > 0 && notRun.every((r) => ['edge', 'chrome', 'webkit'].includes(r.browser.name) && /not found|not installed|no /i.test(r.reason ?? '')), JSON.stringify(notRun.map((r) => r.reason)));
    assert.equal(run.group, TEST_RUN_GROUP);
    assert.equal(run.merged?.runs.length, 4);
    // Result ids gained the machine and shard.
    assert.equal(new Set(run.results.map((r) => r.id)).size, run.results.length);
    assert.ok(ran.every((r) => /@.+#[12]of2$/.test(r.id)), ran.map((r) => r.id).join(', '));
    // The checks ran on shard 1 only, and the report says so.
    assert.ok(ran.filter((r) => r.journey === 'cookie-policy').every((r) => r.source?.shard === '1/2'));
    const report = JSON.parse(readFileSync(path.join(cwd, 'merged', 'report.json'), 'utf8')) as Report;
    assert.deepEqual(report.checksRanOn.map((x) => x.replace(/^.* \(/, '(')), ['(shard 1/2)']);
    assert.equal(report.summary.cells, report.rows.reduce((n, r) => n + r.cells.length, 0));
    assert.ok(existsSync(path.join(cwd, 'merged', 'report.md')) && existsSync(path.join(cwd, 'merged', 'report.html')));
    // Each machine's run is in the store with the shared group; the report can be derived from it again.
    const again = await runCli(['report', '--group', TEST_RUN_GROUP, '--output', 'from-store'], { cwd });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const fromStore = JSON.parse(readFileSync(path.join(cwd, 'from-store', 'report.json'), 'utf8')) as Report;
    assert.equal(fromStore.runs.length, 4);
    assert.deepEqual(fromStore.summary, { ...report.summary, lines: fromStore.summary.lines });
  });

  await t.test('three shards, with the checks on shard 2', async () => {
    const base = whole.map((a) => (a === 'whole' ? 'three' : a));
    for (let i = 1; i <= 3; i++) {
      const r = await runCli([...base, '--shard', `${i}/3`, '--checks-shard', '2', '--run-group', 'three-way'], { cwd });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    const bundles = readdirSync(path.join(cwd, 'three')).map((d) => path.join(cwd, 'three', d));
    assert.equal(bundles.length, 3);
    const shares = bundles.map((b) => JSON.parse(readFileSync(path.join(b, 'results.json'), 'utf8')) as RunResult);
    for (const s of shares) {
      const checks = s.results.filter((r) => r.journey === 'cookie-policy');
      assert.equal(checks.length > 0, s.shard?.index === 2, `shard ${s.shard?.index} ran ${checks.length} check(s)`);
      assert.ok(s.results.length > 0, `shard ${s.shard?.index} had a share`);
    }
    const merged = await runCli(['merge', ...bundles, '--output', 'merged-3'], { cwd });
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    const run = JSON.parse(readFileSync(path.join(cwd, 'merged-3', 'results.json'), 'utf8')) as RunResult;
    assert.deepEqual(cells(run.results), expected);
    assert.deepEqual(withoutOutcome(cells(run.results)), withoutOutcome(expected));
  });

  await t.test('a missing, truncated, foreign or stale bundle is refused, naming it, and nothing is merged', async () => {
    const [good, other] = readdirSync(path.join(cwd, 'three')).map((d) => path.join(cwd, 'three', d));
    assert.ok(good && other);
    const refuse = async (bundles: string[], pattern: RegExp, out: string): Promise<void> => {
      const r = await runCli(['merge', ...bundles, '--output', out], { cwd });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(existsSync(path.join(cwd, out)), false, `${out} was written`);
    };
    await refuse([good, path.join(cwd, 'no-such-bundle')], /no-such-bundle: no such folder/, 'm1');
    const truncated = path.join(cwd, 'truncated');
    cpSync(good, truncated, { recursive: true });
    const file = path.join(truncated, 'results.json');
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    await refuse([other, truncated], /truncated: results\.json has \d+ bytes where \d+ were written \(truncated\)/, 'm2');
    const foreign = path.join(cwd, 'foreign');
    cpSync(good, foreign, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(foreign, 'bundle.json'), 'utf8')) as { configHash: string; startedAt: string; runId: string };
    writeFileSync(path.join(foreign, 'bundle.json'), JSON.stringify({ ...manifest, configHash: 'sha256:0000' }));
    await refuse([other, foreign], /foreign was run with another config/, 'm3');
    const stale = path.join(cwd, 'stale');
    cpSync(good, stale, { recursive: true });
    writeFileSync(path.join(stale, 'bundle.json'), JSON.stringify({ ...manifest, startedAt: new Date(Date.parse(manifest.startedAt) - 3 * 86_400_000).toISOString() }));
    await refuse([other, stale], /started \d+\.\d h apart, more than --max-apart allows/, 'm4');
    await refuse([good, good], /are the same run/, 'm5');
    // A shard that never reported: its cells are "not run" with the reason, and the merge is no pass (exit 2).
    const three = readdirSync(path.join(cwd, 'three')).map((d) => path.join(cwd, 'three', d));
    const withoutSecond = three.filter((b) => (JSON.parse(readFileSync(path.join(b, 'bundle.json'), 'utf8')) as { shard: { index: number } }).shard.index !== 2);
    assert.equal(withoutSecond.length, 2);
    const partial = await runCli(['merge', ...withoutSecond, '--output', 'partial', '--no-store'], { cwd });
    assert.equal(partial.code, 2, partial.stdout + partial.stderr);
    assert.match(partial.stderr, /no bundle of shard 2\/3 was merged: its cells are "not run"/);
    const run = JSON.parse(readFileSync(path.join(cwd, 'partial', 'results.json'), 'utf8')) as RunResult;
    assert.deepEqual(withoutOutcome(cells(run.results)), withoutOutcome(expected), 'every cell is there, ran or not');
    const gap = run.results.filter((r) => r.reason === 'not run: no bundle of shard 2/3 was merged');
    assert.ok(gap.length > 0 && gap.some((r) => r.journey === 'cookie-policy'), 'the missing shard\'s cells, its checks too');
    const noManifest = path.join(cwd, 'no-manifest');
    cpSync(good, noManifest, { recursive: true });
    writeFileSync(path.join(noManifest, 'bundle.json'), '{"format": "portal-probe-bundle", "vers');
    await refuse([noManifest], /no-manifest: bundle\.json is not valid JSON/, 'm6');
  });
});
