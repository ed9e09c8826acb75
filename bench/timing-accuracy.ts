/**
 * Timing accuracy: does the reported "sign in" step duration track exactly the latency the
 * portal adds? One demo portal; one portal-probe run per condition (delay:login 0, 250,
 * 1000, 3000 ms), chromium + firefox, workers 1. Baseline = median un-delayed "sign in"
 * per browser; error_i = (duration_i − baseline) − delay.
 *
 *   npx tsx bench/timing-accuracy.ts [--quick] [--raw] [--think MS (default 1000)]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal } from '../demo-portal/index.ts';
import { physicians, writeProviderConfig } from '../test/helpers/portal-config.ts';
import { QUICK, freshStateDir, header, maxOf, median, ms, portalProbeRun, printTable, scratchDir, secs } from './lib.ts';

const DELAYS = [0, 250, 1000, 3000] as const;
const BROWSERS = ['chromium', 'firefox'] as const;
type Browser = (typeof BROWSERS)[number];
/** Journeys per run (each runs once per browser). A pool of this many accounts: each is used twice, never waits for TOTP. */
const JOURNEYS = QUICK ? 3 : 8;
const TARGET_MEDIAN_MS = 25;
const TARGET_WORST_MS = 100;
const RAW = process.argv.includes('--raw');
/**
 * Think time before each step (the journeys' `thinkTimeMs`). Without it the previous page's
 * background work (favicon, idle tasks) spills into "sign in" and a server delay hides it:
 * a bare Playwright script and the browser's own Navigation Timing both then show ~80–140 ms
 * less than the injected delay (bench/README.md). `--think 0` shows that effect.
 */
const thinkAt = process.argv.indexOf('--think');
const THINK_MS = thinkAt >= 0 ? Number(process.argv[thinkAt + 1]) : 1000;
if (!Number.isInteger(THINK_MS) || THINK_MS < 0) throw new Error('--think: expected a whole number of milliseconds');

header(`portal-probe timing accuracy: reported "sign in" vs injected delay:login (think time ${THINK_MS} ms)`);
freshStateDir();
const work = scratchDir('pp-bench-timing-');
// Distinct account ids per condition: no run ever waits for a TOTP step another run used.
const prefix = (d: number): string => `ta${d}x`;
const portal = await startDemoPortal({ https: false, accounts: DELAYS.flatMap((d) => physicians(prefix(d), JOURNEYS)) });

/** "sign in" durations by browser, for one condition. */
const samples = new Map<number, Record<Browser, number[]>>();
try {
  for (const delay of DELAYS) {
    portal.setFaults(delay > 0 ? [`delay:login:${delay}`] : []);
    const dir = path.join(work, `delay-${delay}`);
    mkdirSync(dir);
    const ids = Array.from({ length: JOURNEYS }, (_, i) => `${prefix(delay)}${i + 1}`);
    const setup = writeProviderConfig(dir, portal, {
      accountIds: ids, journeys: JOURNEYS, browsers: [...BROWSERS], workers: 1, stepMs: 10_000, journeyMs: 120_000, name: 'bench-portal', thinkTimeMs: THINK_MS,
    });
    const r = await portalProbeRun(['--config', setup.configFile], { cwd: dir, outputDir: setup.outputDir, env: setup.env });
    const byBrowser: Record<Browser, number[]> = { chromium: [], firefox: [] };
    for (const x of r.run.results) {
      const d = x.steps.find((s) => s.name === 'sign in')?.durationMs;
      if (d === null || d === undefined) throw new Error(`${x.id}: no "sign in" duration`);
      if (x.browser.name === 'chromium' || x.browser.name === 'firefox') byBrowser[x.browser.name].push(d);
    }
    samples.set(delay, byBrowser);
    console.log(`delay ${String(delay).padStart(4)} ms: run ${secs(r.wallMs)}, ${r.run.results.length} journeys` +
      (RAW ? `; sign in chromium [${byBrowser.chromium.join(', ')}] firefox [${byBrowser.firefox.join(', ')}]` : ''));
  }
} finally {
  await portal.close();
}

const rows: string[][] = [];
const verdicts: string[] = [];
let allMet = true;
for (const b of BROWSERS) {
  const baseSamples = samples.get(0)?.[b] ?? [];
  const base = median(baseSamples);
  const spread = (xs: readonly number[]): string => `${Math.min(...xs)}–${maxOf(xs)}`;
  // The noise floor: how far un-delayed runs stray from their own median. No timer can do
  // better per sample than the portal and browser vary from one sign-in to the next.
  const floor = maxOf(baseSamples.map((x) => Math.abs(x - base)));
  rows.push([b, '0', String(baseSamples.length), ms(base), spread(baseSamples), '(baseline)', `${ms(floor)} (noise floor)`]);
  const all: number[] = [];
  for (const delay of DELAYS.filter((d) => d > 0)) {
    const xs = samples.get(delay)?.[b] ?? [];
    const errs = xs.map((d) => d - base - delay);
    all.push(...errs);
    rows.push([b, String(delay), String(errs.length), ms(median(xs)), spread(xs), ms(median(errs)), ms(maxOf(errs.map(Math.abs)))]);
  }
  const med = median(all);
  const worst = maxOf(all.map(Math.abs));
  const met = Math.abs(med) < TARGET_MEDIAN_MS && worst < TARGET_WORST_MS;
  allMet &&= met;
  rows.push([b, 'all', String(all.length), '', '', ms(med), ms(worst)]);
  verdicts.push(`${b}: median error ${ms(med)} (target within ±${TARGET_MEDIAN_MS}), worst |error| ${ms(worst)} (target < ${TARGET_WORST_MS}; noise floor ${ms(floor)}) → ${met ? 'MET' : 'NOT MET'}`);
}
console.log('');
console.log('error = reported "sign in" − median un-delayed "sign in" − injected delay, per journey run');
printTable(['browser', 'delay', 'n', 'median sign in', 'range (ms)', 'median error', 'worst |error|'], rows);
console.log('');
for (const v of verdicts) console.log(v);
process.exit(allMet ? 0 : 1);
