/**
 * History benchmarks (issue 06).
 *
 * store: the store's cost on a synthetic history the bench makes (10 000 runs × 20 results
 *   × 8 steps, in a scratch SQLite file): the time to record one run (+ prune), the
 *   `history` queries, the run-time judging of a 20-result run, and a gate decision
 *   (two label sets of 20 runs, read and compared). Target: a gate decision under 50 ms.
 *   Median and spread (min … max) over ROUNDS rounds.
 *
 * power: real step timings, then resampling. RUNS clean `portal-probe run`s of the demo
 *   provider login (chromium + firefox, desktop, workers 2) record into a scratch store.
 *   From each browser's clean samples of the "sign in" and "TOTP" steps, comparisons draw
 *   a baseline of N (10 and 20) and k = 5 candidate samples, disjoint, at random:
 *   - false positives: 50 clean comparisons per browser × step × N: how many are called
 *     "regressed" (target: none, over the 50 × 2 steps);
 *   - detection power: the candidate samples shifted by d ms (d = 50 … 800), 50
 *     comparisons per d: the detection rate, and the smallest d detected in ≥ 90 %.
 *   The shift is added to real samples (a server-injected delay adds the same time to a
 *   step: test/history/regression.test.ts shows delay:mfa:400 found in both browsers).
 *   Also: the record time of these real runs as a ratio to their wall time.
 *
 *   npx tsx bench/history.ts [--part store|power|all] [--quick] [--runs N] [--rounds N] [--size N]
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal } from '../demo-portal/index.ts';
import { openStore, fromRun } from '../store/index.ts';
import { compareSets } from '../analysis/gate.ts';
import { judgeRun } from '../analysis/judge.ts';
import { stepVerdict, DEFAULT_REGRESSION } from '../analysis/verdict.ts';
import type { RunResult } from '../core/result.ts';
import { physicians, writeProviderConfig } from '../test/helpers/portal-config.ts';
import { syntheticRun } from '../test/helpers/history.ts';
import { QUICK, freshStateDir, header, intFlag, median, portalProbeRun, printTable, scratchDir } from './lib.ts';
import { mulberry32 } from '../test/helpers/random.ts';

const at = process.argv.indexOf('--part');
const PART = at >= 0 ? process.argv[at + 1] : 'all';
const ROUNDS = intFlag('--rounds', QUICK ? 3 : 7, 1);
const SIZE = intFlag('--size', QUICK ? 1000 : 10_000, 10);
const RUNS = intFlag('--runs', QUICK ? 12 : 40, 11);
const STEPS = ['open', 'username', 'password', 'sign in', 'TOTP', 'acknowledge', 'dashboard', 'sign out'];
const spread = (xs: number[]): string => `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)} … ${Math.max(...xs).toFixed(1)})`;
let failed = false;

header(`portal-probe history benchmarks: part ${PART}`);
const work = scratchDir('pp-bench-history-');

/** A run of 20 results (10 journeys × chromium/firefox) with plausible step timings. */
function typicalRun(t: number, labels: Record<string, string>, r: () => number): RunResult {
  const results = Array.from({ length: 20 }, (_, i) => ({
    journey: `journey ${i >> 1}`, browser: (i % 2 ? 'firefox' : 'chromium') as 'chromium' | 'firefox',
    steps: STEPS.map((s) => [s, 100 + Math.round(r() * 900)] as [string, number]),
  }));
  return syntheticRun(t, results, { labels });
}

async function storePart(): Promise<void> {
  console.log(`## store cost: ${SIZE} synthetic runs × 20 results × 8 steps`);
  const file = path.join(work, 'synthetic.db');
  const store = await openStore(file, work);
  const r = mulberry32(1);
  const t0 = Date.now() - SIZE * 60_000;
  const build = performance.now();
  const record: number[] = [];
  for (let i = 0; i < SIZE; i++) {
    const run = typicalRun(t0 + i * 60_000, { vendorVersion: i < SIZE / 2 ? '2026.2' : '2026.3', batch: String(i % 50) }, r);
    const s = performance.now();
    await store.record(fromRun(run));
    if (i >= SIZE - 200) record.push(performance.now() - s);
  }
  console.log(`built in ${((performance.now() - build) / 1000).toFixed(1)} s; file ${(readFileSync(file).length / 1e6).toFixed(1)} MB (+ WAL)`);
  const rounds = { list: [] as number[], trend: [] as number[], judge: [] as number[], gate: [] as number[], prune: [] as number[] };
  const settings = { ...DEFAULT_REGRESSION };
  for (let k = 0; k < ROUNDS; k++) {
    let s = performance.now();
    await store.runs({ limit: 20 });
    rounds.list.push(performance.now() - s);
    s = performance.now();
    const recent = await store.runs({ limit: 20 });
    (await store.results(recent.map((x) => x.id))).filter((x) => x.journey === 'journey 3');
    rounds.trend.push(performance.now() - s);
    const next = typicalRun(Date.now() + k, {}, r);
    s = performance.now();
    await judgeRun(store, next.results, 'test-host', settings);
    rounds.judge.push(performance.now() - s);
    s = performance.now();
    const before = await store.runs({ labels: { vendorVersion: '2026.2' }, limit: 20 });
    const after = await store.runs({ labels: { vendorVersion: '2026.3' }, limit: 20 });
    compareSets(await store.results(before.map((x) => x.id)), await store.results(after.map((x) => x.id)), settings);
    rounds.gate.push(performance.now() - s);
    s = performance.now();
    await store.prune(t0 - 86_400_000);
    rounds.prune.push(performance.now() - s);
  }
  await store.close();
  printTable(['operation', `median (min … max) over ${ROUNDS} rounds`], [
    ['record one run (20 results; last 200 of the build)', spread(record)],
    ['prune (nothing old)', spread(rounds.prune)],
    ['history: list 20 runs', spread(rounds.list)],
    ['history --journey: 20 runs with results', spread(rounds.trend)],
    ['run-time judging of a 20-result run', spread(rounds.judge)],
    ['gate decision: 20 vs 20 runs by label', spread(rounds.gate)],
  ]);
  const ok = median(rounds.gate) < 50;
  failed ||= !ok;
  console.log(`gate decision at ${SIZE} runs: median ${median(rounds.gate).toFixed(1)} ms, target < 50 ms: ${ok ? 'MET' : 'NOT MET'}\n`);
}

