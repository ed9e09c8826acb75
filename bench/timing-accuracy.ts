/**
 * Timing accuracy: does the reported "sign in" step duration track exactly the latency the
 * portal adds — on both flavours of the demo portal?
 *
 * Four demo portals, one per condition (delay:login 0, 250, 1000, 3000 ms: the portal
 * sleeps that long before handling the sign-in POST, /login and /api/app/login alike),
 * all in one config, so every portal-probe run measures every condition within minutes of
 * the others. Each condition gets journeys of both flavours: the server-rendered provider
 * login (/login, "classic") and the single-page one (/app/login, `spaLoginSteps`, "spa"),
 * both with a step "sign in" that covers the sign-in POST. The conditions take turns
 * journey by journey (0 250 1000 3000, then 250 1000 3000 0, …, the rotation shifted each
 * round), and at every turn both flavours run one after the other, the one going first
 * alternating from slot to slot and round to round, so slow drift within a run (the
 * browser warming up or slowing down, other load, CPU frequency) falls on all conditions
 * and both flavours alike. Every journey is its own portal entry on its own account.
 * ROUNDS runs, chromium + firefox, workers 1. Each run opens with one warm-up journey per
 * browser and flavour on a fifth, un-delayed portal, not counted: the first login after a
 * browser starts is slower (cold caches), whatever condition it would have fallen on.
 * Baseline = median un-delayed "sign in" per browser and flavour over all rounds;
 * error_i = (duration_i − baseline) − delay.
 *
 * Journeys use 1 s of think time (`thinkTimeMs`): without it the previous page's background
 * work spills into "sign in" and a server delay hides it, so a bare Playwright script and
 * the browser's own Navigation Timing also come out ~80–140 ms short of the injected delay
 * (see bench/README.md). `--think 0` shows that effect.
 *
 * Targets, per browser × flavour: median error within ±25 ms and 95th-percentile |error|
 * (nearest rank) ≤ 60 ms. The worst |error| and the noise floor are reported, no target.
 *
 *   npx tsx bench/timing-accuracy.ts [--quick] [--raw] [--think MS] [--rounds N]
 *   (--quick: 1 round, 1 journey per condition and flavour — a smoke run, no verdict worth citing)
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../demo-portal/index.ts';
import type { ProbeConfigInput } from '../config/schema.ts';
import { spaLoginSteps } from '../config/demo.config.ts';
import { writeJson } from '../test/helpers/cli.ts';
import { physicians, providerPortal, secretEnv } from '../test/helpers/portal-config.ts';
import { QUICK, intFlag, freshStateDir, header, maxOf, median, ms, nearestRank, portalProbeRun, printTable, scratchDir, secs } from './lib.ts';

const DELAYS = [0, 250, 1000, 3000] as const;
const BROWSERS = ['chromium', 'firefox'] as const;
type Browser = (typeof BROWSERS)[number];
const FLAVOURS = ['classic', 'spa'] as const;
type Fl = (typeof FLAVOURS)[number];
const ROUNDS = intFlag('--rounds', QUICK ? 1 : 4, 1);
/** Journeys per condition and flavour per run (each runs once per browser, on its own account). */
const JOURNEYS = QUICK ? 1 : 3;
const TARGET_MEDIAN_MS = 25;
const TARGET_P95_MS = 60;
const RAW = process.argv.includes('--raw');
const THINK_MS = intFlag('--think', 1000, 0);

header(`portal-probe timing accuracy: reported "sign in" vs injected delay:login, classic + spa flavours (think time ${THINK_MS} ms, ${ROUNDS} round(s) × ${JOURNEYS} journey(s) per condition and flavour)`);
freshStateDir();
const work = scratchDir('pp-bench-timing-');
const WARMUP = -1;
/** Accounts of condition d, flavour f, round r: `<prefix>1` … (physicians' numbering); journey i (1-based) uses `<prefix>i`. */
const accountPrefix = (d: number, f: Fl, round: number): string => `ta${d === WARMUP ? 'w' : d}${f === 'spa' ? 's' : 'c'}r${round}n`;
const accountId = (d: number, f: Fl, round: number, i: number): string => `${accountPrefix(d, f, round)}${i}`;

type PortalInput = ProbeConfigInput['portals'][number];
/** One journey on one account: the provider login for classic, the same entry with the single-page steps for spa. */
function portalEntry(portal: DemoPortal, f: Fl, account: string, name: string): PortalInput {
  const entry = providerPortal(portal, { accountIds: [account], journeys: 1, name, thinkTimeMs: THINK_MS });
  if (f === 'classic') return entry;
  return { ...entry, journeys: (entry.journeys ?? []).map((j) => (j.kind === 'login' ? { ...j, steps: spaLoginSteps('Dashboard') } : j)) };
}

