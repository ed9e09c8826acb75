/**
 * A recorded run, seen by the incident rules: one observation per portal × journey ×
 * location, one cell per browser × viewport, carrying the diagnostic bundle a help desk
 * escalates with. Everything comes from the run's results, which are already redacted.
 */
import type { CellObservation, KeyObservation } from '../alerting/types.ts';
import type { JourneyResult, RunResult } from '../core/result.ts';

export const cellOf = (r: Pick<JourneyResult, 'browser' | 'viewport'>): string => `${r.browser.name}/${r.viewport.name}`;

/** Host and path of a URL: never its query or fragment, which can hold tokens. */
export function hostAndPath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** The step a result is about: the failing one, else the first over budget or regressed. */
function stepOf(r: JourneyResult): string | undefined {
  if (r.failedStep) return r.failedStep;
  const over = r.steps.find((s) => s.overBudget);
  if (over) return over.name;
  return r.verdict?.steps.find((s) => s.verdict === 'regressed')?.step;
}

function measuredOf(r: JourneyResult): string | undefined {
  const c = r.check;
  if (!c || (c.measured === undefined && c.expected === undefined)) return undefined;
  return `${c.kind}: measured ${c.measured ?? 'nothing'}${c.expected ? `, expected ${c.expected}` : ''}`;
}

export function cellObservation(r: JourneyResult): CellObservation {
  const step = stepOf(r);
  const errorText = r.errorText ?? r.errorMessage;
  const finalUrl = hostAndPath(r.finalUrl);
  const measured = measuredOf(r);
  const reason = r.reason ?? (r.outcome === 'degraded' ? r.verdict?.reason : undefined);
  return {
    cell: cellOf(r), browser: r.browser.name, browserVersion: r.browser.version, viewport: r.viewport.name, outcome: r.outcome,
    account: r.account,
    ...(step ? { step } : {}),
    ...(r.categoryLabel ?? r.category ? { category: r.categoryLabel ?? r.category } : {}),
    ...(r.action ? { action: r.action } : {}),
    ...(errorText ? { errorText } : {}),
    ...(r.httpStatus !== undefined ? { httpStatus: r.httpStatus } : {}),
    ...(finalUrl ? { finalUrl } : {}),
    ...(r.artifacts.screenshot ? { screenshot: r.artifacts.screenshot } : {}),
    ...(measured ? { measured } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** The run's observations, one per portal × journey (its location is the run's). */
export function observationsOf(run: RunResult): KeyObservation[] {
  const byKey = new Map<string, KeyObservation>();
  const at = Date.parse(run.finishedAt);
  for (const r of run.results) {
    const id = `${r.portal}\u0000${r.journey}`;
    let obs = byKey.get(id);
    if (!obs) byKey.set(id, (obs = { key: { portal: r.portal, journey: r.journey, location: run.location }, runId: run.runId, at, cells: [] }));
    obs.cells.push(cellObservation(r));
  }
  for (const o of byKey.values()) o.cells.sort((a, b) => a.cell.localeCompare(b.cell));
  return [...byKey.values()];
}

/** The outcomes a retry may replace a failure with: what the portal did. A retry cell not run or hit by a harness error says nothing. */
const DECIDED = new Set(['passed', 'degraded', 'failed']);

/**
 * A tick's observation after its retry: each retried cell as the retry saw it, when the retry
 * decided it (passed, degraded or failed); a retry cell not run or in error keeps the first
 * run's failure, so a crashed or stopped retry never turns a failure into a pass.
 */
export function afterRetry(first: KeyObservation, retry: KeyObservation | undefined): KeyObservation {
  if (!retry) return first;
  const again = new Map(retry.cells.filter((c) => DECIDED.has(c.outcome)).map((c) => [c.cell, c]));
  if (again.size === 0) return first;
  return { ...first, runId: retry.runId, at: retry.at, cells: first.cells.map((c) => again.get(c.cell) ?? c) };
}
