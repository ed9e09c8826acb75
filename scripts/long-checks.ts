/**
 * Long checks (idle and absolute expiry, a waited-out lockout) say how long they will
 * take before the run starts, so nobody kills a run that is merely waiting.
 */
import { estimateMs, formatDuration } from '../core/checks-catalog.ts';
import { plannedJourneys, type RunPlan } from '../core/plan.ts';

export function longCheckNotices(plan: RunPlan): string[] {
  const out: string[] = [];
  for (const { portal, journey: j } of plannedJourneys(plan)) {
    const ms = estimateMs(j);
    if (ms !== undefined && ms >= 10_000) out.push(`note: ${portal.name} › ${j.name} (${j.kind}) will take about ${formatDuration(ms)}; progress is printed while it waits.`);
  }
  return out;
}