async function powerPart(): Promise<void> {
  console.log(`## detection power and false positives: ${RUNS} clean runs, chromium + firefox`);
  freshStateDir();
  const portal = await startDemoPortal({ https: false, accounts: physicians('pow', 12) });
  const dir = path.join(work, 'power');
  mkdirSync(dir);
  const setup = writeProviderConfig(dir, portal, { accountIds: Array.from({ length: 12 }, (_, i) => `pow${i + 1}`), browsers: ['chromium', 'firefox'], workers: 2, stepMs: 10_000 });
  const cfg = JSON.parse(readFileSync(setup.configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(setup.configFile, JSON.stringify({ ...cfg, store: path.join(dir, 'history.db') }));
  const walls: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = await portalProbeRun(['--config', setup.configFile], { cwd: dir, env: setup.env, outputDir: path.join(dir, 'out') });
      walls.push(r.wallMs);
      if (r.code !== 0) console.log(`run ${i + 1}: exit ${r.code}`);
    }
  } finally {
    await portal.close();
  }
  // The record cost of these real runs, replayed into a scratch store.
  const replay = await openStore(path.join(work, 'replay.db'), work);
  const rec: number[] = [];
  const out = path.join(dir, 'out');
  const runs = readdirSync(out).sort().map((d) => JSON.parse(readFileSync(path.join(out, d, 'results.json'), 'utf8')) as RunResult);
  for (const run of runs) {
    const s = performance.now();
    await replay.record(fromRun({ ...run, runId: `${run.runId}-replay` }));
    await replay.prune(0);
    rec.push(performance.now() - s);
  }
  await replay.close();
  console.log(`record + prune of a real run: ${spread(rec)}; run wall time median ${(median(walls) / 1000).toFixed(1)} s; ratio ${(median(rec) / median(walls) * 100).toFixed(3)} %\n`);

  const samples = (browser: string, step: string): number[] => runs.flatMap((run) => run.results.filter((x) => x.browser.name === browser && x.outcome === 'passed').flatMap((x) => x.steps.filter((s) => s.name === step && s.durationMs !== null).map((s) => s.durationMs as number)));
  const r = mulberry32(2026);
  const draw = (pool: number[], n: number): number[][] => {
    const p = [...pool];
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [p[i], p[j]] = [p[j] as number, p[i] as number];
    }
    return [p.slice(0, n), p.slice(n, n + 5)];
  };
  const shifts = [50, 100, 150, 200, 250, 300, 400, 600, 800];
  const rows: string[][] = [];
  let falsePositives = 0;
  let comparisons = 0;
  for (const browser of ['chromium', 'firefox']) {
    for (const step of ['sign in', 'TOTP']) {
      const pool = samples(browser, step);
      for (const n of [10, 20]) {
        if (pool.length < n + 5) {
          rows.push([browser, step, String(n), `${pool.length} samples: too few`, '', '']);
          continue;
        }
        const s = { ...DEFAULT_REGRESSION, window: n };
        let fp = 0;
        for (let i = 0; i < 50; i++) {
          const [b, c] = draw(pool, n);
          if (stepVerdict(step, b ?? [], c ?? [], s).verdict === 'regressed') fp++;
        }
        falsePositives += fp;
        comparisons += 50;
        const rates = shifts.map((d) => {
          let hit = 0;
          for (let i = 0; i < 50; i++) {
            const [b, c] = draw(pool, n);
            if (stepVerdict(step, b ?? [], (c ?? []).map((x) => x + d), s).verdict === 'regressed') hit++;
          }
          return hit / 50;
        });
        const smallest = shifts.find((_, i) => (rates[i] ?? 0) >= 0.9);
        rows.push([browser, step, String(n), `${median(pool).toFixed(0)} ms`, `${fp}/50`, shifts.map((d, i) => `${d}:${Math.round((rates[i] ?? 0) * 100)}%`).join(' '), smallest === undefined ? '> 800 ms' : `${smallest} ms`]);
      }
    }
  }
  printTable(['browser', 'step', 'N', 'median', 'false +', 'detection rate by shift (k = 5)', 'smallest ≥ 90 %'], rows);
  const ok = falsePositives === 0;
  failed ||= !ok;
  console.log(`false positives: ${falsePositives} of ${comparisons} clean comparisons, target 0: ${ok ? 'MET' : 'NOT MET'}\n`);
}

if (PART === 'store' || PART === 'all') await storePart();
if (PART === 'power' || PART === 'all') await powerPart();
process.exitCode = failed ? 1 : 0;
