/**
 * The monitor's benchmarks (issue 07): `portal-probe monitor` as a child process against a
 * demo portal this script starts, Chromium, desktop, workers 1, one journey (the provider
 * login) on a pool of accounts leased least-recently-used, so no login waits for a TOTP code.
 * The schedule is `every: '1s'` with no spread: a tick comes due every second, and the ticks
 * that come while one runs are skipped.
 *
 * Parts (`--part`, default all):
 *  - throughput: two journeys (the same login, two names) every second at concurrency 1, so
 *    one is always waiting for the slot when the other ends: the monitor runs logins back to
 *    back, its sustained rate. (With one journey, a tick that ends waits for the next whole
 *    second of its schedule's grid, ~0.5 s a tick: that measures the grid, not the monitor.)
 *    Per round, the monitor for `--window` seconds, then bench/bare-login.ts (one
 *    Chromium, a fresh context per login) for N and for 1 login. Monitor rate = (ticks − 1)
 *    over the time from the first tick's end to the last one's; bare rate from (T(N) − T(1))
 *    / (N − 1), its launch excluded. Ratio per round, median and spread. Target ≥ 0.8×.
 *  - memory: `--mem-runs` scheduled runs (default 200) of one journey at concurrency 1, the
 *    process tree sampled every second. Scheduler lag (due time → the journey's start, each
 *    tick's `lagMs`) is read from these ticks: median and worst, no target. Reported: the daemon's own RSS and each tick's peak tree RSS (the
 *    daemon, the tick's runner, worker and browser), warm-up (the first 10 %) left out, the
 *    median of the last quarter against the first quarter: flat within ±10 %. Then 2 journeys
 *    at concurrency 2 for `--window` seconds: peak tree PSS (shared pages split between their
 *    users; the RSS sum, an upper bound, is printed too) minus the concurrency-1 peak, ≤ 150 MiB
 *    per extra concurrent journey.
 *  - reliability: `--runs` scheduled runs (default 500) with `http-error:login:503:0.1:seed=S`
 *    (each sign-in POST fails with probability 0.1, seeded), the default thresholds
 *    (retryOnFailure, failAfter 2): zero incidents opened. Then the fault at rate 1 (a real
 *    outage): the number of ticks until an incident opens, at most failAfter.
 *
 *   npx tsx bench/monitor.ts [--quick] [--part throughput|memory|reliability|all]
 *       [--rounds N] [--window S] [--mem-runs N] [--runs N] [--seed N]
 *   (--quick: 2 rounds of 60 s, 30 memory runs, 40 reliability runs)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../demo-portal/index.ts';
import { physicians, providerPortal, secretEnv } from '../test/helpers/portal-config.ts';
import { writeJson } from '../test/helpers/cli.ts';
import { QUICK, ROOT, freshStateDir, header, intFlag, maxOf, median, printTable, scratchDir, secs, timedSpawn } from './lib.ts';
import { TreeSampler, rssKiB } from './proc-tree.ts';

const partAt = process.argv.indexOf('--part');
const PART = partAt >= 0 ? process.argv[partAt + 1] : 'all';
if (!['throughput', 'memory', 'reliability', 'all'].includes(PART ?? '')) throw new Error('--part: throughput, memory, reliability or all');
const ROUNDS = intFlag('--rounds', QUICK ? 2 : 3, 1);
const WINDOW_S = intFlag('--window', QUICK ? 60 : 180, 20);
const MEM_RUNS = intFlag('--mem-runs', QUICK ? 30 : 200, 8);
const REL_RUNS = intFlag('--runs', QUICK ? 40 : 500, 1);
const SEED = intFlag('--seed', 7, 0);
const BARE_N = QUICK ? 10 : 20;
const POOL = 24;
const THROUGHPUT_TARGET = 0.8;
const FLAT_PCT = 10;
const PER_JOURNEY_MIB = 150;

header(`portal-probe monitor benchmarks (chromium, desktop, workers 1, part ${PART})`);
freshStateDir();
const work = scratchDir('pp-bench-monitor-');
let seq = 0;
const verdicts: boolean[] = [];
const verdict = (ok: boolean): string => {
  verdicts.push(ok);
  return ok ? 'MET' : 'NOT MET';
};

interface Tick { at: number; job: string; state: string; notices: string[]; lagMs: number | null; runs: number }
interface MonitorRun { ticks: Tick[]; opened: number; rootRss: { at: number; kib: number }[]; treeRss: { at: number; kib: number }[]; peakPssKiB: number; code: number | null; output: string }

/**
 * Starts `portal-probe monitor` on a config for `portal` and stops it (SIGTERM) once `until`
 * says so, given the ticks so far. `during` runs while it is up (to switch faults).
 */
