/**
 * Judges a finished run against its history: for every result, its cell's baseline (the
 * earlier results of the same portal × journey × browser × viewport × location) and a
 * verdict. Timing is judged per step over the last k results (this run and the k − 1
 * before it) against the N before those; outcomes and check measurements against the
 * latest result that was itself normal. A regression degrades a passed result with the
 * regression as its reason. The run's own results are not in the store yet, so they never
 * count in their own baseline.
 */
import type { HistoryStore, StoredResult } from '../store/index.ts';
import { keyOf } from '../store/record.ts';
import type { JourneyResult, ResultBaseline, ResultVerdict, StepJudgement, VerdictFinding } from '../core/result.ts';
import { summarize } from './stats.ts';
import { baselineSamples, checkFindings, judgeSteps, outcomeFindings, type RegressionSettings, type ResultLike, type StepSample, type StepSamples } from './verdict.ts';

export interface Judged {
  results: JourneyResult[];
  /** By result id and step name: the step verdicts to record with the run. */
  stepVerdicts: Map<string, Map<string, string>>;
}

/** A result whose journey ran to the end (its step times are samples). */
export const completed = (o: string): boolean => o === 'passed' || o === 'degraded';
/** A result that says something about the portal (not a harness error, not "not run"). */
export const judged = (o: string): boolean => completed(o) || o === 'failed';

/** A stored result as the verdict rules read it. */
export function likeOf(r: StoredResult): ResultLike {
  return {
    outcome: r.outcome, steps: r.steps, measurements: r.measurements,
    ...(r.failedStep === null ? {} : { failedStep: r.failedStep }), ...(r.category === null ? {} : { category: r.category }),
    ...(r.cause === null ? {} : { cause: r.cause }), ...(r.errorMessage === null ? {} : { errorMessage: r.errorMessage }),
  };
}

export function likeOfResult(r: JourneyResult): ResultLike {
  return {
    outcome: r.outcome, steps: r.steps, measurements: r.check?.measurements ?? [],
    ...(r.failedStep === undefined ? {} : { failedStep: r.failedStep }), ...(r.category === undefined ? {} : { category: r.category }),
    ...(r.cause === undefined ? {} : { cause: r.cause }), ...(r.errorMessage === undefined ? {} : { errorMessage: r.errorMessage }),
  };
}

/**
 * The result a new one is compared with for outcome and measurements: the latest judged
 * one that was not itself a regression (or was accepted), unless the regression has held
 * for the whole window: then it is the new normal.
 */
export function referenceResult(history: readonly StoredResult[], s: RegressionSettings): StoredResult | undefined {
  const candidates = history.filter((h) => judged(h.outcome));
  const window = candidates.slice(0, s.window);
  if (window.length >= s.window && window.every((h) => h.verdict === 'regressed')) return window[0];
  return candidates.find((h) => h.verdict !== 'regressed' || h.steps.some((st) => st.accepted));
}

/** Judges one result against its cell's history (newest first). */
export function judgeResult(r: JourneyResult, history: readonly StoredResult[], s: RegressionSettings): { baseline: ResultBaseline; verdict: ResultVerdict; stepVerdicts: Map<string, string> } {
  const steps: StepJudgement[] = [];
  const stepVerdicts = new Map<string, string>();
  const baselineSteps: ResultBaseline['steps'] = {};
  // A check's steps are not comparable (its "sign in" is a whole login, and it waits on purpose): checks are judged on their measurements.
  const timed = !r.check && completed(r.outcome);
  const done = history.filter((h) => completed(h.outcome));
  if (timed) {
    const family: StepSamples[] = [];
    for (const step of r.steps) {
      if (step.status !== 'passed' || step.durationMs === null) continue;
      // Earlier samples of this step, newest first: the k − 1 before this run join it as the candidate, the rest make the baseline.
      const earlier = done.flatMap((h) => {
        const st = h.steps.find((x) => x.name === step.name);
        return st && st.status === 'passed' && st.durationMs !== null ? [{ durationMs: st.durationMs, regressed: st.verdict === 'regressed', accepted: st.accepted } satisfies StepSample] : [];
      });
      const candidate = [step.durationMs, ...earlier.slice(0, s.recent - 1).map((x) => x.durationMs)];
      const base = baselineSamples(earlier.slice(s.recent - 1), s);
      family.push({ step: step.name, baseline: base, candidate });
      if (base.length > 0) baselineSteps[step.name] = summarize(base);
    }
    // The result's steps are judged together: one family for the significance level.
    for (const v of judgeSteps(family, s)) {
      steps.push(v);
      stepVerdicts.set(v.step, v.verdict);
    }
  }
  const reference = referenceResult(history, s);
  const findings: VerdictFinding[] = [];
  if (reference && judged(r.outcome)) {
    findings.push(...outcomeFindings(likeOf(reference), likeOfResult(r)));
    if (r.check) findings.push(...checkFindings(reference.measurements, r.check.measurements));
  }
  const regressed = [
    ...steps.filter((x) => x.verdict === 'regressed').map((x) => `step "${x.step}" ${x.reason}`),
    ...findings.filter((f) => f.verdict === 'regressed').map((f) => f.message),
  ];
  const unsure = steps.filter((x) => x.verdict === 'inconclusive');
  let verdict: ResultVerdict;
  if (regressed.length > 0) verdict = { verdict: 'regressed', reason: regressed.join('; '), steps, findings };
  else if (!reference) verdict = { verdict: 'inconclusive', reason: 'no earlier result of this cell to compare with yet', steps, findings };
  else if (unsure.length > 0) verdict = { verdict: 'inconclusive', reason: unsure.map((x) => `step "${x.step}" ${x.reason}`).join('; '), steps, findings };
  else verdict = { verdict: 'ok', reason: r.check ? 'measured as before' : 'within normal', steps, findings };
  const used = done.slice(0, 3 * s.window + s.recent);
  const since = used.length > 0 ? new Date(Math.min(...used.map((h) => h.startedAt))).toISOString() : null;
  return { baseline: { results: done.length, since, steps: baselineSteps }, verdict, stepVerdicts };
}

/** Every result of a run, judged; not-run and harness-error results get no verdict (nothing of the portal was seen). */
export async function judgeRun(store: HistoryStore, results: readonly JourneyResult[], location: string, s: RegressionSettings): Promise<Judged> {
  const out: JourneyResult[] = [];
  const stepVerdicts = new Map<string, Map<string, string>>();
  for (const r of results) {
    if (!judged(r.outcome)) {
      out.push(r);
      continue;
    }
    // Enough history for the baseline even when regressed samples are left out of it.
    const history = await store.keyHistory(keyOf(r, location), { limit: 3 * s.window + s.recent });
    const j = judgeResult(r, history, s);
    stepVerdicts.set(r.id, j.stepVerdicts);
    const regressed = j.verdict.verdict === 'regressed';
    out.push({
      ...r, baseline: j.baseline, verdict: j.verdict,
      ...(regressed && r.outcome === 'passed' ? { outcome: 'degraded' as const, reason: `regression: ${j.verdict.reason}` } : {}),
      ...(regressed && r.outcome === 'degraded' ? { reason: `${r.reason ? `${r.reason}; ` : ''}regression: ${j.verdict.reason}` } : {}),
    });
  }
  return { results: out, stepVerdicts };
}
