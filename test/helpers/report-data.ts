/**
 * A compatibility run set for the report's tests and benchmark: rows (journeys, one check)
 * × browser/viewport cells × runs, with chosen failures, a not-run browser, step budgets
 * and browser versions, as `portal-probe run` would have recorded them.
 */
import { summarize, type JourneyResult, type RunResult } from '../../core/result.ts';
import { mulberry32 } from './random.ts';

export interface RunSetSpec {
  /** Login journeys per portal (default 2). */
  journeys?: number;
  /** Cells: browser/viewport (default chromium, firefox and webkit desktop, chromium android). */
  cells?: string[];
  /** Browsers with no build: every one of their results is "not run". */
  absent?: string[];
  runs: number;
  /** From this run on (0-based), this cell fails this journey at TOTP. */
  failing?: { cell: string; journey: number; fromRun: number };
  /** The first run's time; runs are a day apart. */
  start?: number;
  labels?: Record<string, string>;
  /** A screenshot file for failed results. */
  screenshot?: string;
  seed?: number;
}

export const STEPS = ['open', 'username', 'password', 'sign in', 'TOTP', 'acknowledge', 'dashboard', 'sign out'];

export function runSet(spec: RunSetSpec): RunResult[] {
  const cells = spec.cells ?? ['chromium/desktop', 'firefox/desktop', 'webkit/desktop', 'chromium/android'];
  const journeys = Array.from({ length: spec.journeys ?? 2 }, (_, i) => `login ${i + 1}`);
  const rnd = mulberry32(spec.seed ?? 1);
  const start = spec.start ?? Date.parse('2026-11-01T06:00:00Z');
  const runs: RunResult[] = [];
  for (let n = 0; n < spec.runs; n++) {
    const at = start + n * 86_400_000;
    const runId = `${new Date(at).toISOString().replace(/[:.]/g, '-')}-r${n}`;
    const results: JourneyResult[] = [];
    for (const [j, journey] of [...journeys, 'cookie-policy'].entries()) {
      for (const cell of j < journeys.length ? cells : cells.slice(0, 1)) {
        const [browser = 'chromium', viewport = 'desktop'] = cell.split('/');
        const absent = spec.absent?.includes(browser) ?? false;
        const fails = spec.failing && spec.failing.cell === cell && spec.failing.journey === j && n >= spec.failing.fromRun;
        const isCheck = journey === 'cookie-policy';
        const base: JourneyResult = {
          id: `demo/${journey}/${browser}/${viewport}`, runId, portal: 'demo', environment: 'test', journey, account: `acct-${j}`,
          browser: { name: browser as JourneyResult['browser']['name'], engine: browser, version: absent ? null : `${browser === 'firefox' ? 153 : 156}.0.${n % 3}` },
          viewport: { name: viewport, width: 1280, height: 800 }, startedAt: new Date(at + j * 1000).toISOString(),
          durationMs: null, outcome: 'not-run', steps: [], artifacts: {}, labels: spec.labels ?? {},
        };
        if (absent) {
          results.push({ ...base, reason: `${browser} not found: no Playwright-managed build`, steps: isCheck ? [] : STEPS.map((name) => ({ name, status: 'not-reached', durationMs: null })) });
          continue;
        }
        if (isCheck) {
          results.push({
            ...base, outcome: 'passed', durationMs: 4000 + rnd() * 500, steps: [],
            check: { kind: 'cookie-policy', requirements: ['HIPAA-164.312(a)(2)(iii)', 'OWASP-ASVS-3.4.1'], expected: 'Secure, HttpOnly, SameSite', measured: 'all flags set', measurements: [{ name: 'session cookies', value: 2, unit: 'cookies', expected: 2 }], details: [] },
          });
          continue;
        }
        const failAt = fails ? STEPS.indexOf('TOTP') : -1;
        const steps = STEPS.map((name, i) => ({
          name, status: (failAt === -1 || i < failAt ? 'passed' : i === failAt ? 'failed' : 'not-reached') as JourneyResult['steps'][number]['status'],
          durationMs: failAt !== -1 && i > failAt ? null : Math.round((name === 'sign in' ? 600 : name === 'open' ? 450 : 120) * (0.8 + rnd() * 0.5) * (browser === 'firefox' ? 1.4 : 1)),
          budgetMs: name === 'sign in' ? 1500 : 5000,
        }));
        results.push({
          ...base, outcome: fails ? 'failed' : 'passed', durationMs: steps.reduce((t, s) => t + (s.durationMs ?? 0), 0), steps,
          ...(fails ? {
            failedStep: 'TOTP', category: 'authentication' as const, categoryLabel: 'Authentication', cause: 'mfa-rejected', errorMessage: 'The code was not accepted.',
            ...(spec.screenshot ? { artifacts: { screenshot: spec.screenshot } } : {}),
          } : {}),
        });
      }
    }
    runs.push({
      runId, startedAt: new Date(at).toISOString(), finishedAt: new Date(at + 60_000).toISOString(), configSource: 'synthetic', labels: spec.labels ?? {},
      results, summary: summarize(results), exitCode: 0, host: 'probe-1', location: 'dmz', regressions: 0,
    });
  }
  return runs;
}