async function runMonitor(portal: DemoPortal, ids: string[], o: { journeys?: number; concurrency?: number; retry?: boolean; until: (ticks: Tick[], elapsedMs: number) => boolean; onTick?: (t: Tick, all: Tick[]) => void }): Promise<MonitorRun> {
  const dir = path.join(work, `m${++seq}`);
  mkdirSync(dir);
  const file = path.join(dir, 'portal-probe.config.json');
  writeJson(file, {
    portals: [{ ...providerPortal(portal, { accountIds: ids, journeys: o.journeys ?? 1 }), name: 'clinic' }],
    browsers: ['chromium'], viewports: ['desktop'], workers: 1,
    timeouts: { stepMs: 10_000, journeyMs: 60_000 },
    outputDir: path.join(dir, 'out'), store: path.join(dir, 'history.db'), location: 'bench',
    monitor: {
      schedules: [{ every: '1s' }], spread: 0, stopGrace: '10s', concurrency: o.concurrency ?? 1,
      retryOnFailure: o.retry ?? true, metrics: { enabled: false },
    },
  });
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'portal-probe.js'), 'monitor', '--config', file], {
    cwd: dir, env: { ...process.env, ...secretEnv(portal, ids) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('portal-probe monitor did not start');
  const tree = new TreeSampler(1000, 1);
  tree.start(pid);
  const t0 = Date.now();
  const out: MonitorRun = { ticks: [], opened: 0, rootRss: [], treeRss: [], peakPssKiB: 0, code: null, output: '' };
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.kill(pid, 'SIGTERM');
  };
  const onLine = (line: string): void => {
    if (out.output.length < 200_000) out.output += `${line}\n`;
    if (!line.startsWith('{')) return;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof rec.msg === 'string' && rec.msg.startsWith('incident open:')) out.opened++;
    if (typeof rec.msg !== 'string' || !rec.msg.startsWith('tick ') || typeof rec.state !== 'string') return;
    const t: Tick = {
      at: typeof rec.time === 'number' ? rec.time : Date.now(), job: String(rec.journey), state: rec.state,
      notices: Array.isArray(rec.notices) ? rec.notices.map(String) : [], lagMs: typeof rec.lagMs === 'number' ? rec.lagMs : null,
      runs: Array.isArray(rec.runs) ? rec.runs.length : 0,
    };
    out.ticks.push(t);
    o.onTick?.(t, out.ticks);
    if (o.until(out.ticks, Date.now() - t0)) stop();
  };
  const split = (stream: NodeJS.ReadableStream): void => {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  };
  split(child.stdout);
  split(child.stderr);
  const timer = setInterval(() => {
    if (o.until(out.ticks, Date.now() - t0)) stop();
  }, 1000);
  const sampler = setInterval(() => {
    out.rootRss.push({ at: Date.now(), kib: rssKiB(pid) });
    out.treeRss.push({ at: Date.now(), kib: tree.lastRssKiB });
  }, 1000);
  out.code = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(timer);
  clearInterval(sampler);
  tree.stop();
  out.peakPssKiB = tree.peakPssKiB;
  return out;
}

const mib = (kib: number): string => (Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : 'n/a');
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
const passedTicks = (r: MonitorRun): Tick[] => r.ticks.filter((t) => t.state === 'passed');
/** Ticks a minute, from the first tick's end to the last one's. */
function rateOf(ticks: Tick[]): number {
  const first = ticks[0];
  const last = ticks.at(-1);
  if (!first || !last || ticks.length < 2) return Number.NaN;
  return ((ticks.length - 1) * 60_000) / (last.at - first.at);
}

async function bare(portal: DemoPortal, ids: string[], logins: number): Promise<number> {
  const file = path.join(work, `bare-${++seq}.json`);
  const accounts = portal.accounts.filter((a) => ids.includes(a.id));
  writeFileSync(file, JSON.stringify(accounts.map((a) => ({ username: a.username, password: a.password, totpSeed: a.totpSeed }))), { mode: 0o600 });
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const r = await timedSpawn(process.execPath, [tsx, path.join(ROOT, 'bench', 'bare-login.ts'), '--url', portal.url, '--accounts', file, '--logins', String(logins)], { cwd: work });
  if (r.code !== 0) throw new Error(`bare-login exited ${r.code}:\n${r.output}`);
  return r.wallMs;
}

