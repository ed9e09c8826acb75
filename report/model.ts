/**
 * The compatibility report's content, built from a run set whatever its source (the store,
 * or merged bundles): the matrix of journeys and checks × browser/viewport cells, each
 * cell's step timings, trends over the history window, check measurements, and the
 * one-screen summary. Pure: sources (report/sources.ts) read; renderers (html, markdown) write.
 */
import { quantile } from '../analysis/stats.ts';
import type { Measurement, Outcome, StepStatus } from '../core/result.ts';
import { REPORT_FORMAT, type Report, type ReportCell, type ReportOutcome } from './schema.ts';

export interface InputRun {
  id: string;
  group: string | null;
  host: string;
  location: string;
  startedAt: number;
  finishedAt: number;
  labels: Record<string, string>;
  shard: { index: number; total: number; checks: number } | null;
  os: string | null;
  configHash: string | null;
}

export interface InputResult {
  runId: string;
  id: string;
  portal: string;
  journey: string;
  /** 'journey', else the check's kind. */
  kind: string;
  browser: string;
  browserVersion: string | null;
  viewport: string;
  location: string;
  startedAt: number;
  durationMs: number | null;
  outcome: Outcome;
  reason: string | null;
  failedStep: string | null;
  category: string | null;
  errorMessage: string | null;
  steps: { name: string; status: StepStatus; durationMs: number | null; budgetMs: number | null }[];
  measurements: Measurement[];
  requirements: string[];
  /** A masked failure screenshot readable on this machine. */
  screenshot: string | null;
}

export interface ReportInput {
  title?: string;
  source: Report['source'];
  runs: InputRun[];
  results: InputResult[];
  /** Each cell's history (newest first), for trends and "since"; absent without a store. */
  history?: Map<string, InputResult[]>;
  warnings?: string[];
  /** Copies a screenshot beside the report and returns its relative path (or undefined to leave it out). */
  screenshot?: (r: InputResult) => string | undefined;
  now?: Date;
}

export const rowId = (r: Pick<InputResult, 'portal' | 'journey'>): string => `${r.portal} › ${r.journey}`;
export const columnId = (r: Pick<InputResult, 'browser' | 'viewport'>): string => `${r.browser}/${r.viewport}`;
/** The history key of a cell: its row, its column and its location. */
export const cellKey = (r: Pick<InputResult, 'portal' | 'journey' | 'browser' | 'viewport' | 'location'>): string => `${rowId(r)} ${columnId(r)} @${r.location}`;

const WORST: readonly Outcome[] = ['failed', 'error', 'degraded', 'passed'];
const iso = (ms: number): string => new Date(ms).toISOString();
const day = (ms: number): string => iso(ms).slice(0, 10);
const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/**
 * Within one run group (the machines of one matrix run), a ran result replaces the not-run
 * placeholders other machines wrote for its cell (one placeholder is kept where none ran);
 * a cell that ran on two machines keeps both.
 */
