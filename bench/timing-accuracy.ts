/**
 * Timing accuracy: does the reported "sign in" step duration track exactly the latency the
 * portal adds?
 *
 * Four demo portals, one per condition (delay:login 0, 250, 1000, 3000 ms), all in one
 * config, so every portal-probe run measures every condition within minutes of the others.
 * The conditions take turns journey by journey (0 250 1000 3000, then 250 1000 3000 0, …,
 * the rotation shifted each round), so slow drift within a run (the browser warming up or
 * slowing down, other load, CPU frequency) falls on all conditions alike. ROUNDS runs,
 * chromium + firefox, workers 1. Each run opens with one warm-up journey per browser on a fifth, un-delayed portal,
 * not counted: the first login after a browser starts is slower (cold caches), whatever
 * condition it would have fallen on. Baseline = median un-delayed "sign in" per browser
 * over all rounds; error_i = (duration_i − baseline) − delay.
 *
 * Journeys use 1 s of think time (`thinkTimeMs`): without it the previous page's background
 * work spills into "sign in" and a server delay hides it, so a bare Playwright script and
 * the browser's own Navigation Timing also come out ~80–140 ms short of the injected delay
 * (see bench/README.md). `--think 0` shows that effect.
 *
 *   npx tsx bench/timing-accuracy.ts [--quick] [--raw] [--think MS]
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../demo-portal/index.ts';
import type { ProbeConfigInput } from '../config/schema.ts';
import { writeJson } from '../test/helpers/cli.ts';
import { physicians, providerPortal, secretEnv } from '../test/helpers/portal-config.ts';
import { QUICK, freshStateDir, header, maxOf, median, ms, portalProbeRun, printTable, scratchDir, secs } from './lib.ts';

const DELAYS = [0, 250, 1000, 3000] as const;
const BROWSERS = ['chromium', 'firefox'] as const;
type Browser = (typeof BROWSERS)[number];
const ROUNDS = QUICK ? 1 : 4;
/** Journeys per condition per run (each runs once per browser, on its own account). */
const JOURNEYS = 3;
const TARGET_MEDIAN_MS = 25;
const TARGET_WORST_MS = 100;
const RAW = process.argv.includes('--raw');
const thinkAt = process.argv.indexOf('--think');
const THINK_MS = thinkAt >= 0 ? Number(process.argv[thinkAt + 1]) : 1000;
if (!Number.isInteger(THINK_MS) || THINK_MS < 0) throw new Error('--think: expected a whole number of milliseconds');

header(`portal-probe timing accuracy: reported "sign in" vs injected delay:login (think time ${THINK_MS} ms)`);
freshStateDir();
const work = scratchDir('pp-bench-timing-');
const WARMUP = -1;
const ids = (d: number, round: number): string[] => Array.from({ length: d === WARMUP ? 1 : JOURNEYS }, (_, i) => `ta${d}r${round}n${i + 1}`);

const portals = new Map<number, DemoPortal>();
/** "sign in" durations by condition and browser. */
const samples = new Map<number, Record<Browser, number[]>>(DELAYS.map((d) => [d, { chromium: [], firefox: [] }]));
try {
  for (const d of [WARMUP, ...DELAYS]) {
    // Accounts for every round: no run ever waits for a TOTP step an earlier run used.
    const seeds = Array.from({ length: ROUNDS }, (_, r) => physicians(`ta${d}r${r + 1}n`, d === WARMUP ? 1 : JOURNEYS)).flat();
    portals.set(d, await startDemoPortal({ https: false, accounts: seeds, faults: d > 0 ? [`delay:login:${d}`] : [] }));
  }
  for (let round = 1; round <= ROUNDS; round++) {
    // One portal entry per journey, in turn order: [warm-up, (d, journey i) rotated].
    const turns: { d: number; account: string; name: string }[] = [{ d: WARMUP, account: ids(WARMUP, round)[0] ?? '', name: 'warm-up' }];
    for (let i = 0; i < JOURNEYS; i++) {
      for (let k = 0; k < DELAYS.length; k++) {
        const d = DELAYS[(i + round + k) % DELAYS.length] ?? 0;
        turns.push({ d, account: ids(d, round)[i] ?? '', name: `delay-${d}-${i + 1}` });
      }
    }
    const dir = path.join(work, `round-${round}`);
    mkdirSync(dir);
    let env: Record<string, string> = {};
    const config: ProbeConfigInput = {
      portals: turns.map(({ d, account, name }) => {
        const portal = portals.get(d);
        if (!portal) throw new Error(`no portal for ${d}`);
        env = { ...env, ...secretEnv(portal, [account]) };
        return providerPortal(portal, { accountIds: [account], journeys: 1, name, thinkTimeMs: THINK_MS });
      }),
      browsers: [...BROWSERS],
      viewports: ['desktop'],
      timeouts: { stepMs: 10_000, journeyMs: 120_000 },
      workers: 1,
      outputDir: path.join(dir, 'out'),
    };
    const configFile = path.join(dir, 'portal-probe.config.json');
    writeJson(configFile, config);
    const r = await portalProbeRun(['--config', configFile], { cwd: dir, outputDir: path.join(dir, 'out'), env });
    const line: string[] = [];
    for (const x of r.run.results) {
      if (x.portal === 'warm-up') continue;
      const d = Number(/^delay-(\d+)-/.exec(x.portal)?.[1]);
      const v = x.steps.find((s) => s.name === 'sign in')?.durationMs;
      if (v === null || v === undefined) throw new Error(`${x.id}: no "sign in" duration`);
      if (x.browser.name !== 'chromium' && x.browser.name !== 'firefox') continue;
      samples.get(d)?.[x.browser.name].push(v);
      line.push(`${x.browser.name}/${d}: ${v}`);
    }
    console.log(`round ${round}: run ${secs(r.wallMs)}, ${r.run.results.length} journeys${RAW ? `; ${line.join(', ')}` : ''}`);
  }
} finally {
  for (const p of portals.values()) await p.close();
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
