/**
 * Cost of the default matrix: wall time and peak memory of `node bin/portal-probe.js run`
 * with the embedded demo config (no config file: on this machine chromium + firefox
 * desktop, chromium android and iphone; 3 journeys; the config's own workers: 2). Peak
 * memory is the peak over 200 ms samples of the summed RSS (VmRSS) of the whole process
 * tree — launcher, CLI, demo portal, Playwright runner, workers, browsers — read from
 * /proc. Shared pages count once per process, so that sum is an upper bound; the summed
 * PSS (1 s samples) is shown beside it as the better estimate of real use.
 *
 *
 * "Per journey run" divides by the journey runs that actually ran (not-run cells excluded).
 * For wall and CPU time that is a fair unit cost; memory does not grow with the number of
 * journeys but with how many browsers are open at once (workers), so the per-journey
 * memory figure only says what one run of this matrix costs per result it delivers.
 * CPU by role shows where the machine's time goes: browsers versus the harness's Node
 * processes (portal-probe CLI with the embedded demo portal, Playwright runner, workers).
 *
 *   npx tsx bench/matrix-cost.ts [--quick]     (--quick: 1 run of the physician journey only)
 */
import path from 'node:path';
import { QUICK, freshStateDir, header, median, portalProbeRun, printTable, scratchDir, secs } from './lib.ts';

const RUNS = QUICK ? 1 : 3;
const ARGS = QUICK ? ['--journeys', 'physician login'] : [];

interface Measured {
  wallMs: number; cpuMs: number; peakMiB: number; peakPssMiB: number; peakProcs: number;
  journeys: number; cells: string[]; stepMs: number; journeyMs: number; cpuByRole: Map<string, number>;
}

async function measure(i: number): Promise<Measured> {
  const cwd = scratchDir('pp-bench-matrix-'); // no config file here: the embedded demo config
  // A fresh TOTP/lease state per run, so no run waits for steps an earlier run used.
  const env = { PORTAL_PROBE_STATE_DIR: path.join(cwd, 'state') };
  const r = await portalProbeRun(ARGS, { cwd, outputDir: path.join(cwd, 'out'), env });
  const ran = r.run.results.filter((x) => x.outcome !== 'not-run');
  const m: Measured = {
    wallMs: r.wallMs, cpuMs: r.cpuMs, peakMiB: r.tree.peakRssKiB / 1024, peakPssMiB: r.tree.peakPssKiB / 1024, peakProcs: r.tree.peakProcs,
    journeys: ran.length, cells: [...new Set(ran.map((x) => `${x.browser.name}/${x.viewport.name}`))],
    stepMs: ran.reduce((sum, x) => sum + x.steps.reduce((t, s) => t + (s.durationMs ?? 0), 0), 0),
    journeyMs: ran.reduce((sum, x) => sum + (x.durationMs ?? 0), 0),
    cpuByRole: r.tree.cpuByRole(),
  };
  console.log(`run ${i}: ${m.journeys} journey runs in ${secs(m.wallMs)}, CPU ${secs(m.cpuMs)}, peak RSS ${m.peakMiB.toFixed(0)} MiB (PSS ${m.peakPssMiB.toFixed(0)} MiB) in ${m.peakProcs} processes`);
  return m;
}

header(`portal-probe matrix cost: embedded demo config, ${RUNS} run(s)${QUICK ? ', physician login only' : ''}`);
freshStateDir();
const results: Measured[] = [];
for (let i = 1; i <= RUNS; i++) results.push(await measure(i));

const first = results[0];
if (!first) process.exit(2);
const med = (f: (m: Measured) => number): number => median(results.map(f));
const span = (f: (m: Measured) => number, fmt: (x: number) => string): string => `${fmt(Math.min(...results.map(f)))} – ${fmt(Math.max(...results.map(f)))}`;
const mib = (x: number): string => `${x.toFixed(0)} MiB`;
const j = first.journeys;
console.log(`\nmatrix: ${first.cells.join(', ')} — ${j} journey runs per run`);
printTable(['measure', `median of ${RUNS}`, 'per journey run', 'range'], [
  ['wall time', secs(med((m) => m.wallMs)), secs(med((m) => m.wallMs) / j), span((m) => m.wallMs, secs)],
  ['CPU time (user+sys, whole tree)', secs(med((m) => m.cpuMs)), secs(med((m) => m.cpuMs) / j), span((m) => m.cpuMs, secs)],
  ['peak RSS sum, whole tree', mib(med((m) => m.peakMiB)), mib(med((m) => m.peakMiB) / j), span((m) => m.peakMiB, mib)],
  ['peak PSS sum, whole tree', mib(med((m) => m.peakPssMiB)), mib(med((m) => m.peakPssMiB) / j), span((m) => m.peakPssMiB, mib)],
  ['peak processes in tree', String(med((m) => m.peakProcs)), '', span((m) => m.peakProcs, String)],
  ['Σ journey durations', secs(med((m) => m.journeyMs)), secs(med((m) => m.journeyMs) / j), ''],
  ['Σ step durations', secs(med((m) => m.stepMs)), secs(med((m) => m.stepMs) / j), ''],
]);
console.log('Σ journey − Σ steps = time in journeys outside portal steps (TOTP waits, leases, context set-up/teardown).');
const roles = [...first.cpuByRole.keys()].sort((a, b) => (first.cpuByRole.get(b) ?? 0) - (first.cpuByRole.get(a) ?? 0));
console.log('\nCPU by process role (sampled, approximate):');
printTable(['role', `median of ${RUNS}`, 'per journey run'], roles.map((role) => [role, secs(med((m) => m.cpuByRole.get(role) ?? 0)), secs(med((m) => m.cpuByRole.get(role) ?? 0) / j)]));
process.exit(0);