const idsOf = (seeds: { id?: string }[]): string[] => seeds.map((s) => s.id ?? '');

async function throughput(): Promise<void> {
  console.log(`\n## Sustained throughput (${ROUNDS} rounds: the monitor, two journeys back to back at concurrency 1, for ${WINDOW_S} s, then the bare script for ${BARE_N} and 1 logins)\n`);
  // Bare logins use each account once (fresh ones each time: a code is never reused).
  const bareSeeds = physicians('bm', ROUNDS * (BARE_N + 1));
  const seeds = physicians('mt', POOL);
  const portal = await startDemoPortal({ https: false, accounts: [...seeds, ...bareSeeds] });
  const rows: string[][] = [];
  const ratios: number[] = [];
  let nextBare = 0;
  const bareIds = (n: number): string[] => bareSeeds.slice(nextBare, (nextBare += n)).map((s) => s.id ?? '');
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const m = await runMonitor(portal, idsOf(seeds), { journeys: 2, until: (_, elapsed) => elapsed >= WINDOW_S * 1000 });
      const ok = passedTicks(m);
      const bad = m.ticks.filter((t) => t.state !== 'passed');
      if (bad.length > 0) console.log(`round ${round}: ${bad.length} tick(s) not passed: ${bad.map((t) => t.state).join(', ')} (the stop interrupts the tick under way: "unknown"), not counted`);
      // The first tick pays the monitor's own start-up; the rate counts from its end.
      const monitorRate = rateOf(ok);
      const tN = await bare(portal, bareIds(BARE_N), BARE_N);
      const t1 = await bare(portal, bareIds(1), 1);
      const bareRate = 60_000 / ((tN - t1) / (BARE_N - 1));
      const ratio = monitorRate / bareRate;
      ratios.push(ratio);
      rows.push([String(round), String(ok.length), `${monitorRate.toFixed(1)}/min`, `${bareRate.toFixed(1)}/min`, `${ratio.toFixed(2)}×`]);
      console.log(`round ${round}: monitor ${ok.length} passed ticks, ${monitorRate.toFixed(1)}/min; bare ${bareRate.toFixed(1)}/min (T(${BARE_N}) ${secs(tN)}, T(1) ${secs(t1)}); ratio ${ratio.toFixed(2)}×`);
    }
  } finally {
    await portal.close();
  }
  console.log('');
  printTable(['round', 'monitor ticks', 'monitor rate', 'bare rate', 'ratio'], rows);
  const r = median(ratios);
  console.log(`\nthroughput ratio monitor/bare, median of ${ratios.length} rounds: ${r.toFixed(2)}× (spread ${Math.min(...ratios).toFixed(2)} … ${maxOf(ratios).toFixed(2)}×; target ≥ ${THROUGHPUT_TARGET}×) → ${verdict(r >= THROUGHPUT_TARGET)}`);
}

/** Median of the values whose time falls in [from, to) of a series' span. */
function medianIn(xs: number[], from: number, to: number): number {
  return median(xs.slice(Math.floor(xs.length * from), Math.floor(xs.length * to)));
}

