/**
 * Where a report's run set comes from: the history store (one run, a run group, runs by
 * label, by id or by date range) or the results bundles of a multi-machine run. Both give
 * the same InputRun/InputResult shape; the store also gives each cell's history.
 */
import type { JourneyResult, RunResult } from '../core/result.ts';
import { HarnessError } from '../core/errors.ts';
import { timedKind, type HistoryStore, type RunQuery, type StoredResult, type StoredRun } from '../store/index.ts';
import type { Bundle } from './bundle.ts';
import { cellKey, type InputResult, type InputRun } from './model.ts';

export function fromStoredRun(r: StoredRun): InputRun {
  const m = /^(\d+)\/(\d+) checks (\d+)$/.exec(r.shard ?? '');
  return {
    id: r.id, group: r.groupId, host: r.host, location: r.location, startedAt: r.startedAt, finishedAt: r.finishedAt,
    labels: r.labels, shard: m ? { index: Number(m[1]), total: Number(m[2]), checks: Number(m[3]) } : null, os: r.os ?? null, configHash: r.configHash ?? null,
  };
}

export function fromStoredResult(r: StoredResult): InputResult {
  return {
    runId: r.runId, id: r.id, portal: r.portal, journey: r.journey, kind: r.kind, browser: r.browser, browserVersion: r.browserVersion,
    viewport: r.viewport, location: r.location, startedAt: r.startedAt, durationMs: r.durationMs, outcome: r.outcome, reason: r.reason,
    failedStep: r.failedStep, category: r.category, errorMessage: r.errorMessage,
    steps: r.steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs, budgetMs: s.budgetMs ?? null })),
    measurements: r.measurements, requirements: r.requirements ?? [], screenshot: r.screenshot ?? null,
  };
}

export function fromJourneyResult(r: JourneyResult, run: Pick<RunResult, 'runId' | 'location' | 'startedAt'>, screenshot: string | null): InputResult {
  return {
    runId: run.runId, id: r.id, portal: r.portal, journey: r.journey, kind: timedKind(r), browser: r.browser.name, browserVersion: r.browser.version,
    viewport: r.viewport.name, location: run.location, startedAt: Date.parse(r.startedAt) || Date.parse(run.startedAt), durationMs: r.durationMs,
    outcome: r.outcome, reason: r.reason ?? null, failedStep: r.failedStep ?? null, category: r.category ?? null, errorMessage: r.errorMessage ?? null,
    steps: r.steps.map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs, budgetMs: s.budgetMs ?? null })),
    measurements: r.check?.measurements ?? [], requirements: r.check?.requirements ?? [], screenshot,
  };
}

/** The bundles' runs and results; `group` puts runs recorded without one into the merge's run group. */
export function fromBundles(bundles: readonly Bundle[], group?: string): { runs: InputRun[]; results: InputResult[] } {
  return {
    runs: bundles.map((b) => ({
      id: b.run.runId, group: b.manifest.group ?? group ?? null, host: b.manifest.host, location: b.manifest.location,
      startedAt: Date.parse(b.run.startedAt), finishedAt: Date.parse(b.run.finishedAt), labels: b.run.labels,
      shard: b.manifest.shard, os: `${b.manifest.os.platform} ${b.manifest.os.release} (${b.manifest.os.arch})`, configHash: b.manifest.configHash,
    })),
    results: bundles.flatMap((b) => b.run.results.map((r) => fromJourneyResult(r, b.run, b.screenshot(r) ?? null))),
  };
}

/** The run set a store query names; a query that matches nothing is an error naming it. */
export async function runSetFromStore(store: HistoryStore, q: RunQuery, described: string): Promise<{ runs: InputRun[]; results: InputResult[] }> {
  const runs = await store.runs({ limit: 1000, ...q });
  if (runs.length === 0) throw new HarnessError('USAGE', `No run in ${store.where} matches ${described}.`);
  const results = await store.results(runs.map((r) => r.id));
  return { runs: runs.map(fromStoredRun), results: results.map(fromStoredResult) };
}

/** Each cell's last `limit` results from the store (newest first), keyed as the report keys cells. */
export async function historyFor(store: HistoryStore, results: readonly InputResult[], limit: number): Promise<Map<string, InputResult[]>> {
  const out = new Map<string, InputResult[]>();
  for (const r of results) {
    const k = cellKey(r);
    if (out.has(k)) continue;
    const rows = await store.keyHistory({ portal: r.portal, journey: r.journey, browser: r.browser, viewport: r.viewport, location: r.location }, { limit });
    out.set(k, rows.map(fromStoredResult));
  }
  return out;
}
