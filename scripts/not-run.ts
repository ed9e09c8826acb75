/**
 * Results for matrix cells whose browser is not on this machine: "not run, and why",
 * one per journey, so the compatibility matrix shows the gap instead of hiding it. Also
 * used for the journeys a stopped run (SIGINT/SIGTERM) did not get to report.
 */
import { plannedJourneys, runsIn, type RunPlan } from '../core/plan.ts';
import type { JourneyResult } from '../core/result.ts';
import type { MatrixCell } from '../core/matrix.ts';
import { stepNames } from '../config/step-names.ts';

export function notRunResults(plan: RunPlan, cells: readonly (MatrixCell & { reason?: string })[] = plan.notRun, reason?: string): JourneyResult[] {
  const out: JourneyResult[] = [];
  for (const cell of cells) {
    for (const planned of plannedJourneys(plan)) {
      // Checks that run once per run (in the primary cell) are not owed by every missing browser.
      if (!runsIn(plan, planned, cell.name)) continue;
      const { portal, journey } = planned;
      out.push({
        id: `${portal.name}/${journey.name}/${cell.browser}/${cell.viewport.name}`,
        runId: plan.runId,
        portal: portal.name,
        environment: portal.environment,
        journey: journey.name,
        account: null,
        browser: { name: cell.browser, engine: cell.engine, version: null },
        viewport: { name: cell.viewport.name, width: cell.viewport.width, height: cell.viewport.height },
        startedAt: plan.startedAt,
        durationMs: null,
        outcome: 'not-run',
        reason: reason ?? cell.reason ?? 'not run',
        steps: journey.kind === 'login' ? stepNames(journey.steps).map((name) => ({ name, status: 'not-reached', durationMs: null })) : [],
        artifacts: {},
        labels: plan.config.labels,
      });
    }
  }
  return out;
}
