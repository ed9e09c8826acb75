/**
 * The console table says why: a degradation that is not a budget shows its own reason,
 * and every not-run cell keeps its own reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable } from '../../reporters/table.ts';
import { summarize, type JourneyResult, type RunResult } from '../../core/result.ts';

function result(o: Partial<JourneyResult> & Pick<JourneyResult, 'journey' | 'outcome'>): JourneyResult {
  const browser = o.browser ?? { name: 'chromium', engine: 'chromium', version: '156.0.1' };
  const viewport = o.viewport ?? { name: 'desktop', width: 1280, height: 800 };
  return {
    id: `p/${o.journey}/${browser.name}/${viewport.name}`, runId: 'r', portal: 'p', environment: 'test', account: null,
    startedAt: '2026-12-02T00:00:00.000Z', durationMs: 1000, steps: [], artifacts: {}, labels: {}, ...o, browser, viewport,
  };
}

function run(results: JourneyResult[]): RunResult {
  return { runId: 'r', startedAt: '', finishedAt: '', configSource: 'x', labels: {}, results, summary: summarize(results), exitCode: 1, host: 'h', location: 'h', regressions: 0 };
}

test('a degradation that is not a budget is shown with its reason, never as "over budget"', () => {
  const text = formatTable(run([
    result({ journey: 'transport', outcome: 'degraded', reason: 'The TLS certificate of portal.example expires in 9 day(s).' }),
  ]));
  assert.doesNotMatch(text, /over budget/);
  assert.match(text, /DEGRADED/);
  assert.match(text, /~ chromium\/desktop: The TLS certificate of portal\.example expires in 9 day\(s\)\./);
});

test('a budget degradation names the step, its time and its budget', () => {
  const text = formatTable(run([
    result({ journey: 'login', outcome: 'degraded', steps: [{ name: 'sign in', status: 'passed', durationMs: 3400, budgetMs: 3000, overBudget: true }] }),
  ]));
  assert.match(text, /DEGRADED \(over budget\)/);
  assert.match(text, /over budget: sign in 3400 ms > 3000 ms/);
});

test('not-run reasons are kept per cell: one browser missing for two reasons shows both', () => {
  const firefox = { name: 'firefox' as const, engine: 'firefox', version: null };
  const text = formatTable(run([
    result({ journey: 'login', outcome: 'not-run', browser: firefox, reason: 'Firefox not found: not installed' }),
    result({ journey: 'login', outcome: 'not-run', browser: firefox, viewport: { name: 'iphone', width: 393, height: 659 }, reason: 'iphone is not emulated on firefox' }),
    result({ journey: 'login', outcome: 'not-run', browser: { name: 'webkit', engine: 'webkit', version: null }, reason: 'Firefox not found: not installed' }),
  ]));
  assert.match(text, /firefox\/desktop, webkit\/desktop: Firefox not found: not installed/);
  assert.match(text, /firefox\/iphone: iphone is not emulated on firefox/);
});
