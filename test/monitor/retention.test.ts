/**
 * The monitor's results folders past monitor.keepResultsDays are deleted; nothing else under
 * the output folder is: not a recent run, not a folder that is not a run's, not a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pruneResults } from '../../monitor/retention.ts';
import { configSchema } from '../../config/schema.ts';
import { configProblems } from '../../config/validate.ts';
import { demoConfig } from '../../config/demo.config.ts';
import { tempDir } from '../helpers/cli.ts';

const runId = (at: number, hex: string): string => `${new Date(at).toISOString().replace(/[:.]/g, '-')}-${hex}`;

test('run folders older than the limit are deleted, with all inside; recent runs, foreign folders and files stay', async () => {
  const tmp = tempDir('pp-retention-');
  try {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const day = 86_400_000;
    const folder = (name: string, files: string[]): string => {
      const dir = path.join(tmp.dir, name);
      mkdirSync(path.join(dir, 'html', 'data'), { recursive: true });
      for (const f of files) writeFileSync(path.join(dir, f), '{}');
      writeFileSync(path.join(dir, 'html', 'data', 'x.zip'), 'zip');
      return name;
    };
    const old = folder(runId(now - 20 * day, 'a1b2c3'), ['plan.json', 'results.json']);
    const oldPlanOnly = folder(runId(now - 15 * day, 'a1b2c4'), ['plan.json']);
    const recent = folder(runId(now - 2 * day, 'a1b2c5'), ['plan.json', 'results.json']);
    const notOurs = folder(runId(now - 30 * day, 'a1b2c6'), ['notes.txt']);
    const merged = folder('merged-g1', ['results.json']);
    writeFileSync(path.join(tmp.dir, runId(now - 40 * day, 'a1b2c7')), 'a file named like a run');
    const removed = await pruneResults(tmp.dir, now - 14 * day);
    assert.deepEqual(removed.sort(), [old, oldPlanOnly].sort());
    assert.deepEqual(readdirSync(tmp.dir).sort(), [recent, notOurs, merged, runId(now - 40 * day, 'a1b2c7')].sort());
    assert.ok(existsSync(path.join(tmp.dir, recent, 'html', 'data', 'x.zip')));
    assert.deepEqual(await pruneResults(path.join(tmp.dir, 'no-such-folder'), now), []);
  } finally {
    tmp.cleanup();
  }
});

test('monitor.keepResultsDays defaults to 14 and is checked', () => {
  const base = { ...demoConfig, monitor: { schedules: [{ every: '5m' }] } };
  assert.equal(configSchema.parse(base).monitor?.keepResultsDays, 14);
  assert.equal(configSchema.safeParse({ ...base, monitor: { ...base.monitor, keepResultsDays: 0 } }).success, false);
});

test('monitor.runner defaults to the resident runner; anything but resident or process is refused, naming the field', () => {
  const base = { ...demoConfig, monitor: { schedules: [{ every: '5m' }] } };
  assert.equal(configSchema.parse(base).monitor?.runner, 'resident');
  assert.equal(configSchema.parse({ ...base, monitor: { ...base.monitor, runner: 'process' } }).monitor?.runner, 'process');
  const { problems } = configProblems({ ...base, monitor: { ...base.monitor, runner: 'threads' } });
  assert.ok(problems.some((p) => p.path === 'monitor.runner'), JSON.stringify(problems));
});
