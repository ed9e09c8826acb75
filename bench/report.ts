/**
 * Compatibility report benchmarks (issue 08).
 *
 * report: a synthetic run set as `portal-probe run` records it (test/helpers/report-data.ts:
 *   5 login journeys × 6 browser/viewport cells = 30 journey cells, plus one check cell;
 *   8 timed steps each, one cell failing at TOTP over the last 3 runs, no screenshots),
 *   recorded in a scratch SQLite store file. Per round, the report path as
 *   `portal-probe report` takes it (scripts/report.ts), timed as a whole and by phase:
 *   open the store, select the run set (runSetFromStore), read each cell's history
 *   (historyFor), write report.html, report.md and report.json (writeReport), close.
 *   Three run sets:
 *   - 10 runs in the store, all 10 reported, --history 30;
 *   - 100 runs in the store, the newest 10 reported (--last 10), --history 100;
 *   - 100 runs in the store, all 100 reported, --history 100.
 *   Targets, each set: under 2 s and report.html under 5 MB. Then writeReport's own parts
 *   on the same input (build, schema check, each renderer), to show where its time goes;
 *   the same report by the real command in a child process (`node bin/portal-probe.js
 *   report`, start-up included: what a person waits for; at most 3 rounds, beside `report
 *   --help`, its start-up alone); and the peak RSS growth of one report path in a fresh
 *   process.
 *
 * merge: 3 results bundles (one run of the same 30 + 1 cells split by column over three
 *   machines, one run group, one config identity), then per round what `portal-probe merge
 *   --no-store` does: mergeBundles (every bundle read, its files' sizes and SHA-256 checked),
 *   the merged results.json, and the merged report. No target.
 *
 * Median and spread (min … max) over ROUNDS rounds; each round writes a fresh folder.
 *
 *   npx tsx bench/report.ts [--quick] [--rounds N] [--no-cli]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../core/result.ts';
import { summarize } from '../core/result.ts';
import { writeBundle } from '../report/bundle.ts';
import { renderHtml } from '../report/html.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { mergeBundles } from '../report/merge.ts';
import { buildReport, type ReportInput } from '../report/model.ts';
import { reportSchema } from '../report/schema.ts';
import { fromBundles, historyFor, runSetFromStore } from '../report/sources.ts';
import { writeReport } from '../report/write.ts';
import { fromRun, openStore, type RunQuery } from '../store/index.ts';
import { runSet } from '../test/helpers/report-data.ts';
import { QUICK, ROOT, intFlag, loadMonitor, median, printTable, scratchDir, timedSpawn } from './lib.ts';

const ROUNDS = intFlag('--rounds', QUICK ? 3 : 5, 1);
const CLI = !process.argv.includes('--no-cli');
const CELLS = ['chromium/desktop', 'firefox/desktop', 'webkit/desktop', 'edge/desktop', 'chrome/desktop', 'chromium/android'];
const JOURNEYS = 5;
const LABELS = { vendorVersion: '2026.3' };
const TARGET_MS = 2000;
const TARGET_BYTES = 5_000_000;
/** The real command is spawned fewer times: start-up is most of its time, and the same each run. */
const CLI_ROUNDS = Math.min(ROUNDS, 3);
const SELF = fileURLToPath(import.meta.url);

