/** Durations in check results: an interval is shown with the precision its width needs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatDurations } from '../../core/checks-catalog.ts';

test('a narrow measured interval keeps its decimals; a wide one does not', () => {
  assert.deepEqual(formatDurations([20_000, 19_600, 20_200]), ['20.0 s', '19.6 s', '20.2 s']);
  assert.deepEqual(formatDurations([120_000, 117_000, 120_000]), ['120.0 s', '117.0 s', '120.0 s']);
  assert.deepEqual(formatDurations([1_800_000, 1_791_000, 1_800_000]), ['30.00 min', '29.85 min', '30.00 min']);
  assert.deepEqual(formatDurations([300_000, 60_000, 400_000]), ['300 s', '60 s', '400 s']);
  assert.deepEqual(formatDurations([5000, 5000]), ['5.0 s', '5.0 s']);
});

test('single durations pick a unit a person reads at a glance', () => {
  assert.equal(formatDuration(250), '250 ms');
  assert.equal(formatDuration(4000), '4.0 s');
  assert.equal(formatDuration(30_000), '30 s');
  assert.equal(formatDuration(1_800_000), '30.0 min');
  assert.equal(formatDuration(43_200_000), '12.0 h');
});
