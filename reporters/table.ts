/**
 * The compact table `portal-probe run` prints: one block per portal › journey, one row
 * per browser × viewport, step timings in columns, then outcome and category.
 */
import type { JourneyResult, RunResult, StepResult } from '../core/result.ts';

function cell(s: StepResult | undefined): string {
  if (!s) return '';
  if (s.status === 'not-reached') return '·';
  if (s.status === 'skipped') return 'skip';
  const t = s.durationMs === null ? '?' : s.durationMs >= 10_000 ? `${(s.durationMs / 1000).toFixed(0)}s` : `${(s.durationMs / 1000).toFixed(2)}s`;
  if (s.status === 'failed') return `✗ ${t}`;
  return s.overBudget ? `${t}!` : t;
}

function outcome(r: JourneyResult): string {
  switch (r.outcome) {
    case 'passed': return 'passed';
    // Over a budget, or passed with something that needs attention (its reason is printed below the table).
    case 'degraded': return r.steps.some((s) => s.overBudget) ? 'DEGRADED (over budget)' : 'DEGRADED';
    case 'failed': return `FAILED at "${r.failedStep ?? '?'}"`;
    case 'not-run': return 'not run';
    case 'error': return `HARNESS ERROR: ${r.reason ?? ''}`;
  }
}

function render(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

export function formatTable(run: RunResult): string {
  const out: string[] = [];
  const groups = new Map<string, JourneyResult[]>();
  for (const r of run.results) {
    const key = `${r.portal} › ${r.journey}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, results] of groups) {
    const stepNames = [...new Set(results.flatMap((r) => r.steps.map((s) => s.name)))];
    const header = ['browser', 'viewport', ...stepNames, 'outcome', 'category'];
    const rows = results.map((r) => [
      r.browser.version ? `${r.browser.name} ${r.browser.version.split('.')[0]}` : r.browser.name,
      r.viewport.name,
      ...stepNames.map((n) => cell(r.steps.find((s) => s.name === n))),
      outcome(r),
      r.categoryLabel ?? '',
    ]);
    out.push('', `${key}`, ...render([header, ...rows]).map((l) => `  ${l}`));
    for (const r of results.filter((x) => x.outcome === 'failed')) {
      out.push(`  ✗ ${r.browser.name}/${r.viewport.name}: ${r.categoryLabel} (${r.cause}) — ${r.errorText ?? r.errorMessage ?? ''}`);
      if (r.action) out.push(`    action: ${r.action}`);
    }
    for (const r of results.filter((x) => x.outcome === 'degraded')) {
      const over = r.steps.filter((s) => s.overBudget).map((s) => `${s.name} ${s.durationMs ?? '?'} ms > ${s.budgetMs ?? '?'} ms`);
      const why = [...(over.length ? [`over budget: ${over.join(', ')}`] : []), ...(r.reason ? [r.reason] : [])];
      out.push(`  ~ ${r.browser.name}/${r.viewport.name}: ${why.join('; ') || 'degraded'}`);
    }
  }
  // Each cell's own reason: one browser may be missing on desktop for one reason and on a phone for another.
  const reasons = new Map<string, string[]>();
  for (const r of run.results) {
    if (r.outcome !== 'not-run' || !r.reason) continue;
    const cell = `${r.browser.name}/${r.viewport.name}`;
    const cells = reasons.get(r.reason) ?? [];
    if (!cells.includes(cell)) cells.push(cell);
    reasons.set(r.reason, cells);
  }
  if (reasons.size) out.push('', 'Not run:', ...[...reasons].map(([why, cells]) => `  ${cells.join(', ')}: ${why}`));
  const s = run.summary;
  out.push('', `${s.passed} passed, ${s.degraded} degraded, ${s.failed} failed, ${s.notRun} not run, ${s.error} harness error(s) — ${s.total} result(s)`);
  return out.join('\n');
}

/**
 * The section under the table: what departed from normal (regressions), what could not be
 * decided (inconclusive, with why), and where the history lives. Empty when no store was read.
 */
export function formatRegressions(run: RunResult): string {
  const judged = run.results.filter((r) => r.verdict);
  const out: string[] = [];
  if (run.store?.error) out.push('', `History: not recorded — ${run.store.error}`);
  if (judged.length === 0) return out.join('\n');
  const cell = (r: JourneyResult): string => `${r.portal} › ${r.journey}  ${r.browser.name}/${r.viewport.name}`;
  const regressed = judged.filter((r) => r.verdict?.verdict === 'regressed');
  const changed = judged.flatMap((r) => (r.verdict?.findings ?? []).filter((f) => f.verdict === 'changed').map((f) => `  · ${cell(r)}: ${f.message}`));
  const unsure = judged.filter((r) => r.verdict?.verdict === 'inconclusive');
  out.push('', `Regressions: ${regressed.length === 0 ? 'none' : regressed.length}${unsure.length ? ` (${unsure.length} inconclusive)` : ''}${run.store ? ` — history ${run.store.where}` : ''}`);
  for (const r of regressed) {
    for (const s of r.verdict?.steps.filter((x) => x.verdict === 'regressed') ?? []) out.push(`  ▲ ${cell(r)}: step "${s.step}" ${s.reason}`);
    for (const f of r.verdict?.findings.filter((x) => x.verdict === 'regressed') ?? []) out.push(`  ▲ ${cell(r)}: ${f.message}`);
  }
  out.push(...changed);
  // Inconclusive is a verdict too: say it, with why, but briefly (cells with the same reason on one line).
  const byReason = new Map<string, string[]>();
  for (const r of unsure) byReason.set(r.verdict?.reason ?? '', [...(byReason.get(r.verdict?.reason ?? '') ?? []), cell(r)]);
  for (const [why, cells] of [...byReason].slice(0, 10)) out.push(`  ? ${cells.length > 3 ? `${cells.length} results` : cells.join('; ')}: inconclusive — ${why}`);
  if (byReason.size > 10) out.push(`  ? … and ${byReason.size - 10} more inconclusive reasons (results.json has each)`);
  return out.join('\n');
}
