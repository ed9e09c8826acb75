/**
 * Runs the project's own tests with node's test runner (through tsx), one file at a
 * time by default: the suite drives real browsers and timing-sensitive servers, and a
 * 2-core machine shared by parallel browsers makes timings lie.
 *   tsx scripts/run-tests.ts [filter…]   only files whose path contains a filter
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk('test').sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('run-tests: no test files matched.');
  process.exit(2);
}
const concurrency = process.env.PORTAL_PROBE_TEST_CONCURRENCY ?? '1';
const tapDir = mkdtempSync(path.join(os.tmpdir(), 'pp-tap-'));
const tap = path.join(tapDir, 'results.tap');
const times = path.join(tapDir, 'file-times.tsv');
const timesReporter = fileURLToPath(new URL('./file-times-reporter.mjs', import.meta.url));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  `--test-reporter=${timesReporter}`, `--test-reporter-destination=${times}`, ...files], { stdio: 'inherit' });
// Where the time went, per file (the test budgets are given in these), when files ran one at a time.
if (concurrency === '1' && files.length > 1 && existsSync(times)) {
  const rows = readFileSync(times, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split('\t')).map(([ms, file]) => ({ s: Number(ms) / 1000, file: path.relative(process.cwd(), file ?? '') }));
  console.log(`\ntest files by time (${rows.reduce((n, x) => n + x.s, 0).toFixed(0)} s in all):`);
  for (const x of rows.sort((a, b) => b.s - a.s)) console.log(`${x.s.toFixed(1).padStart(7)} s  ${x.file}`);
}
// The plain closing line CI reads, whatever reporter is in use.
const text = readFileSync(tap, 'utf8');
const count = (k: string): number => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
console.log(`\n${count('pass')} passed, ${count('fail') + count('cancelled')} failed, ${count('skipped')} skipped`);
rmSync(tapDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
