/**
 * Synthetic runs for the store, analysis and gate tests and benchmarks: the shape
 * portal-probe run writes, with chosen step timings and outcomes.
 */
import { summarize, type JourneyResult, type Measurement, type RunResult, type StepStatus } from '../../core/result.ts';

export interface SyntheticResult {
  portal?: string;
  journey?: string;
  browser?: 'chromium' | 'firefox' | 'webkit' | 'edge';
  viewport?: string;
  outcome?: JourneyResult['outcome'];
  steps?: [name: string, durationMs: number | null, status?: StepStatus][];
  failedStep?: string;
  category?: JourneyResult['category'];
  check?: { kind: string; measurements: Measurement[] };
}

let seq = 0;

export function syntheticRun(at: number, results: SyntheticResult[], o: { labels?: Record<string, string>; location?: string; id?: string } = {}): RunResult {
  seq += 1;
  const runId = o.id ?? `${new Date(at).toISOString().replace(/[:.]/g, '-')}-${seq.toString(16).padStart(6, '0')}`;
  const rs: JourneyResult[] = results.map((x, i) => {
    const portal = x.portal ?? 'demo';
    const journey = x.journey ?? 'physician login';
    const browser = x.browser ?? 'chromium';
    const viewport = x.viewport ?? 'desktop';
    return {
      id: `${portal}/${journey}/${browser}/${viewport}`, runId, portal, environment: 'test', journey, account: 'dr1',
      browser: { name: browser, engine: browser, version: '156.0' }, viewport: { name: viewport, width: 1280, height: 800 },
      startedAt: new Date(at + i).toISOString(), durationMs: 3000, outcome: x.outcome ?? 'passed',
      steps: (x.steps ?? [['open', 400], ['sign in', 900]]).map(([name, durationMs, status]) => ({ name, durationMs, status: status ?? (durationMs === null ? 'not-reached' : 'passed') })),
      ...(x.failedStep ? { failedStep: x.failedStep, category: x.category ?? 'browser-device', categoryLabel: 'Browser/device', cause: 'page-changed', errorMessage: `failed at ${x.failedStep}` } : {}),
      ...(x.check ? { check: { kind: x.check.kind, requirements: [], measurements: x.check.measurements, details: [] } } : {}),
      artifacts: {}, labels: o.labels ?? {},
    };
  });
  return {
    runId, startedAt: new Date(at).toISOString(), finishedAt: new Date(at + 5000).toISOString(), configSource: 'synthetic', labels: o.labels ?? {},
    results: rs, summary: summarize(rs), exitCode: 0, host: 'test-host', location: o.location ?? 'test-host', regressions: 0,
  };
}
