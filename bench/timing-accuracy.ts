/**
 * Timing accuracy: does the reported "sign in" step duration track exactly the latency the
 * portal adds? One demo portal; one portal-probe run per condition (delay:login 0, 250,
 * 1000, 3000 ms), chromium + firefox, workers 1. Baseline = median un-delayed "sign in"
 * per browser; error_i = (duration_i − baseline) − delay.
 *
 *   npx tsx bench/timing-accuracy.ts [--quick] [--raw]
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
const JOURNEYS = QUICK ? 3 : 6;
const TARGET_MEDIAN_MS = 25;
const TARGET_WORST_MS = 100;
const RAW = process.argv.includes('--raw');

header('portal-probe timing accuracy: reported "sign in" vs injected delay:login');
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
      accountIds: ids, journeys: JOURNEYS, browsers: [...BROWSERS], workers: 1, stepMs: 10_000, journeyMs: 120_000, name: 'bench-portal',
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
  const base = median(samples.get(0)?.[b] ?? []);
  const spread = (xs: readonly number[]): string => `${Math.min(...xs)}–${maxOf(xs)}`;
  rows.push([b, '0', String(samples.get(0)?.[b].length ?? 0), ms(base), spread(samples.get(0)?.[b] ?? []), '(baseline)', '', '']);
  const all: number[] = [];
  for (const delay of DELAYS.filter((d) => d > 0)) {
    const errs = (samples.get(delay)?.[b] ?? []).map((d) => d - base - delay);
    all.push(...errs.map(Math.abs));
    rows.push([b, String(delay), String(errs.length), ms(median(samples.get(delay)?.[b] ?? [])), spread(samples.get(delay)?.[b] ?? []), ms(median(errs)),
      ms(median(errs.map(Math.abs))), ms(maxOf(errs.map(Math.abs)))]);
  }
  const med = median(all);
  const worst = maxOf(all);
  const met = med < TARGET_MEDIAN_MS && worst < TARGET_WORST_MS;
  allMet &&= met;
  rows.push([b, 'all', String(all.length), '', '', '', ms(med), ms(worst)]);
  verdicts.push(`${b}: median |error| ${ms(med)} (target < ${TARGET_MEDIAN_MS}), worst ${ms(worst)} (target < ${TARGET_WORST_MS}) → ${met ? 'MET' : 'NOT MET'}`);
}
console.log('');
printTable(['browser', 'delay', 'n', 'median sign in', 'sign in range (ms)', 'median error', 'median |error|', 'worst |error|'], rows);
console.log('');
for (const v of verdicts) console.log(v);
process.exit(allMet ? 0 : 1);