export function dropPlaceholders<T extends { outcome: Outcome }>(results: readonly T[], groupOf: (r: T) => string, cellOf: (r: T) => string): T[] {
  const key = (r: T): string => `${groupOf(r)}\u0000${cellOf(r)}`;
  const ran = new Set(results.filter((r) => r.outcome !== 'not-run').map(key));
  const seen = new Set<string>();
  return results.filter((r) => {
    if (r.outcome !== 'not-run') return true;
    const k = key(r);
    if (ran.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function cellOutcome(rs: readonly InputResult[]): ReportOutcome {
  for (const o of WORST) if (rs.some((r) => r.outcome === o)) return o;
  return 'not-run';
}

function stats(xs: number[]): { min: number | null; p25: number | null; median: number | null; p75: number | null; max: number | null } {
  if (xs.length === 0) return { min: null, p25: null, median: null, p75: null, max: null };
  const r = (q: number): number => Math.round(quantile(xs, q));
  return { min: Math.round(Math.min(...xs)), p25: r(0.25), median: r(0.5), p75: r(0.75), max: Math.round(Math.max(...xs)) };
}

/**
 * When the failures that continue to the cell's newest result began: from the newest result
 * that ran (history and run set together), back over failed and errored ones (not-run ones
 * do not break the streak). Null when the newest did not fail.
 */
function failingSince(history: readonly InputResult[] | undefined, inSet: readonly InputResult[]): string | null {
  const seen = new Set<string>();
  const all = [...(history ?? []), ...inSet]
    .filter((r) => r.outcome !== 'not-run' && !seen.has(`${r.runId}\u0000${r.id}`) && seen.add(`${r.runId}\u0000${r.id}`))
    .sort((a, b) => b.startedAt - a.startedAt);
  let since: number | null = null;
  for (const r of all) {
    if (r.outcome !== 'failed' && r.outcome !== 'error') break;
    since = r.startedAt;
  }
  return since === null ? null : iso(since);
}

const BROWSER_LABEL: Record<string, string> = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit', chrome: 'Chrome', edge: 'Edge' };
export const browserLabel = (b: string): string => BROWSER_LABEL[b] ?? b;

export function buildReport(input: ReportInput): Report {
  const runsById = new Map(input.runs.map((r) => [r.id, r]));
  const groupOf = (runId: string): string => runsById.get(runId)?.group ?? runId;
  const results = dropPlaceholders(input.results, (r) => groupOf(r.runId), (r) => `${rowId(r)} ${columnId(r)}`);

  // Columns in first-seen browser then viewport order, rows in the order the results name them.
  const columnOrder = uniq(results.map(columnId));
  const byRow = new Map<string, InputResult[]>();
  for (const r of [...results].sort((a, b) => a.startedAt - b.startedAt)) {
    const list = byRow.get(rowId(r)) ?? [];
    list.push(r);
    byRow.set(rowId(r), list);
  }

  const rows: Report['rows'] = [];
  const trends: Report['trends'] = [];
  for (const [id, rs] of byRow) {
    const first = rs[0];
    if (!first) continue;
    const cells: ReportCell[] = [];
    for (const column of columnOrder) {
      const inCell = rs.filter((r) => columnId(r) === column);
      const latest = inCell.at(-1);
      if (!latest) continue;
      const ran = inCell.filter((r) => r.outcome !== 'not-run');
      const perGroup = new Map<string, number>();
      for (const r of ran) perGroup.set(groupOf(r.runId), (perGroup.get(groupOf(r.runId)) ?? 0) + 1);
      const latestRan = ran.at(-1);
      const worst = [...ran].reverse().find((r) => r.outcome === 'failed') ?? [...ran].reverse().find((r) => r.outcome === 'error') ?? latestRan;
      const stepNames = uniq(inCell.flatMap((r) => r.steps.map((s) => s.name)));
      const steps = stepNames.map((name) => {
        const samples = ran.flatMap((r) => r.steps.filter((s) => s.name === name && s.status === 'passed' && s.durationMs !== null).map((s) => s.durationMs as number));
        const budgetMs = [...inCell].reverse().flatMap((r) => r.steps.filter((s) => s.name === name && s.budgetMs !== null).map((s) => s.budgetMs as number))[0] ?? null;
        return { name, samples: samples.length, ...stats(samples), budgetMs, overBudget: budgetMs === null ? 0 : samples.filter((x) => x > budgetMs).length };
      });
      const outcome = cellOutcome(inCell);
      const shot = worst && (worst.outcome === 'failed' || worst.outcome === 'error') && worst.screenshot ? input.screenshot?.(worst) : undefined;
      const history = input.history?.get(cellKey(latest));
      cells.push({
        column, outcome,
        counts: {
          passed: inCell.filter((r) => r.outcome === 'passed').length, degraded: inCell.filter((r) => r.outcome === 'degraded').length,
          failed: inCell.filter((r) => r.outcome === 'failed').length, error: inCell.filter((r) => r.outcome === 'error').length,
          notRun: inCell.filter((r) => r.outcome === 'not-run').length,
        },
        runs: uniq(inCell.map((r) => groupOf(r.runId))).length,
        ...(worst?.failedStep && (outcome === 'failed' || outcome === 'error' || outcome === 'degraded') ? { failedStep: worst.failedStep } : {}),
        ...(worst?.category && outcome === 'failed' ? { category: worst.category } : {}),
        ...(worst?.errorMessage && outcome !== 'passed' ? { errorMessage: worst.errorMessage } : {}),
        ...(outcome === 'not-run' || outcome === 'error' ? { reason: uniq(inCell.filter((r) => r.outcome === outcome).map((r) => r.reason ?? 'not run')).join(' · ') } : {}),
        since: failingSince(history, inCell),
        versions: uniq(inCell.flatMap((r) => (r.browserVersion ? [r.browserVersion] : []))),
        hosts: uniq(ran.map((r) => runsById.get(r.runId)?.host ?? '?')),
        locations: uniq(inCell.map((r) => r.location)),
        duplicates: [...perGroup.values()].reduce((n, k) => n + Math.max(0, k - 1), 0),
        steps,
        measurements: (latestRan ?? latest).measurements,
        ...(shot ? { screenshot: shot } : {}),
        latestRun: latest.runId, latestAt: iso(latest.startedAt),
      });
      const points = [...(history ?? []), ...inCell]
        .filter((r, i, all) => all.findIndex((x) => x.runId === r.runId && x.id === r.id) === i)
        .sort((a, b) => a.startedAt - b.startedAt)
        .map((r) => ({ run: r.runId, at: iso(r.startedAt), outcome: r.outcome, durationMs: r.durationMs === null ? null : Math.round(r.durationMs) }));
      trends.push({ row: id, column, points });
    }
    rows.push({ id, portal: first.portal, journey: first.journey, kind: first.kind, requirements: uniq(rs.flatMap((r) => r.requirements)), cells });
  }

  const columns: Report['columns'] = columnOrder.map((id) => {
    const [browser = id, viewport = ''] = id.split('/');
    return { id, browser, viewport, versions: uniq(results.filter((r) => columnId(r) === id).flatMap((r) => (r.browserVersion ? [r.browserVersion] : []))) };
  });
  const all = rows.flatMap((r) => r.cells.map((c) => ({ row: r, cell: c })));
  const count = (o: ReportOutcome): number => all.filter((x) => x.cell.outcome === o).length;
  const summary = { cells: all.length, passed: count('passed'), degraded: count('degraded'), failed: count('failed'), error: count('error'), notRun: count('not-run'), lines: [] as string[] };
  summary.lines = summaryLines(all, summary);

  const labels: Record<string, string[]> = {};
  for (const r of input.runs) for (const [k, v] of Object.entries(r.labels)) labels[k] = uniq([...(labels[k] ?? []), v]);
  const checkRuns = uniq(results.filter((r) => r.kind !== 'journey' && r.outcome !== 'not-run').map((r) => r.runId));
  const checksRanOn = uniq(checkRuns.map((id) => {
    const run = runsById.get(id);
    return run ? `${run.host}${run.shard ? ` (shard ${run.shard.index}/${run.shard.total})` : ''}` : id;
  }));
  if (checksRanOn.length) summary.lines.push(`Session and security checks ran on ${checksRanOn.join(', ')}.`);

  const portals = uniq(rows.map((r) => r.portal));
  return {
    format: REPORT_FORMAT, version: 1, generatedAt: (input.now ?? new Date()).toISOString(),
    title: input.title ?? `Compatibility matrix: ${portals.join(', ') || 'no results'}`,
    source: input.source, labels, locations: uniq(input.runs.map((r) => r.location)),
    runs: [...input.runs].sort((a, b) => a.startedAt - b.startedAt).map((r) => ({
      id: r.id, group: r.group, host: r.host, location: r.location, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt), os: r.os,
      shard: r.shard ? `${r.shard.index}/${r.shard.total}` : null, configHash: r.configHash, labels: r.labels,
    })),
    columns, rows, trends, checksRanOn, summary, warnings: input.warnings ?? [],
  };
}

/**
 * "24 of 30 cells pass; Firefox fails at TOTP since 2026-11-12; WebKit not run (no build)":
 * failures grouped by browser and step, not-run cells by browser and reason.
 */
function summaryLines(all: { row: Report['rows'][number]; cell: ReportCell }[], s: { cells: number; passed: number; degraded: number; failed: number; error: number; notRun: number }): string[] {
  const lines = [`${s.passed} of ${s.cells} cells pass${s.degraded ? `, ${s.degraded} degraded` : ''}${s.failed ? `, ${s.failed} fail` : ''}${s.error ? `, ${s.error} harness error${s.error > 1 ? 's' : ''}` : ''}${s.notRun ? `, ${s.notRun} not run` : ''}.`];
  const groups = new Map<string, { browser: string; what: string; viewports: Set<string>; rows: Set<string>; since: string[] }>();
  for (const { row, cell } of all) {
    if (cell.outcome !== 'failed' && cell.outcome !== 'error') continue;
    const [browser = cell.column, viewport = ''] = cell.column.split('/');
    const what = cell.outcome === 'error' ? 'has a harness error' : cell.failedStep ? `fails at ${cell.failedStep}` : 'fails';
    const k = `${browser} ${what}`;
    const g = groups.get(k) ?? { browser, what, viewports: new Set(), rows: new Set(), since: [] };
    g.viewports.add(viewport);
    g.rows.add(row.id);
    if (cell.since) g.since.push(cell.since);
    groups.set(k, g);
  }
  for (const g of groups.values()) {
    const since = g.since.sort()[0];
    lines.push(`${browserLabel(g.browser)} (${[...g.viewports].join(', ')}) ${g.what}${since ? ` since ${day(Date.parse(since))}` : ''}: ${[...g.rows].join('; ')}.`);
  }
  const notRun = new Map<string, Set<string>>();
  for (const { cell } of all) {
    if (cell.outcome !== 'not-run') continue;
    const [browser = cell.column] = cell.column.split('/');
    const k = `${browser}\u0000${cell.reason ?? 'not run'}`;
    notRun.set(k, (notRun.get(k) ?? new Set()).add(cell.column));
  }
  for (const [k, cols] of notRun) {
    const [browser = '', reason = ''] = k.split('\u0000');
    lines.push(`${browserLabel(browser)} not run (${reason.replace(/\.$/, '')}): ${cols.size} cell${cols.size > 1 ? 's' : ''}.`);
  }
  const dup = all.filter((x) => x.cell.duplicates > 0);
  if (dup.length) lines.push(`${dup.length} cell${dup.length > 1 ? 's' : ''} ran on more than one machine in one run; every result is kept.`);
  return lines;
}
