/**
 * A finished run as the store records it. Results arrive redacted (results.json's own
 * text); only ids, outcomes, timings and measurements go in.
 */
import type { JourneyResult, RunResult } from '../core/result.ts';
import type { ResultKey, RunRecord, StoredResult } from './store.ts';

/** 'journey' for login and script journeys (their steps are timed against a baseline), else the check's kind. */
export function timedKind(r: Pick<JourneyResult, 'check'>): string {
  return r.check?.kind ?? 'journey';
}

export function keyOf(r: Pick<JourneyResult, 'portal' | 'journey' | 'browser' | 'viewport'>, location: string): ResultKey {
  return { portal: r.portal, journey: r.journey, browser: r.browser.name, viewport: r.viewport.name, location };
}

/** Step verdicts by result id and step name ('regressed' samples stay out of later baselines). */
export type StepVerdicts = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function fromRun(run: RunResult & { host: string; location: string }, stepVerdicts: StepVerdicts = new Map(), groupId: string | null = null): RunRecord {
  const results: StoredResult[] = run.results.map((r) => ({
    runId: run.runId, id: r.id, portal: r.portal, environment: r.environment, journey: r.journey, kind: timedKind(r), account: r.account,
    browser: r.browser.name, browserVersion: r.browser.version, viewport: r.viewport.name, location: run.location,
    startedAt: Date.parse(r.startedAt) || Date.parse(run.startedAt), durationMs: r.durationMs, outcome: r.outcome, reason: r.reason ?? null,
    failedStep: r.failedStep ?? null, category: r.category ?? null, cause: r.cause ?? null, errorMessage: r.errorMessage ?? null,
    finalUrl: r.finalUrl ?? null, verdict: r.verdict?.verdict ?? null, verdictReason: r.verdict?.reason ?? null,
    steps: r.steps.map((s) => ({
      name: s.name, status: s.status, durationMs: s.durationMs, verdict: stepVerdicts.get(r.id)?.get(s.name) ?? null, accepted: false, budgetMs: s.budgetMs ?? null,
    })),
    measurements: r.check?.measurements ?? [],
    requirements: r.check?.requirements ?? [],
    screenshot: r.artifacts.screenshot ?? null,
  }));
  return {
    run: {
      id: run.runId, groupId, startedAt: Date.parse(run.startedAt), finishedAt: Date.parse(run.finishedAt), configSource: run.configSource,
      host: run.host, location: run.location, exitCode: run.exitCode, interrupted: run.interrupted ?? null, summary: run.summary, labels: run.labels,
      os: run.os ?? null, shard: run.shard ? `${run.shard.index}/${run.shard.total} checks ${run.shard.checks}` : null, configHash: run.configHash ?? null,
    },
    results,
  };
}