const f1 = (x: number): string => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const spread = (xs: readonly number[], unit = 'ms'): string => `${f1(median(xs))} ${unit} (${f1(Math.min(...xs))} … ${f1(Math.max(...xs))})`;
const mb = (bytes: number): string => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(0)} kB` : `${(bytes / 1e6).toFixed(2)} MB`);
const size = (file: string): number => statSync(file).size;

/** The runs of the benchmark's matrix, `n` daily runs; one cell fails at TOTP over the last 3. */
function matrixRuns(n: number): RunResult[] {
  return runSet({ runs: n, journeys: JOURNEYS, cells: CELLS, labels: LABELS, failing: { cell: 'firefox/desktop', journey: 1, fromRun: n - 3 }, seed: 8 });
}

interface Variant { name: string; cli: string; store: string; query: RunQuery; history: number; runs: number }

/** The report path as scripts/report.ts takes it, with each phase's time. */
async function reportPath(v: Variant, out: string): Promise<{ phases: Record<string, number>; input: ReportInput }> {
  const t = performance.now();
  let s = t;
  const lap = (): number => {
    const now = performance.now();
    const d = now - s;
    s = now;
    return d;
  };
  const store = await openStore(v.store, os.tmpdir());
  const open = lap();
  const described = Object.entries(LABELS).map(([k, x]) => `${k}=${x}`).join(', ');
  const set = await runSetFromStore(store, v.query, described);
  const select = lap();
  const input: ReportInput = { source: { kind: 'store', where: [store.where], selection: described }, ...set, history: await historyFor(store, set.results, v.history) };
  const history = lap();
  writeReport(out, input);
  const write = lap();
  await store.close();
  const close = lap();
  return { phases: { open, select, history, write, close, total: performance.now() - t }, input };
}

/** writeReport's parts on one input, each timed alone (the sum is close to writeReport's time). */
function writeParts(input: ReportInput): Record<string, number> {
  let s = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const d = now - s;
    s = now;
    return d;
  };
  const built = buildReport(input);
  const build = lap();
  const report = reportSchema.parse(built);
  const schema = lap();
  const html = renderHtml(report, { embed: () => undefined });
  const htmlMs = lap();
  renderMarkdown(report);
  const md = lap();
  JSON.stringify(report, null, 2);
  const json = lap();
  return { build, schema, html: htmlMs, md, json, htmlChars: html.length };
}

/** Child mode: one report path in a fresh process; prints its time and RSS before and peak after (KiB). */
async function child(v: Variant, out: string): Promise<void> {
  const before = Math.round(process.memoryUsage().rss / 1024);
  const { phases } = await reportPath(v, out);
  console.log(JSON.stringify({ before, peak: process.resourceUsage().maxRSS, ms: phases.total }));
}

async function reportPart(work: string): Promise<boolean> {
  console.log('## report: 5 journeys × 6 cells (30 journey cells + 1 check cell), 8 steps, SQLite store file');
  const stores = new Map<number, string>();
  for (const n of [10, 100]) {
    const file = path.join(work, `history-${n}.db`);
    const t = performance.now();
    const store = await openStore(file, work);
    for (const r of matrixRuns(n)) await store.record(fromRun(r));
    await store.close();
    console.log(`store of ${n} runs (${n * 31} results) recorded in ${((performance.now() - t) / 1000).toFixed(2)} s; file ${mb(size(file))}`);
    stores.set(n, file);
  }
  const label = Object.entries(LABELS).map(([k, x]) => `--label ${k}=${x}`).join(' ');
  const variants: Variant[] = [
    { name: '10 runs, history 30', cli: `${label} --history 30`, store: stores.get(10) as string, query: { labels: LABELS, limit: 200 }, history: 30, runs: 10 },
    { name: 'newest 10 of 100, history 100', cli: `${label} --last 10 --history 100`, store: stores.get(100) as string, query: { labels: LABELS, limit: 10 }, history: 100, runs: 10 },
    { name: 'all 100 runs, history 100', cli: `${label} --history 100`, store: stores.get(100) as string, query: { labels: LABELS, limit: 200 }, history: 100, runs: 100 },
  ];
  let ok = true;
  const rows: string[][] = [];
  const phaseRows: string[][] = [];
  const partRows: string[][] = [];
  const cliRows: string[][] = [];
  const memRows: string[][] = [];
  const verdicts: string[] = [];
  const cliVerdicts: string[] = [];
  /** `portal-probe report ARGS` by the real launcher in a child process, CLI_ROUNDS times: wall time and peak RSS (sampled every 200 ms). */
  const command = async (args: readonly string[]): Promise<{ walls: number[]; peaks: number[] }> => {
    const walls: number[] = [];
    const peaks: number[] = [];
    for (let k = 0; k < CLI_ROUNDS; k++) {
      const r = await timedSpawn(process.execPath, [path.join(ROOT, 'bin', 'portal-probe.js'), 'report', ...args], { cwd: work });
      if (r.code !== 0) throw new Error(`portal-probe report exited ${r.code}:\n${r.output}`);
      walls.push(r.wallMs);
      peaks.push(r.tree.peakRssKiB / 1024);
    }
    return { walls, peaks };
  };
  for (const v of variants) {
    const phases: Record<string, number[]> = {};
    const parts: Record<string, number[]> = {};
    let sizes = { html: 0, json: 0, md: 0, points: 0 };
    for (let k = 0; k < ROUNDS; k++) {
      const out = path.join(work, `out-${k}`);
      const r = await reportPath(v, out);
      for (const [p, ms] of Object.entries(r.phases)) (phases[p] ??= []).push(ms);
      const json = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { trends: { points: unknown[] }[]; runs: unknown[]; summary: { cells: number } };
      if (json.runs.length !== v.runs || json.summary.cells !== 31) throw new Error(`${v.name}: ${json.runs.length} runs, ${json.summary.cells} cells in the report (expected ${v.runs}, 31)`);
      sizes = { html: size(path.join(out, 'report.html')), json: size(path.join(out, 'report.json')), md: size(path.join(out, 'report.md')), points: json.trends.reduce((n, x) => n + x.points.length, 0) };
      rmSync(out, { recursive: true, force: true });
      for (const [p, ms] of Object.entries(writeParts(r.input))) (parts[p] ??= []).push(ms);
    }
    const total = phases.total ?? [];
    const timeOk = median(total) < TARGET_MS;
    const sizeOk = sizes.html < TARGET_BYTES;
    ok &&= timeOk && sizeOk;
    rows.push([v.name, spread(total), mb(sizes.html), mb(sizes.json), mb(sizes.md), String(sizes.points)]);
    phaseRows.push([v.name, ...['open', 'select', 'history', 'write', 'close'].map((p) => spread(phases[p] ?? []))]);
    partRows.push([v.name, ...['build', 'schema', 'html', 'md', 'json'].map((p) => spread(parts[p] ?? []))]);
    verdicts.push(`${v.name}: median ${f1(median(total))} ms, target < 2 s: ${timeOk ? 'MET' : 'NOT MET'}; report.html ${mb(sizes.html)}, target < 5 MB: ${sizeOk ? 'MET' : 'NOT MET'}`);

    // Peak RSS growth of one report path in a fresh process (this script in child mode).
    const c = spawnSync(process.execPath, [...process.execArgv, SELF, '--child', JSON.stringify(v), path.join(work, 'out-child')], { encoding: 'utf8' });
    const m = JSON.parse(c.stdout.trim().split('\n').at(-1) ?? '{}') as { before?: number; peak?: number; ms?: number };
    if (c.status !== 0 || m.before === undefined || m.peak === undefined || m.ms === undefined) throw new Error(`child for ${v.name} failed: ${c.stderr}`);
    memRows.push([v.name, `${f1(m.ms)} ms`, `${(m.before / 1024).toFixed(0)} MiB`, `${(m.peak / 1024).toFixed(0)} MiB`, `+${((m.peak - m.before) / 1024).toFixed(0)} MiB`]);
    rmSync(path.join(work, 'out-child'), { recursive: true, force: true });

    if (CLI) {
      const r = await command(['--store', v.store, ...v.cli.split(' '), '--output', path.join(work, 'cli-out')]);
      rmSync(path.join(work, 'cli-out'), { recursive: true, force: true });
      cliRows.push([v.name, `report --store FILE ${v.cli}`, spread(r.walls), spread(r.peaks, 'MiB')]);
      cliVerdicts.push(`${v.name}, the command with its start-up: median ${f1(median(r.walls))} ms, < 2 s: ${median(r.walls) < TARGET_MS ? 'MET' : 'NOT MET'}`);
    }
  }
  if (CLI) {
    const r = await command(['--help']);
    cliRows.push(['(start-up alone)', 'report --help', spread(r.walls), spread(r.peaks, 'MiB')]);
  }
  console.log(`\nreport path in this process (open → select → history → write → close), median (min … max) over ${ROUNDS} rounds`);
  printTable(['run set', 'time', 'report.html', 'report.json', 'report.md', 'trend points'], rows);
  console.log('\nby phase');
  printTable(['run set', 'open', 'select', 'history', 'write', 'close'], phaseRows);
  console.log('\nwriteReport by part (each alone, same input)');
  printTable(['run set', 'build', 'schema check', 'HTML', 'Markdown', 'JSON'], partRows);
  console.log('\none report path in a fresh process: time (cold), RSS before, peak RSS, growth');
  printTable(['run set', 'time', 'RSS before', 'peak RSS', 'growth'], memRows);
  if (CLI) {
    console.log(`\nthe real command, \`node bin/portal-probe.js report\` in a child process (start-up included), ${CLI_ROUNDS} rounds; peak RSS sampled every 200 ms`);
    printTable(['run set', 'command', 'wall time', 'peak RSS'], cliRows);
  }
  console.log('');
  for (const line of verdicts) console.log(line);
  if (cliVerdicts.length) console.log(`(not the target's measure, which is the report path above:)\n${cliVerdicts.join('\n')}`);
  console.log('');
  return ok;
}

