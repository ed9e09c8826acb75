/**
 * Cost of the default matrix: wall time and peak memory of `node bin/portal-probe.js run`
 * with the embedded demo config (no config file: on this machine chromium + firefox
 * desktop, chromium android and iphone; 3 journeys; the config's own workers: 2). Peak
 * memory is the peak over 200 ms samples of the summed RSS (VmRSS) of the whole process
 * tree — launcher, CLI, demo portal, Playwright runner, workers, browsers — read from
 * /proc. Shared pages count once per process, so this is an upper bound; the summed PSS
 * (shared pages split between their users; /proc/PID/smaps_rollup, dearer to read, so
 * sampled every 5th tick) is reported beside it as the better estimate of real use.
 *
 *   npx tsx bench/matrix-cost.ts [--quick]     (--quick: 1 run of the physician journey only)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { QUICK, freshStateDir, header, median, portalProbeRun, printTable, scratchDir, secs } from './lib.ts';

const RUNS = QUICK ? 1 : 3;
const ARGS = QUICK ? ['--journeys', 'physician login'] : [];
const SAMPLE_MS = 200;

interface ProcInfo { ppid: number; rssKiB: number }

function readProc(pid: string): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { ppid, rssKiB: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined; // exited between listing and reading
  }
}

function pssKiB(pid: number): number {
  try {
    return Number(/Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Summed RSS (and, if asked, PSS) and process count of `root` and all its descendants, now. */
function treeMemory(root: number, withPss: boolean): { rssKiB: number; pssKiB: number; procs: number } {
  const procs = new Map<number, ProcInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(name);
    if (info) procs.set(Number(name), info);
  }
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  let rssKiB = 0;
  let pss = 0;
  let count = 0;
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    const p = procs.get(pid);
    if (!p) continue;
    rssKiB += p.rssKiB;
    if (withPss) pss += pssKiB(pid);
    count++;
    queue.push(...(children.get(pid) ?? []));
  }
  return { rssKiB, pssKiB: pss, procs: count };
}

interface Measured { wallMs: number; cpuMs: number; peakMiB: number; peakPssMiB: number; peakProcs: number; journeys: number; cells: string[]; stepMs: number; journeyMs: number }

async function measure(i: number): Promise<Measured> {
  const cwd = scratchDir('pp-bench-matrix-'); // no config file here: the embedded demo config
  let root: number | undefined;
  let peakKiB = 0;
  let peakPssKiB = 0;
  let peakProcs = 0;
  let tick = 0;
  const timer = setInterval(() => {
    if (root === undefined) return;
    const s = treeMemory(root, tick++ % 5 === 0);
    peakKiB = Math.max(peakKiB, s.rssKiB);
    peakPssKiB = Math.max(peakPssKiB, s.pssKiB);
    peakProcs = Math.max(peakProcs, s.procs);
  }, SAMPLE_MS);
  try {
    // A fresh TOTP/lease state per run, so no run waits for steps an earlier run used.
    const env = { PORTAL_PROBE_STATE_DIR: path.join(cwd, 'state') };
    const r = await portalProbeRun(ARGS, { cwd, outputDir: path.join(cwd, 'out'), env, onSpawn: (pid) => { root = pid; } });
    const ran = r.run.results.filter((x) => x.outcome !== 'not-run');
    const cells = [...new Set(ran.map((x) => `${x.browser.name}/${x.viewport.name}`))];
    const stepMs = ran.reduce((sum, x) => sum + x.steps.reduce((t, s) => t + (s.durationMs ?? 0), 0), 0);
    const journeyMs = ran.reduce((sum, x) => sum + (x.durationMs ?? 0), 0);
    console.log(`run ${i}: ${ran.length} journey runs in ${secs(r.wallMs)}, CPU ${secs(r.cpuMs)}, peak RSS ${(peakKiB / 1024).toFixed(0)} MiB (PSS ${(peakPssKiB / 1024).toFixed(0)} MiB) in ${peakProcs} processes`);
    return { wallMs: r.wallMs, cpuMs: r.cpuMs, peakMiB: peakKiB / 1024, peakPssMiB: peakPssKiB / 1024, peakProcs, journeys: ran.length, cells, stepMs, journeyMs };
  } finally {
    clearInterval(timer);
  }
}

header(`portal-probe matrix cost: embedded demo config, ${RUNS} run(s)${QUICK ? ', physician login only' : ''}`);
freshStateDir();
const results: Measured[] = [];
for (let i = 1; i <= RUNS; i++) results.push(await measure(i));

const first = results[0];
if (!first) process.exit(2);
const med = (f: (m: Measured) => number): number => median(results.map(f));
const j = first.journeys;
console.log(`\nmatrix: ${first.cells.join(', ')} — ${j} journey runs per run`);
printTable(['measure', `median of ${RUNS}`, 'per journey run', 'range'], [
  ['wall time', secs(med((m) => m.wallMs)), secs(med((m) => m.wallMs) / j), `${secs(Math.min(...results.map((m) => m.wallMs)))} – ${secs(Math.max(...results.map((m) => m.wallMs)))}`],
  ['CPU time (user+sys, whole tree)', secs(med((m) => m.cpuMs)), secs(med((m) => m.cpuMs) / j), ''],
  ['peak RSS, whole tree', `${med((m) => m.peakMiB).toFixed(0)} MiB`, `${(med((m) => m.peakMiB) / j).toFixed(0)} MiB`,
    `${Math.min(...results.map((m) => m.peakMiB)).toFixed(0)} – ${Math.max(...results.map((m) => m.peakMiB)).toFixed(0)} MiB`],
  ['peak PSS, whole tree (1 s samples)', `${med((m) => m.peakPssMiB).toFixed(0)} MiB`, `${(med((m) => m.peakPssMiB) / j).toFixed(0)} MiB`, ''],
  ['peak processes in tree', String(med((m) => m.peakProcs)), '', ''],
  ['Σ journey durations', secs(med((m) => m.journeyMs)), secs(med((m) => m.journeyMs) / j), ''],
  ['Σ step durations', secs(med((m) => m.stepMs)), secs(med((m) => m.stepMs) / j), ''],
]);
console.log('\nΣ journey − Σ steps = time inside journeys outside portal steps (TOTP waits, leases, context set-up/teardown).');
process.exit(0);