interface Sample { browser: Browser; flavour: Fl; delay: number; round: number; ms: number }
const samples: Sample[] = [];
const portals = new Map<number, DemoPortal>();
try {
  for (const d of [WARMUP, ...DELAYS]) {
    // Accounts for every round and flavour: no run ever waits for a TOTP step an earlier run used.
    const seeds = FLAVOURS.flatMap((f) => Array.from({ length: ROUNDS }, (_, r) => physicians(accountPrefix(d, f, r + 1), d === WARMUP ? 1 : JOURNEYS)).flat());
    portals.set(d, await startDemoPortal({ https: false, accounts: seeds, faults: d > 0 ? [`delay:login:${d}`] : [] }));
  }
  for (let round = 1; round <= ROUNDS; round++) {
    // One portal entry per journey, in turn order: [warm-ups, then (journey i, condition d) rotated, both flavours at each].
    const firstWarm = round % 2 ? FLAVOURS : [...FLAVOURS].reverse();
    const turns: { d: number; f: Fl; account: string; name: string }[] = firstWarm.map((f) => ({ d: WARMUP, f, account: accountId(WARMUP, f, round, 1), name: `warm-up-${f}` }));
    for (let i = 0; i < JOURNEYS; i++) {
      const order = (i + round) % 2 ? FLAVOURS : [...FLAVOURS].reverse();
      for (let k = 0; k < DELAYS.length; k++) {
        const d = DELAYS[(i + round + k) % DELAYS.length] ?? 0;
        for (const f of order) turns.push({ d, f, account: accountId(d, f, round, i + 1), name: `delay-${d}-${f}-${i + 1}` });
      }
    }
    const dir = path.join(work, `round-${round}`);
    mkdirSync(dir);
    let env: Record<string, string> = {};
    const config: ProbeConfigInput = {
      portals: turns.map(({ d, f, account, name }) => {
        const portal = portals.get(d);
        if (!portal) throw new Error(`no portal for ${d}`);
        env = { ...env, ...secretEnv(portal, [account]) };
        return portalEntry(portal, f, account, name);
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
      if (x.portal.startsWith('warm-up-')) continue;
      const m = /^delay-(\d+)-(classic|spa)-/.exec(x.portal);
      if (!m) throw new Error(`${x.id}: unexpected portal entry`);
      const d = Number(m[1]);
      const flavour = m[2] as Fl;
      const v = x.steps.find((s) => s.name === 'sign in')?.durationMs;
      if (v === null || v === undefined) throw new Error(`${x.id}: no "sign in" duration`);
      if (x.browser.name !== 'chromium' && x.browser.name !== 'firefox') continue;
      samples.push({ browser: x.browser.name, flavour, delay: d, round, ms: v });
      line.push(`${x.browser.name}/${flavour}/${d}: ${v}`);
    }
    console.log(`round ${round}: run ${secs(r.wallMs)}, ${r.run.results.length} journeys${RAW ? `; ${line.join(', ')}` : ''}`);
  }
} finally {
  for (const p of portals.values()) await p.close();
}

const signed = (x: number): string => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(0)} ms` : 'n/a');
const spread = (xs: readonly number[]): string => (xs.length ? `${Math.min(...xs)}–${maxOf(xs)}` : 'n/a');
const rows: string[][] = [];
const summary: string[][] = [];
const verdicts: string[] = [];
let allMet = true;
for (const b of BROWSERS) {
  for (const f of FLAVOURS) {
    const of = (delay: number, round?: number): Sample[] => samples.filter((x) => x.browser === b && x.flavour === f && x.delay === delay && (round === undefined || x.round === round));
    const baseSamples = of(0).map((x) => x.ms);
    const base = median(baseSamples);
    // The noise floor: how far un-delayed runs stray from their own median. No timer can do
    // better per sample than the portal and browser vary from one sign-in to the next.
    const floor = maxOf(baseSamples.map((x) => Math.abs(x - base)));
    rows.push([b, f, '0', String(baseSamples.length), ms(base), spread(baseSamples), '(baseline)', '', `${ms(floor)} (noise floor)`]);
    const errOf = (xs: readonly Sample[]): number[] => xs.map((x) => x.ms - base - x.delay);
    const all: number[] = [];
    for (const delay of DELAYS.filter((d) => d > 0)) {
      const xs = of(delay);
      const errs = errOf(xs);
      all.push(...errs);
      const abs = errs.map(Math.abs);
      rows.push([b, f, String(delay), String(errs.length), ms(median(xs.map((x) => x.ms))), spread(xs.map((x) => x.ms)), signed(median(errs)), ms(nearestRank(abs, 95)), ms(maxOf(abs))]);
    }
    const med = median(all);
    const p95 = nearestRank(all.map(Math.abs), 95);
    const worst = maxOf(all.map(Math.abs));
    // The spread over rounds: each round's median error (against the baseline over all rounds).
    const roundMeds = Array.from({ length: ROUNDS }, (_, r) => median(errOf(DELAYS.filter((d) => d > 0).flatMap((d) => of(d, r + 1))))).filter(Number.isFinite);
    const roundSpread = roundMeds.length ? `${signed(Math.min(...roundMeds))} … ${signed(maxOf(roundMeds))}` : 'n/a';
    const met = Math.abs(med) <= TARGET_MEDIAN_MS && p95 <= TARGET_P95_MS;
    allMet &&= met;
    rows.push([b, f, 'all', String(all.length), '', '', signed(med), ms(p95), ms(worst)]);
    summary.push([b, f, String(all.length), signed(med), ms(p95), ms(worst), ms(floor), `${ms(base)} (${spread(baseSamples)})`, roundSpread]);
    verdicts.push(`${b} / ${f}: median error ${signed(med)} (target within ±${TARGET_MEDIAN_MS} ms), 95th-percentile |error| ${ms(p95)} (target ≤ ${TARGET_P95_MS} ms) → ${met ? 'MET' : 'NOT MET'}; worst |error| ${ms(worst)} (no target), noise floor ${ms(floor)}, round medians ${roundSpread}`);
  }
}
console.log('');
console.log('error = reported "sign in" − median un-delayed "sign in" (per browser and flavour) − injected delay, per journey run');
printTable(['browser', 'flavour', 'delay', 'n', 'median sign in', 'range (ms)', 'median error', 'p95 |error|', 'worst |error|'], rows);
console.log('');
printTable(['browser', 'flavour', 'n', 'median error', 'p95 |error|', 'worst |error|', 'noise floor', 'median un-delayed sign in', 'median error by round (min … max)'], summary);
console.log('');
for (const v of verdicts) console.log(v);
if (QUICK) console.log('(--quick: too few samples for the verdict to mean anything)');
process.exit(allMet ? 0 : 1);