async function mergePart(work: string): Promise<void> {
  console.log('## merge: 3 bundles, one run of the 30 + 1 cells split by column (2 columns per machine)');
  const [run] = matrixRuns(1);
  if (!run) throw new Error('no run');
  const group = 'bench-group';
  const dirs: string[] = [];
  for (let m = 0; m < 3; m++) {
    const columns = CELLS.slice(m * 2, m * 2 + 2);
    const runId = `${run.runId}-m${m + 1}`;
    const results = run.results.filter((r) => columns.includes(`${r.browser.name}/${r.viewport.name}`)).map((r) => ({ ...r, runId }));
    const part: RunResult = { ...run, runId, host: `probe-${m + 1}`, results, summary: summarize(results), configHash: 'sha256:bench-report-config', group };
    const dir = path.join(work, 'bundles', runId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(part, null, 2)}\n`);
    writeBundle(dir, part, { runnable: [], notRun: [] });
    dirs.push(dir);
  }
  const t = { merge: [] as number[], results: [] as number[], report: [] as number[], total: [] as number[] };
  let sizes = { html: 0, results: 0, bundle: 0, count: 0 };
  for (let k = 0; k < ROUNDS; k++) {
    const out = path.join(work, `merged-${k}`);
    const t0 = performance.now();
    const merged = mergeBundles(dirs, { maxApartMs: 12 * 3_600_000 });
    const t1 = performance.now();
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(merged.run, null, 2)}\n`);
    const t2 = performance.now();
    const set = fromBundles(merged.bundles, merged.run.group ?? merged.run.runId);
    writeReport(out, { source: { kind: 'bundles', where: merged.bundles.map((b) => b.dir), selection: `${merged.bundles.length} bundles merged, run group ${group}` }, ...set, warnings: merged.warnings });
    const t3 = performance.now();
    t.merge.push(t1 - t0);
    t.results.push(t2 - t1);
    t.report.push(t3 - t2);
    t.total.push(t3 - t0);
    sizes = { html: size(path.join(out, 'report.html')), results: size(path.join(out, 'results.json')), bundle: dirs.reduce((n, d) => n + size(path.join(d, 'results.json')), 0), count: merged.run.results.length };
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`bundles' results.json ${mb(sizes.bundle)} in all; merged: ${sizes.count} results, results.json ${mb(sizes.results)}, report.html ${mb(sizes.html)}`);
  printTable(['step', `median (min … max) over ${ROUNDS} rounds`], [
    ['mergeBundles (read + check 3 bundles, merge)', spread(t.merge)],
    ['write merged results.json', spread(t.results)],
    ['fromBundles + writeReport', spread(t.report)],
    ['merge, in all (no target)', spread(t.total)],
  ]);
  console.log('');
}

const at = process.argv.indexOf('--child');
if (at >= 0) {
  await child(JSON.parse(process.argv[at + 1] ?? '{}') as Variant, process.argv[at + 2] ?? path.join(os.tmpdir(), 'pp-bench-report-child'));
} else {
  console.log(`portal-probe report benchmarks${QUICK ? ' (--quick)' : ''}`);
  console.log(`${new Date().toISOString()} · ${os.cpus().length} cores · node ${process.version}`);
  const load = loadMonitor();
  console.log(`before: ${load(false)}\n`);
  const t = performance.now();
  const work = scratchDir('pp-bench-report-');
  const ok = await reportPart(work);
  await mergePart(work);
  console.log(`${((performance.now() - t) / 1000).toFixed(1)} s in all; after: ${load(true)}`);
  process.exitCode = ok ? 0 : 1;
}
