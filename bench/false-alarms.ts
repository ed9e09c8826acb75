/**
 * False alarms: does a clean portal ever come out failed or degraded?
 *
 * RUNS consecutive `portal-probe run`s against one demo portal with no faults, its
 * single-page flavour (/app/login, `spaLoginSteps`), chromium + firefox, desktop, workers 2,
 * the product's default think time (0), stepMs 10 000 — each run one journey per browser.
 * Every run has its own portal entry with a pool of two accounts nobody used before (the
 * two browsers lease different ones), so no login ever waits for a TOTP code another login
 * used. Steps have the embedded demo config's budget (`budgets.default` 5000 ms; `--budget
 * 0` for none), so a step that is merely slow counts as degraded, as it would in a monitor.
 *
 * Counted per browser: passed, degraded, failed (harness errors, not-run and missing
 * results count as failed), each non-pass printed with its failed step, category and error
 * message; and the "sign in" and "TOTP" step medians. Target: zero failed and zero
 * degraded results in both browsers.
 *
 *   npx tsx bench/false-alarms.ts [--quick] [--runs N] [--budget MS]     (--quick: 2 runs)
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal } from '../demo-portal/index.ts';
import type { ProbeConfigInput } from '../config/schema.ts';
import { spaLoginSteps } from '../config/demo.config.ts';
import type { JourneyResult } from '../core/result.ts';
import { physicians, providerPortal, secretEnv, writeConfig } from '../test/helpers/portal-config.ts';
import { QUICK, intFlag, freshStateDir, header, median, ms, portalProbeRun, printTable, scratchDir, secs } from './lib.ts';

const BROWSERS = ['chromium', 'firefox'] as const;
type Browser = (typeof BROWSERS)[number];
const RUNS = intFlag('--runs', QUICK ? 2 : 20, 1);
/** The embedded demo config's `budgets.default` (config/demo.config.ts). */
const BUDGET_MS = intFlag('--budget', 5000, 0);
/** Accounts per run: one per browser, a pool, so the two concurrent logins lease different ones. */
const PER_RUN = BROWSERS.length;

header(`portal-probe false alarms: ${RUNS} run(s) against a clean demo portal, single-page flavour (chromium + firefox, desktop, workers 2, think time 0, stepMs 10000, ${BUDGET_MS ? `budget ${BUDGET_MS} ms per step` : 'no budgets'})`);
freshStateDir();
const work = scratchDir('pp-bench-false-alarms-');
const prefix = (run: number): string => `fa${run}n`;
const portal = await startDemoPortal({ https: false, accounts: Array.from({ length: RUNS }, (_, r) => physicians(prefix(r + 1), PER_RUN)).flat() });

type Tally = { passed: number; degraded: number; failed: number; signIn: number[]; totp: number[] };
const tally: Record<Browser, Tally> = { chromium: { passed: 0, degraded: 0, failed: 0, signIn: [], totp: [] }, firefox: { passed: 0, degraded: 0, failed: 0, signIn: [], totp: [] } };
const alarms: string[] = [];
const describe = (x: JourneyResult): string => [
  x.outcome, x.failedStep ? `step "${x.failedStep}"` : '', x.category ? `category ${x.category}` : '',
  x.errorMessage ? `error: ${x.errorMessage}` : '', x.errorText ? `portal said: ${x.errorText}` : '', x.reason ? `reason: ${x.reason}` : '',
  x.steps.filter((s) => s.overBudget).map((s) => `"${s.name}" ${ms(s.durationMs ?? Number.NaN)} over budget ${ms(s.budgetMs ?? Number.NaN)}`).join(', '),
].filter(Boolean).join('; ');

try {
  for (let run = 1; run <= RUNS; run++) {
    const dir = path.join(work, `run-${run}`);
    mkdirSync(dir);
    const ids = Array.from({ length: PER_RUN }, (_, i) => `${prefix(run)}${i + 1}`);
    const base = providerPortal(portal, { accountIds: ids, journeys: 1, name: `spa-${run}` });
    const entry: ProbeConfigInput['portals'][number] = {
      ...base,
      journeys: (base.journeys ?? []).map((j) => (j.kind === 'login' ? { ...j, name: 'spa login', steps: spaLoginSteps('Dashboard') } : j)),
    };
    const setup = writeConfig(dir, [entry], secretEnv(portal, ids), {
      browsers: [...BROWSERS], viewports: ['desktop'], workers: 2, stepMs: 10_000, journeyMs: 90_000, budgets: BUDGET_MS ? { default: BUDGET_MS } : {},
    });
    const seen = new Set<Browser>();
    const line: string[] = [];
    let wall = Number.NaN;
    try {
      const r = await portalProbeRun(['--config', setup.configFile], { cwd: dir, outputDir: setup.outputDir, env: setup.env, allowNotPassed: true });
      wall = r.wallMs;
      for (const x of r.run.results) {
        const b = x.browser.name;
        if (b !== 'chromium' && b !== 'firefox') continue;
        seen.add(b);
        const t = tally[b];
        const step = (name: string): number | null | undefined => x.steps.find((s) => s.name === name)?.durationMs;
        const signIn = step('sign in');
        const totp = step('TOTP');
        if (typeof signIn === 'number') t.signIn.push(signIn);
        if (typeof totp === 'number') t.totp.push(totp);
        if (x.outcome === 'passed') t.passed++;
        else if (x.outcome === 'degraded') t.degraded++;
        else t.failed++;
        if (x.outcome !== 'passed') alarms.push(`run ${run} ${b} (${x.account ?? '?'}): ${describe(x)}`);
        line.push(`${b} ${x.outcome} (sign in ${ms(signIn ?? Number.NaN)}, TOTP ${ms(totp ?? Number.NaN)})`);
      }
    } catch (e) {
      // No results at all: the run itself broke, which a monitor would also report.
      alarms.push(`run ${run}: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | ')}`);
    }
    for (const b of BROWSERS) {
      if (seen.has(b)) continue;
      tally[b].failed++;
      alarms.push(`run ${run} ${b}: no result`);
      line.push(`${b} no result`);
    }
    console.log(`run ${run}: ${secs(wall)}; ${line.join(', ')}`);
  }
} finally {
  await portal.close();
}

console.log('');
printTable(['browser', 'runs', 'passed', 'degraded', 'failed', 'median sign in', 'sign in range', 'median TOTP', 'TOTP range'], BROWSERS.map((b) => {
  const t = tally[b];
  const range = (xs: readonly number[]): string => (xs.length ? `${Math.min(...xs)}–${Math.max(...xs)} ms` : 'n/a');
  return [b, String(RUNS), String(t.passed), String(t.degraded), String(t.failed), ms(median(t.signIn)), range(t.signIn), ms(median(t.totp)), range(t.totp)];
}));
console.log('');
if (alarms.length) {
  console.log('not passed:');
  for (const a of alarms) console.log(`  ${a}`);
  console.log('');
}
let allMet = true;
for (const b of BROWSERS) {
  const t = tally[b];
  const met = t.failed === 0 && t.degraded === 0 && t.passed === RUNS;
  allMet &&= met;
  console.log(`${b}: ${t.failed} failed, ${t.degraded} degraded of ${RUNS} (target 0 and 0) → ${met ? 'MET' : 'NOT MET'}`);
}
if (QUICK) console.log('(--quick: too few runs for the verdict to mean anything)');
process.exit(allMet ? 0 : 1);
