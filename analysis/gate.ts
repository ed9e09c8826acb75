/**
 * The vendor-update gate's comparison: two sets of recorded runs (before and after), cell
 * by cell (portal × journey × browser × viewport × location): step medians and their
 * verdicts, outcome regressions (passed → failed, a new failure), steps added or removed,
 * and check measurements that changed. Pure: the store hands it the results.
 */
import type { StepJudgement, VerdictFinding, VerdictValue } from '../core/result.ts';
import type { StoredResult } from '../store/index.ts';
import { checkFindings, judgeSteps, outcomeFindings, type RegressionSettings } from './verdict.ts';
import { completed, judged, likeOf } from './judge.ts';

export interface GateCell {
  portal: string;
  journey: string;
  browser: string;
  viewport: string;
  location: string;
  kind: string;
  before: { results: number; outcomes: Record<string, number> };
  after: { results: number; outcomes: Record<string, number> };
  steps: StepJudgement[];
  findings: VerdictFinding[];
  /** A failure in the candidate, regression or not: it blocks like one. */
  failing: boolean;
  verdict: VerdictValue;
  reason: string;
}

export interface GateReport {
  cells: GateCell[];
  verdict: VerdictValue | 'failed';
  regressions: number;
  failures: number;
  inconclusive: number;
}

const cellKey = (r: StoredResult): string => JSON.stringify([r.portal, r.journey, r.browser, r.viewport, r.location]);

function count(rs: readonly StoredResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

/** Step samples of completed results, by step name, in the order the steps appear. */
function samples(rs: readonly StoredResult[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rs) {
    if (!completed(r.outcome)) continue;
    for (const s of r.steps) if (s.status === 'passed' && s.durationMs !== null) out.set(s.name, [...(out.get(s.name) ?? []), s.durationMs]);
  }
  return out;
}

export function compareSets(before: readonly StoredResult[], after: readonly StoredResult[], s: RegressionSettings): GateReport {
  const groups = new Map<string, { before: StoredResult[]; after: StoredResult[] }>();
  for (const r of before) {
    const g = groups.get(cellKey(r)) ?? { before: [], after: [] };
    g.before.push(r);
    groups.set(cellKey(r), g);
  }
  for (const r of after) {
    const g = groups.get(cellKey(r)) ?? { before: [], after: [] };
    g.after.push(r);
    groups.set(cellKey(r), g);
  }
  const cells: GateCell[] = [];
  for (const g of groups.values()) {
    const any = g.after[0] ?? g.before[0];
    if (!any) continue;
    const b = g.before.filter((r) => judged(r.outcome)).sort((x, y) => y.startedAt - x.startedAt);
    const a = g.after.filter((r) => judged(r.outcome)).sort((x, y) => y.startedAt - x.startedAt);
    const steps: StepJudgement[] = [];
    if (any.kind === 'journey') {
      const bs = samples(b);
      const as = samples(a);
      // The cell's steps are one family for the significance level (see judgeSteps).
      const family = [...new Set([...as.keys(), ...bs.keys()])].flatMap((name) => {
        const y = as.get(name) ?? [];
        return y.length === 0 ? [] : [{ step: name, baseline: bs.get(name) ?? [], candidate: y }];
      });
      steps.push(...judgeSteps(family, s));
    }
    const findings: VerdictFinding[] = [];
    // Outcomes: the newest baseline result against the candidate's worst (its newest failure, else its newest).
    const worst = a.find((r) => r.outcome === 'failed') ?? a[0];
    if (b[0] && worst) {
      findings.push(...outcomeFindings(likeOf(b[0]), likeOf(worst)));
      if (any.kind !== 'journey') findings.push(...checkFindings(b[0].measurements, a[0]?.measurements ?? []));
    }
    const failing = a.some((r) => r.outcome === 'failed');
    const regressed = [...steps.filter((x) => x.verdict === 'regressed').map((x) => `step "${x.step}" ${x.reason}`), ...findings.filter((f) => f.verdict === 'regressed').map((f) => f.message)];
    const unsure = steps.filter((x) => x.verdict === 'inconclusive');
    let verdict: VerdictValue;
    let reason: string;
    if (regressed.length > 0) [verdict, reason] = ['regressed', regressed.join('; ')];
    else if (a.length === 0) [verdict, reason] = ['inconclusive', g.after.length ? 'not run in the candidate runs' : 'not in the candidate runs'];
    else if (b.length === 0) [verdict, reason] = ['inconclusive', 'no baseline: this cell is not in the baseline runs'];
    else if (unsure.length > 0) [verdict, reason] = ['inconclusive', unsure.map((x) => `step "${x.step}" ${x.reason}`).join('; ')];
    else [verdict, reason] = ['ok', failing ? 'fails as it did before' : 'as before'];
    cells.push({
      portal: any.portal, journey: any.journey, browser: any.browser, viewport: any.viewport, location: any.location, kind: any.kind,
      before: { results: g.before.length, outcomes: count(g.before) }, after: { results: g.after.length, outcomes: count(g.after) },
      steps, findings, failing, verdict, reason,
    });
  }
  cells.sort((x, y) => `${x.portal}\u0000${x.journey}\u0000${x.browser}\u0000${x.viewport}`.localeCompare(`${y.portal}\u0000${y.journey}\u0000${y.browser}\u0000${y.viewport}`));
  const regressions = cells.filter((c) => c.verdict === 'regressed').length;
  const failures = cells.filter((c) => c.failing).length;
  const inconclusive = cells.filter((c) => c.verdict === 'inconclusive').length;
  const verdict = regressions > 0 ? 'regressed' : failures > 0 ? 'failed' : inconclusive > 0 ? 'inconclusive' : 'ok';
  return { cells, verdict, regressions, failures, inconclusive };
}
