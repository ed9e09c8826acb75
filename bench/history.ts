/**
 * History benchmarks (issue 06).
 *
 * store: the store's cost on a synthetic history the bench makes (10 000 runs × 20 results
 *   × 8 steps, in a scratch SQLite file): the time to record one run (+ prune), the
 *   `history` queries, the run-time judging of a 20-result run, and a gate decision
 *   (two label sets of 20 runs, read and compared). Target: a gate decision under 50 ms.
 *   Median and spread (min … max) over ROUNDS rounds.
 *
 * power: real runs with server-injected delays. RUNS clean `portal-probe run`s of the demo
 *   provider login (chromium + firefox, desktop, workers 2; every account's daily
 *   acknowledgment done beforehand, so no sign-in meets the interstitial) and DELAY_RUNS
 *   runs for each delay d with the demo portal's `delay:login:d` and `delay:mfa:d` faults
 *   (the "sign in" and "TOTP" steps slower by d), taking turns run by run (clean, d1, clean,
 *   d2, …, rotated each round) so drift falls on every condition alike; each condition
 *   records into its own store. Comparisons judge whole results as run-time judging and the
 *   gate do (every step, one family, through `judgeSteps`), the same draws under both
 *   corrections ('none' and 'holm'), with N = 10 and 20 baseline results and k = 5:
 *   - false positives: 50 clean-against-clean comparisons drawn at random per browser × N,
 *     and every run of 5 consecutive clean results against the N just before them (as run
 *     time meets it); a comparison with any step called "regressed" is one (target: none,
 *     for the default correction);
 *   - detection power: N clean results against 5 of the d-delayed ones, 50 draws per d: how
 *     often "sign in" and "TOTP" are called regressed, the smallest d found in ≥ 90 %, and
 *     the shift each delay measurably made (median delayed − median clean).
 *   Also: the record time of the clean runs as a ratio to their wall time.
 *
 *   npx tsx bench/history.ts [--part store|power|all] [--quick] [--runs N] [--delay-runs N] [--rounds N] [--size N]
 *     [--save FILE] (the power part's runs, for --from)  [--from FILE] (judge saved runs again, without running)
 *     [--min-spread X] (the spread floor judged as the default rule; default the product's)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../demo-portal/index.ts';
import { openStore, fromRun } from '../store/index.ts';
import { compareSets } from '../analysis/gate.ts';
import { judgeRun } from '../analysis/judge.ts';
import { judgeSteps, DEFAULT_REGRESSION, type RegressionSettings, type StepSamples } from '../analysis/verdict.ts';
import type { RunResult } from '../core/result.ts';
import { physicians, writeProviderConfig } from '../test/helpers/portal-config.ts';
import { syntheticRun } from '../test/helpers/history.ts';
import { QUICK, freshStateDir, header, intFlag, median, portalProbeRun, printTable, scratchDir, stringFlag } from './lib.ts';
import { mulberry32 } from '../test/helpers/random.ts';

const PART = stringFlag('--part') ?? 'all';
const ROUNDS = intFlag('--rounds', QUICK ? 3 : 7, 1);
const SIZE = intFlag('--size', QUICK ? 1000 : 10_000, 10);
const RUNS = intFlag('--runs', QUICK ? 16 : 40, 16);
const DELAY_RUNS = intFlag('--delay-runs', QUICK ? 5 : 8, 5);
const DELAYS = QUICK ? [200, 400] : [100, 200, 300, 400, 600];
const SAVE = stringFlag('--save');
const FROM = stringFlag('--from');
/** The spread floor of the 'holm + spread' rule (default: the product's). */
const MIN_SPREAD_FLAG = stringFlag('--min-spread');
const MIN_SPREAD = MIN_SPREAD_FLAG === undefined ? DEFAULT_REGRESSION.minSpread ?? 2 : Number(MIN_SPREAD_FLAG);
if (!Number.isFinite(MIN_SPREAD) || MIN_SPREAD < 0) {
  console.error(`bench/history: --min-spread must be a number of 0 or more, got ${MIN_SPREAD_FLAG}.`);
  process.exit(2);
}
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

