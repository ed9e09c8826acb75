/**
 * The verdict rules (pure): when a step is a regression, which samples make a baseline
 * (and when a change becomes the new normal), and which outcome, step-list and check
 * differences count.
 *
 * A step regressed only when it is both statistically slower (one-sided Mann–Whitney U of
 * its last k samples against the baseline, p < alpha) and practically slower (median up by
 * at least max(minRelative × baseline median, minAbsoluteMs, minSpread × 1.4826 × MAD of
 * the baseline, that is minSpread robust standard deviations). The last floor scales with
 * the step's own spread: a step that varies by hundreds of ms from run to run is not called
 * slower for a shift of that size, which run-time judging meets as stretches of a slow
 * machine. MAD, not p90, so one outlier in a small window does not raise it. Practically
 * slower without statistical support, or too few samples, is "inconclusive" — never "ok",
 * never "regressed".
 *
 * The steps of one result are one family: a journey of m steps is m tests, and at p < alpha
 * each, a clean run would be called regressed somewhere up to m × alpha of the time. With
 * `correction: 'holm'` (the default; it costs power: see the README and bench/README.md) the family's p values go through Holm's step-down
 * procedure, so the chance that a clean result has any step called regressed stays under
 * alpha: the smallest p must be under alpha / m, the next under alpha / (m − 1), and so on,
 * and the first that is not ends the rejections.
 */
import type { Measurement, Outcome, StepJudgement, StepStatus, VerdictFinding } from '../core/result.ts';
import { mannWhitneyGreater, summarize } from './stats.ts';

/** MAD × this estimates the standard deviation of normally distributed samples. */
const ROBUST_SD = 1.4826;
const DEFAULT_SPREAD = 2;

export interface RegressionSettings {
  window: number; recent: number; alpha: number; minRelative: number; minAbsoluteMs: number;
  /** How the significance level is shared among one result's steps (default 'holm'; 'none': each step at alpha). */
  correction?: 'holm' | 'none';
  /** A slowdown must also be at least this many robust standard deviations (1.4826 × MAD) of the baseline (default 2; 0: only minRelative and minAbsoluteMs). */
  minSpread?: number;
}
export const DEFAULT_REGRESSION: RegressionSettings = { window: 20, recent: 5, alpha: 0.01, minRelative: 0.1, minAbsoluteMs: 150, correction: 'holm', minSpread: DEFAULT_SPREAD };


