/**
 * A tick after its retry (monitor/observe.ts afterRetry): a retried cell counts as the retry
 * saw it only when the retry decided it (passed, degraded, failed); a retry cell not run or in
 * error keeps the first run's failure, so a crashed or stopped retry never turns a failure
 * into a pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellObservation, KeyObservation } from '../../alerting/types.ts';
import type { Outcome } from '../../core/result.ts';
import { tickState } from '../../alerting/incidents.ts';
import { afterRetry } from '../../monitor/observe.ts';

const KEY = { portal: 'clinic', journey: 'login', location: 'lab' };
const cell = (name: string, outcome: Outcome): CellObservation => {
  const [browser = '', viewport = ''] = name.split('/');
  return { cell: name, browser, browserVersion: '1', viewport, outcome, ...(outcome === 'failed' ? { step: 'sign in', category: 'Backend/integration' } : {}) };
};
const obs = (runId: string, cells: Record<string, Outcome>): KeyObservation => ({ key: KEY, runId, at: runId === 'first' ? 1000 : 2000, cells: Object.entries(cells).map(([c, o]) => cell(c, o)) });
const first = obs('first', { 'chromium/desktop': 'passed', 'firefox/desktop': 'failed', 'webkit/desktop': 'failed' });

test('a retry that passes clears the failure; one that fails again keeps it, with the retry as the run seen', () => {
  const cleared = afterRetry(first, obs('retry', { 'firefox/desktop': 'passed', 'webkit/desktop': 'passed' }));
  assert.equal(tickState(cleared), 'passed');
  assert.equal(cleared.runId, 'retry');
  assert.deepEqual(cleared.cells.map((c) => c.outcome), ['passed', 'passed', 'passed']);
  const still = afterRetry(first, obs('retry', { 'firefox/desktop': 'passed', 'webkit/desktop': 'failed' }));
  assert.equal(tickState(still), 'failed');
  assert.deepEqual(still.cells.map((c) => `${c.cell}:${c.outcome}`), ['chromium/desktop:passed', 'firefox/desktop:passed', 'webkit/desktop:failed']);
});

test('a retry cell not run or in error keeps the first failure; a retry that decided nothing leaves the first run as it was', () => {
  const stopped = afterRetry(first, obs('retry', { 'firefox/desktop': 'not-run', 'webkit/desktop': 'passed' }));
  assert.equal(tickState(stopped), 'failed', 'firefox was interrupted in the retry: its failure stands');
  assert.deepEqual(stopped.cells.map((c) => `${c.cell}:${c.outcome}`), ['chromium/desktop:passed', 'firefox/desktop:failed', 'webkit/desktop:passed']);
  const crashed = afterRetry(first, obs('retry', { 'firefox/desktop': 'error', 'webkit/desktop': 'not-run' }));
  assert.deepEqual(crashed, first);
  assert.deepEqual(afterRetry(first, undefined), first);
});