/** A result's step durations by name (passed steps only), for one browser of one run. */
type ResultSteps = Map<string, number>;
const stepsOf = (run: RunResult, browser: string): ResultSteps | undefined => {
  const r = run.results.find((x) => x.browser.name === browser && (x.outcome === 'passed' || x.outcome === 'degraded'));
  return r ? new Map(r.steps.flatMap((s) => (s.status === 'passed' && s.durationMs !== null ? [[s.name, s.durationMs] as [string, number]] : []))) : undefined;
};

/** Every step of one result judged as a family, baseline runs against candidate runs, as run-time judging and the gate do. */
function judgeFamily(base: readonly ResultSteps[], cand: readonly ResultSteps[], s: RegressionSettings): Set<string> {
  const family: StepSamples[] = STEPS.map((step) => ({
    step,
    baseline: base.flatMap((m) => (m.has(step) ? [m.get(step) as number] : [])),
    candidate: cand.flatMap((m) => (m.has(step) ? [m.get(step) as number] : [])),
  }));
  return new Set(judgeSteps(family, s).filter((v) => v.verdict === 'regressed').map((v) => v.step));
}

interface Condition { name: string; faults: string[] }

/**
 * The runs of every condition, taking turns run by run (clean, d1, clean, d2, …, the delays'
 * order rotated each round), so drift over the benchmark's minutes falls on every condition
 * alike. Each condition records into its own store: a delayed set never judges against the
 * clean one at run time. Returns each condition's runs in the order they ran.
 */
async function interleavedRuns(portal: DemoPortal, setup: { configFile: string; env: Record<string, string> }, dir: string, conditions: Condition[], runsOf: (c: Condition) => number): Promise<{ runs: Map<string, RunResult[]>; walls: number[] }> {
  const runs = new Map<string, RunResult[]>(conditions.map((c) => [c.name, []]));
  const walls: number[] = [];
  const [clean, ...delays] = conditions;
  if (!clean) return { runs, walls };
  const order: Condition[] = [];
  const left = new Map(conditions.map((c) => [c.name, runsOf(c)]));
  for (let round = 0; [...left.values()].some((n) => n > 0); round++) {
    for (let i = 0; i < delays.length; i++) {
      const d = delays[(i + round) % delays.length] as Condition;
      for (const c of [clean, d]) {
        if ((left.get(c.name) ?? 0) > 0) {
          order.push(c);
          left.set(c.name, (left.get(c.name) ?? 0) - 1);
        }
      }
    }
    while ((left.get(clean.name) ?? 0) > 0 && delays.every((d) => (left.get(d.name) ?? 0) === 0)) {
      order.push(clean);
      left.set(clean.name, (left.get(clean.name) ?? 0) - 1);
    }
  }
  for (const [i, c] of order.entries()) {
    portal.setFaults(c.faults);
    // A false alarm at run time makes a result degraded, not a lost run: its samples still count.
    const r = await portalProbeRun(['--config', setup.configFile, '--store', path.join(dir, `${c.name}.db`), '--no-regression-exit'], { cwd: dir, env: setup.env, outputDir: path.join(dir, `out-${c.name}`), allowNotPassed: true });
    if (c === clean) walls.push(r.wallMs);
    if (r.code !== 0) console.log(`run ${i + 1} (${c.name}): exit ${r.code}`);
    runs.get(c.name)?.push(r.run);
  }
  return { runs, walls };
}

async function powerPart(): Promise<void> {
  console.log(`## detection power and false positives: ${RUNS} clean runs and ${DELAY_RUNS} runs per injected delay (${DELAYS.join(', ')} ms), taking turns, chromium + firefox`);
  let byCondition: Map<string, RunResult[]>;
  let walls: number[];
  if (FROM) {
    // Judging rules tried on runs already made: the same samples, no browsers.
    const saved = JSON.parse(readFileSync(FROM, 'utf8')) as { runs: [string, RunResult[]][]; walls: number[] };
    ({ walls } = saved);
    byCondition = new Map(saved.runs);
    console.log(`runs from ${FROM}`);
  } else {
    ({ byCondition, walls } = await powerRuns());
    if (SAVE) writeFileSync(SAVE, JSON.stringify({ runs: [...byCondition], walls }));
  }
  await judgePower(byCondition, walls);
}