export function formatMs(ms: number): string {
  const a = Math.abs(ms);
  return Math.round(a) < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
/** p to two significant digits: 0.032, not 0.03. */
const formatP = (p: number): string => p.toPrecision(2);

/** The smallest p the exact one-sided rank test of k candidates against n baseline samples can give: 1 / C(n + k, k). */
export function smallestP(k: number, n: number): number {
  let ways = 1;
  for (let i = 1; i <= k; i++) ways = (ways * (n + i)) / i;
  return 1 / ways;
}

/** The samples of one step: what `judgeSteps` compares. */
export interface StepSamples { step: string; baseline: readonly number[]; candidate: readonly number[] }

/**
 * One step on its own, at the level `level` (alpha unless a correction says otherwise;
 * `family` is how many steps shared alpha, for the reason's wording).
 */
export function stepVerdict(step: string, baseline: readonly number[], candidate: readonly number[], s: RegressionSettings, level = s.alpha, family = 1): StepJudgement {
  const b = summarize(baseline);
  const c = summarize(candidate);
  if (baseline.length < s.recent || candidate.length < s.recent) {
    return { step, verdict: 'inconclusive', reason: `too few samples (baseline ${baseline.length}, candidate ${candidate.length}; need ${s.recent} each)`, baseline: b, candidate: c, deltaMs: null, thresholdMs: null, p: null };
  }
  const delta = c.median - b.median;
  const fixed = Math.max(s.minRelative * b.median, s.minAbsoluteMs);
  const spreads = s.minSpread ?? DEFAULT_SPREAD;
  const spread = spreads * ROBUST_SD * b.mad;
  const threshold = Math.max(fixed, spread);
  const by = spread > fixed ? ` (${spreads} × the baseline's spread)` : '';
  const { p } = mannWhitneyGreater(candidate, baseline);
  const base = { step, baseline: b, candidate: c, deltaMs: delta, thresholdMs: threshold, p };
  const change = `${formatMs(b.median)} → ${formatMs(c.median)}`;
  const shared = family > 1 ? `, under ${formatP(level)}: alpha ${s.alpha} shared by ${family} steps (Holm)` : '';
  if (delta >= threshold && p < level) return { ...base, verdict: 'regressed', reason: `slower by ${formatMs(delta)} (${change}, p = ${formatP(p)}${shared})` };
  if (delta >= threshold) {
    // With few samples the rank test cannot go low enough for a shared level, whatever the change: say so, and what would.
    const best = smallestP(candidate.length, baseline.length);
    const short = family > 1 && best >= s.alpha / family ? `; ${candidate.length} against ${baseline.length} samples can reach p = ${formatP(best)} at best, not under ${formatP(s.alpha / family)}: more baseline runs would decide` : '';
    const why = p < s.alpha && family > 1 ? `not significant once alpha ${s.alpha} is shared by the ${family} steps (Holm)${short}` : 'the spread is too wide to decide';
    return { ...base, verdict: 'inconclusive', reason: `slower by ${formatMs(delta)} (${change}) but ${why} (p = ${formatP(p)})` };
  }
  return { ...base, verdict: 'ok', reason: `within normal: ${delta >= 0 ? '+' : '−'}${formatMs(Math.abs(delta))}, under the ${formatMs(threshold)} threshold${by}` };
}

/**
 * Every step of one result (or one gate cell), judged as a family: with Holm's correction,
 * the steps with enough samples are ordered by p; the i-th smallest (from 0) is tested at
 * alpha / (m − i) until one is not under its level, and that one and every step after it
 * at level 0 (no longer significant). Unset is the default, Holm; with `'none'` each step is tested at alpha.
 * Returned in the order given.
 */
export function judgeSteps(steps: readonly StepSamples[], s: RegressionSettings): StepJudgement[] {
  if (s.correction === 'none') return steps.map((x) => stepVerdict(x.step, x.baseline, x.candidate, s));
  const testable = steps.flatMap((x, i) => (x.baseline.length >= s.recent && x.candidate.length >= s.recent ? [{ i, p: mannWhitneyGreater(x.candidate, x.baseline).p }] : []));
  const m = testable.length;
  const level = new Map<number, number>();
  let stopped = false;
  [...testable].sort((a, b) => a.p - b.p || a.i - b.i).forEach((t, rank) => {
    const l = s.alpha / (m - rank);
    if (stopped || t.p >= l) stopped = true;
    level.set(t.i, stopped ? Math.min(l, t.p) : l);
  });
  return steps.map((x, i) => stepVerdict(x.step, x.baseline, x.candidate, s, level.get(i) ?? s.alpha, Math.max(m, 1)));
}

export interface StepSample { durationMs: number; regressed: boolean; accepted: boolean }

/**
 * The baseline from a step's history (newest first, the candidate's samples left out): the
 * newest `window` samples that were not themselves regressions, or were accepted. The new
 * normal: once the newest `window` samples are all unaccepted regressions (the change held
 * for the whole window), they are the baseline.
 */
export function baselineSamples(history: readonly StepSample[], s: RegressionSettings): number[] {
  const newest = history.slice(0, s.window);
  if (newest.length >= s.window && newest.every((x) => x.regressed && !x.accepted)) return newest.map((x) => x.durationMs);
  return history.filter((x) => !x.regressed || x.accepted).slice(0, s.window).map((x) => x.durationMs);
}

export interface ResultLike {
  outcome: Outcome;
  failedStep?: string;
  category?: string;
  cause?: string;
  errorMessage?: string;
  steps: readonly { name: string; status: StepStatus; durationMs: number | null }[];
  measurements: readonly Measurement[];
}

const ran = (o: Outcome): boolean => o === 'passed' || o === 'degraded' || o === 'failed';

/** Outcome and step-list differences of `after` from the baseline's representative `before`. */
export function outcomeFindings(before: ResultLike | undefined, after: ResultLike): VerdictFinding[] {
  if (!before || !ran(before.outcome) || !ran(after.outcome)) return [];
  const out: VerdictFinding[] = [];
  const where = (r: ResultLike): string => `"${r.failedStep ?? '?'}": ${r.category ?? 'failed'}`;
  if (before.outcome !== 'failed' && after.outcome === 'failed') {
    out.push({ kind: 'outcome', verdict: 'regressed', subject: after.failedStep ?? 'outcome', before: before.outcome, after: `failed at ${where(after)}`,
      message: `passed before; now fails at ${where(after)}${after.errorMessage ? ` — ${after.errorMessage}` : ''}` });
  } else if (before.outcome === 'failed' && after.outcome === 'failed' && (before.category !== after.category || before.failedStep !== after.failedStep)) {
    out.push({ kind: 'outcome', verdict: 'regressed', subject: after.failedStep ?? 'outcome', before: `failed at ${where(before)}`, after: `failed at ${where(after)}`,
      message: `new failure: failed at ${where(before)} before; now at ${where(after)}${after.errorMessage ? ` — ${after.errorMessage}` : ''}` });
  }
  const was = new Set(before.steps.map((x) => x.name));
  const is = new Set(after.steps.map((x) => x.name));
  for (const n of is) if (!was.has(n)) out.push({ kind: 'steps', verdict: 'changed', subject: n, message: `step added: ${n}` });
  for (const n of was) if (!is.has(n)) out.push({ kind: 'steps', verdict: 'changed', subject: n, message: `step removed: ${n}` });
  return out;
}

function show(m: Measurement, v: number): string {
  if (m.unit === 's') return v >= 120 ? `${(v / 60).toFixed(1)} min` : `${Number(v.toFixed(2))} s`;
  if (m.unit === 'bool') return v ? 'yes' : 'no';
  return `${v}${m.unit === 'days' ? ' days' : ''}`;
}
function showInterval(m: Measurement): string {
  const range = m.lo !== undefined || m.hi !== undefined ? ` (${m.lo === undefined ? '…' : show(m, m.lo)}–${m.hi === undefined ? '…' : show(m, m.hi)})` : '';
  return `${show(m, m.value)}${range}`;
}

/** Check measurements of `after` against the baseline's, by name. */
export function checkFindings(before: readonly Measurement[], after: readonly Measurement[]): VerdictFinding[] {
  const out: VerdictFinding[] = [];
  for (const a of after) {
    const b = before.find((x) => x.name === a.name);
    if (!b) continue;
    const interval = (m: Measurement): boolean => m.lo !== undefined || m.hi !== undefined;
    const subject = a.name;
    if (interval(a) && interval(b)) {
      // Each is (lo, hi]: alive at lo, ended by hi.
      const disjoint = (a.hi ?? Infinity) <= (b.lo ?? -Infinity) || (b.hi ?? Infinity) <= (a.lo ?? -Infinity);
      if (disjoint) out.push({ kind: 'check', verdict: 'regressed', subject, before: showInterval(b), after: showInterval(a), message: `${a.name} changed: ${showInterval(b)} → ${showInterval(a)}` });
      else if (a.value !== b.value) out.push({ kind: 'check', verdict: 'changed', subject, before: showInterval(b), after: showInterval(a), message: `${a.name}: ${showInterval(b)} → ${showInterval(a)}, within its resolution` });
      continue;
    }
    const floor = a.atLeast ?? b.atLeast;
    if (floor !== undefined && b.value >= floor && a.value < floor) {
      out.push({ kind: 'check', verdict: 'regressed', subject, before: show(a, b.value), after: show(a, a.value), message: `${a.name} fell under the warning line: ${show(a, b.value)} → ${show(a, a.value)} (warning at ${show(a, floor)})` });
      continue;
    }
    if (a.expected !== undefined && ['bool', 'count', 'attempts'].includes(a.unit) && b.value === a.expected && a.value !== a.expected) {
      out.push({ kind: 'check', verdict: 'regressed', subject, before: show(a, b.value), after: show(a, a.value), message: `${a.name}: ${show(a, b.value)} → ${show(a, a.value)} (expected ${show(a, a.expected)})` });
      continue;
    }
    if (a.value !== b.value) out.push({ kind: 'check', verdict: 'changed', subject, before: show(a, b.value), after: show(a, a.value), message: `${a.name}: ${show(a, b.value)} → ${show(a, a.value)}` });
  }
  return out;
}