async function memory(): Promise<void> {
  console.log(`\n## Memory (${MEM_RUNS} scheduled runs at concurrency 1, then 2 journeys at concurrency 2 for ${WINDOW_S} s)\n`);
  const seeds = physicians('mm', POOL);
  const portal = await startDemoPortal({ https: false, accounts: seeds });
  let one: MonitorRun;
  let two: MonitorRun;
  try {
    one = await runMonitor(portal, idsOf(seeds), { until: (ticks) => ticks.length >= MEM_RUNS });
    two = await runMonitor(portal, idsOf(seeds), { journeys: 2, concurrency: 2, until: (_, elapsed) => elapsed >= WINDOW_S * 1000 });
  } finally {
    await portal.close();
  }
  // Scheduler lag from the one-journey run: there a tick never waits for another journey's slot.
  const lags = one.ticks.slice(1).map((t) => t.lagMs).filter((x) => x !== null);
  console.log(`scheduler lag (due time → the journey's start), ${lags.length} ticks after the first: median ${secs(median(lags))}, worst ${secs(maxOf(lags))} (no target)`);
  const notPassed = [...one.ticks, ...two.ticks].filter((t) => t.state !== 'passed').length;
  if (notPassed > 0) console.log(`${notPassed} tick(s) not passed (figures still count them): ${[...one.ticks, ...two.ticks].filter((t) => t.state !== 'passed').map((t) => t.state).join(', ')} (the stop interrupts the tick under way: "unknown")`);
  // Per tick: the daemon's RSS just after it, and the tree's peak during it.
  const first = one.ticks[0]?.at ?? 0;
  const daemonAfter: number[] = [];
  const treePeak: number[] = [];
  let prev = first;
  for (const t of one.ticks.slice(1)) {
    const inTick = one.treeRss.filter((s) => s.at > prev && s.at <= t.at).map((s) => s.kib);
    const after = one.rootRss.find((s) => s.at >= t.at)?.kib;
    if (inTick.length > 0) treePeak.push(maxOf(inTick));
    if (after !== undefined) daemonAfter.push(after);
    prev = t.at;
  }
  const warm = 0.1;
  const rows: string[][] = [];
  for (const [name, xs] of [["the daemon's RSS after each tick", daemonAfter], ['peak tree RSS in each tick', treePeak]] as const) {
    const early = medianIn(xs, warm, warm + (1 - warm) / 4);
    const late = medianIn(xs, 1 - (1 - warm) / 4, 1);
    const change = ((late - early) / early) * 100;
    rows.push([name, String(xs.length), mib(early), mib(late), pct(change), mib(maxOf(xs)), verdict(Math.abs(change) <= FLAT_PCT)]);
  }
  printTable(['series (warm-up: first 10 % left out)', 'ticks', 'first quarter median', 'last quarter median', 'change', 'max', `flat within ±${FLAT_PCT} %`], rows);
  const peak1 = maxOf(one.treeRss.map((s) => s.kib));
  const peak2 = maxOf(two.treeRss.map((s) => s.kib));
  const extraPss = (two.peakPssKiB - one.peakPssKiB) / 1024;
  console.log(`\npeak tree memory: concurrency 1 PSS ${mib(one.peakPssKiB)} (RSS ${mib(peak1)}), concurrency 2 PSS ${mib(two.peakPssKiB)} (RSS ${mib(peak2)}), ${two.ticks.length} ticks`);
  console.log(`extra concurrent journey: ${extraPss.toFixed(0)} MiB PSS (RSS sums count shared pages once per process: ${((peak2 - peak1) / 1024).toFixed(0)} MiB; target ≤ ${PER_JOURNEY_MIB} MiB) → ${verdict(extraPss <= PER_JOURNEY_MIB)}`);
}

async function reliability(): Promise<void> {
  console.log(`\n## Reliability (${REL_RUNS} scheduled runs, http-error:login:503:0.1:seed=${SEED}, default thresholds; then an outage)\n`);
  const seeds = physicians('mr', POOL);
  const portal = await startDemoPortal({ https: false, accounts: seeds });
  portal.setFaults([`http-error:login:503:0.1:seed=${SEED}`]);
  let noisy: MonitorRun;
  let outageTicks = Number.NaN;
  try {
    noisy = await runMonitor(portal, idsOf(seeds), { until: (ticks) => ticks.length >= REL_RUNS });
    // The outage: every sign-in fails from the first tick on.
    portal.setFaults(['http-error:login:503:1']);
    const outage = await runMonitor(portal, idsOf(seeds), {
      until: (ticks) => ticks.some((t) => t.notices.includes('open')) || ticks.length >= 10,
    });
    const at = outage.ticks.findIndex((t) => t.notices.includes('open'));
    outageTicks = at < 0 ? Number.NaN : at + 1;
  } finally {
    await portal.close();
  }
  const states = new Map<string, number>();
  for (const t of noisy.ticks) states.set(t.state, (states.get(t.state) ?? 0) + 1);
  const retried = noisy.ticks.filter((t) => t.runs > 1).length;
  console.log(`ticks: ${noisy.ticks.length} (${[...states].map(([s, n]) => `${n} ${s}`).join(', ')}); ${retried} retried (a first failure run again at once)`);
  console.log(`incidents opened by transient errors: ${noisy.opened} (target 0) → ${verdict(noisy.opened === 0)}`);
  console.log(`a real outage (every sign-in 503): incident opened at tick ${Number.isNaN(outageTicks) ? 'never (10 ticks)' : outageTicks} (target ≤ failAfter = 2) → ${verdict(outageTicks <= 2)}`);
}

if (PART === 'throughput' || PART === 'all') await throughput();
if (PART === 'memory' || PART === 'all') await memory();
if (PART === 'reliability' || PART === 'all') await reliability();
console.log(`\n${verdicts.every(Boolean) ? 'all targets MET' : `${verdicts.filter((v) => !v).length} target(s) NOT MET`}`);
process.exit(verdicts.every(Boolean) ? 0 : 1);