async function powerRuns(): Promise<{ byCondition: Map<string, RunResult[]>; walls: number[] }> {
  freshStateDir();
  const portal = await startDemoPortal({ https: false, accounts: physicians('pow', 12) });
  // Every sign-in goes straight to the dashboard: the daily acknowledgment (first login of the day) would make a few runs' TOTP step end on another page.
  portal.acknowledgeToday();
  const dir = path.join(work, 'power');
  mkdirSync(dir);
  const setup = writeProviderConfig(dir, portal, { accountIds: Array.from({ length: 12 }, (_, i) => `pow${i + 1}`), browsers: ['chromium', 'firefox'], workers: 2, stepMs: 10_000 });
  const conditions: Condition[] = [{ name: 'clean', faults: [] }, ...DELAYS.map((d) => ({ name: `delay-${d}`, faults: [`delay:login:${d}`, `delay:mfa:${d}`] }))];
  try {
    const { runs, walls } = await interleavedRuns(portal, setup, dir, conditions, (c) => (c.name === 'clean' ? RUNS : DELAY_RUNS));
    return { byCondition: runs, walls };
  } finally {
    await portal.close();
  }
}

async function judgePower(byCondition: Map<string, RunResult[]>, walls: number[]): Promise<void> {
  const clean = byCondition.get('clean') ?? [];
  // The record cost of these real runs, replayed into a scratch store.
  const replay = await openStore(path.join(work, 'replay.db'), work);
  const rec: number[] = [];
  for (const run of clean) {
    const s = performance.now();
    await replay.record(fromRun({ ...run, runId: `${run.runId}-replay` }));
    await replay.prune(0);
    rec.push(performance.now() - s);
  }
  await replay.close();
  console.log(`record + prune of a real run: ${spread(rec)}; run wall time median ${(median(walls) / 1000).toFixed(1)} s; ratio ${(median(rec) / median(walls) * 100).toFixed(3)} %\n`);

  const r = mulberry32(2026);
  /** k items of xs at random, and the rest. */
  const pick = <T>(xs: readonly T[], k: number): [T[], T[]] => {
    const p = [...xs];
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [p[i], p[j]] = [p[j] as T, p[i] as T];
    }
    return [p.slice(0, k), p.slice(k)];
  };
  const COMPARISONS = 50;
  // The rules judged on the same draws: each correction without the spread floor, and the default (Holm with it).
  const RULES = ['none', 'holm', 'holm + spread'] as const;
  const ruleSettings = (rule: (typeof RULES)[number], n: number): RegressionSettings => ({
    ...DEFAULT_REGRESSION, window: n, correction: rule === 'none' ? 'none' : 'holm', minSpread: rule === 'holm + spread' ? MIN_SPREAD : 0,
  });
  const stepMedian = (xs: readonly ResultSteps[], step: string): number => median(xs.flatMap((m) => (m.has(step) ? [m.get(step) as number] : [])));
  const rows: string[][] = [];
  const shiftRows: string[][] = [];
  const fpTotal = new Map<string, number>(RULES.map((x) => [x, 0]));
  let fpCount = 0;
  for (const browser of ['chromium', 'firefox']) {
    // In the order they ran: the sliding comparisons below need it.
    const pool = clean.flatMap((run) => stepsOf(run, browser) ?? []);
    const delayedPool = (d: number): ResultSteps[] => (byCondition.get(`delay-${d}`) ?? []).flatMap((run) => stepsOf(run, browser) ?? []);
    // What each injected delay did to the steps, measured: median delayed minus median clean.
    for (const step of ['sign in', 'TOTP']) {
      shiftRows.push([browser, step, `${stepMedian(pool, step).toFixed(0)} ms`, ...DELAYS.map((d) => `${d}: ${Math.round(stepMedian(delayedPool(d), step) - stepMedian(pool, step))} ms`)]);
    }
    for (const n of [10, 20]) {
      if (pool.length < n + 5) {
        rows.push([browser, String(n), `${pool.length} clean results: too few`, '', '', '', '', '']);
        continue;
      }
      // The same draws judged under both rules (paired).
      const tally = (draws: [ResultSteps[], ResultSteps[]][]): Map<string, { any: number; steps: Map<string, number> }> => new Map(RULES.map((rule) => {
        const s = ruleSettings(rule, n);
        const steps = new Map<string, number>();
        let any = 0;
        for (const [b, c] of draws) {
          const flagged = judgeFamily(b, c, s);
          if (flagged.size > 0) any++;
          for (const st of flagged) steps.set(st, (steps.get(st) ?? 0) + 1);
        }
        return [rule, { any, steps }];
      }));
      // Clean against clean, drawn at random: n baseline results and 5 others as the candidate.
      const random = tally(Array.from({ length: COMPARISONS }, () => {
        const [b, rest] = pick(pool, n);
        return [b, pick(rest, 5)[0]];
      }));
      // Clean against clean as run-time judging meets it: 5 consecutive results against the n just before them.
      const slidingDraws: [ResultSteps[], ResultSteps[]][] = [];
      for (let at = n; at + 5 <= pool.length; at++) slidingDraws.push([pool.slice(at - n, at), pool.slice(at, at + 5)]);
      const sliding = tally(slidingDraws);
      fpCount += COMPARISONS + slidingDraws.length;
      // Injected delays: n clean results against 5 of the delayed ones; found when that step is called regressed.
      const detection = new Map<number, [ResultSteps[], ResultSteps[]][]>(DELAYS.map((d) => {
        const hits = delayedPool(d);
        return [d, hits.length < 5 ? [] : Array.from({ length: COMPARISONS }, () => [pick(pool, n)[0], pick(hits, 5)[0]] as [ResultSteps[], ResultSteps[]])];
      }));
      for (const rule of RULES) {
        const s = ruleSettings(rule, n);
        const fp = (t: Map<string, { any: number; steps: Map<string, number> }>, total: number): string => {
          const x = t.get(rule);
          return x ? `${x.any}/${total}${x.steps.size ? ` (${[...x.steps].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}` : '';
        };
        fpTotal.set(rule, (fpTotal.get(rule) ?? 0) + (random.get(rule)?.any ?? 0) + (sliding.get(rule)?.any ?? 0));
        const rate = (step: string): number[] => DELAYS.map((d) => {
          const draws = detection.get(d) ?? [];
          return draws.length === 0 ? Number.NaN : draws.filter(([b, c]) => judgeFamily(b, c, s).has(step)).length / draws.length;
        });
        const show = (rates: number[]): [string, string] => {
          const smallest = DELAYS.find((_, i) => (rates[i] ?? 0) >= 0.9);
          return [DELAYS.map((d, i) => `${d}:${Number.isNaN(rates[i]) ? '—' : `${Math.round((rates[i] ?? 0) * 100)}%`}`).join(' '), smallest === undefined ? `> ${DELAYS.at(-1)} ms` : `${smallest} ms`];
        };
        const [signIn, signInSmallest] = show(rate('sign in'));
        const [totp, totpSmallest] = show(rate('TOTP'));
        rows.push([rule, browser, String(n), fp(random, COMPARISONS), fp(sliding, slidingDraws.length), signIn, signInSmallest, totp, totpSmallest]);
      }
    }
  }
  printTable(['browser', 'step', 'clean median', ...DELAYS.map((d) => `delay ${d} ms: measured shift`)], shiftRows);
  console.log('');
  printTable(['rule', 'browser', 'N', 'clean, random draws: called regressed', 'clean, consecutive: called regressed', 'sign in: found by delay', 'sign in ≥ 90 %', 'TOTP: found by delay', 'TOTP ≥ 90 %'], rows);
  for (const rule of RULES) console.log(`false positives with rule '${rule}': ${fpTotal.get(rule)} of ${fpCount} clean comparisons (whole results, every step)`);
  const rule = 'holm + spread';
  const ok = fpTotal.get(rule) === 0 && fpCount > 0;
  // Another --min-spread is an exploration: it prints its verdict but does not decide the exit code.
  if (MIN_SPREAD === DEFAULT_REGRESSION.minSpread) failed ||= !ok;
  console.log(`the default rule ('${rule}': correction ${DEFAULT_REGRESSION.correction}, minSpread ${MIN_SPREAD}${MIN_SPREAD === DEFAULT_REGRESSION.minSpread ? '' : `, not the product's ${DEFAULT_REGRESSION.minSpread}`}), target 0: ${ok ? 'MET' : 'NOT MET'}\n`);
}

if (PART === 'store' || PART === 'all') await storePart();
if (PART === 'power' || PART === 'all') await powerPart();
process.exitCode = failed ? 1 : 0;
