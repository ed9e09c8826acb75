/**
 * `portal-probe history`: the recent runs in the store, or one journey's trend per step,
 * browser and viewport (median, spread, a sparkline of the recent samples). --json prints
 * the same as JSON.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { demoConfig } from '../config/demo.config.ts';
import { EXIT, HarnessError } from '../core/errors.ts';
import { openStore } from '../store/index.ts';
import { summarize } from '../analysis/stats.ts';
import { formatMs } from '../analysis/verdict.ts';

export const HISTORY_USAGE = `Usage: portal-probe history [options]

Lists recent runs, or with --journey one journey's trend per step, browser and viewport.

  --journey NAME       show this journey's step trend (with --portal when names repeat)
  --portal NAME        only this portal
  --label k=v          only runs carrying this label (repeatable)
  --limit N            how many runs (default 20)
  --json               print as JSON
  --config PATH        config (for the store's location)
  --store FILE         history database (default: the config's "store")`;

const BARS = '▁▂▃▄▅▆▇█';

/** One character per sample, scaled between the smallest and largest. */
export function sparkline(xs: readonly number[]): string {
  if (xs.length === 0) return '';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.map((x) => BARS[hi === lo ? 3 : Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1))] ?? '?').join('');
}

export async function historyCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: true,
    options: {
      journey: { type: 'string' }, portal: { type: 'string' }, label: { type: 'string', multiple: true, default: [] },
      limit: { type: 'string' }, json: { type: 'boolean', default: false }, config: { type: 'string' }, store: { type: 'string' },
    },
  });
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new HarnessError('USAGE', '--limit must be a whole number of at least 1.');
  const labels: Record<string, string> = {};
  for (const l of values.label) {
    const i = l.indexOf('=');
    if (i <= 0) throw new HarnessError('USAGE', `--label ${l} must look like key=value.`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const loaded = await loadConfig({ cwd: process.cwd(), demoConfig: async () => demoConfig, ...(values.config ? { configPath: values.config } : {}) });
  const store = await openStore(values.store ?? loaded.config.store, process.cwd());
  try {
    const runs = await store.runs({ labels, limit, ...(values.portal ? { portal: values.portal } : {}) });
    if (values.journey === undefined) {
      if (values.json) {
        console.log(JSON.stringify(runs, null, 2));
        return EXIT.ok;
      }
      console.log(`${runs.length} recent run(s) in ${store.where}`);
      for (const r of runs) {
        const s = r.summary;
        const tags = Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(' ');
        console.log(`  ${r.id}  ${new Date(r.startedAt).toISOString().slice(0, 16).replace('T', ' ')}  @${r.location}  exit ${r.exitCode}  ${s.passed} passed, ${s.degraded} degraded, ${s.failed} failed, ${s.notRun} not run${tags ? `  ${tags}` : ''}`);
      }
      return EXIT.ok;
    }
    const results = (await store.results(runs.map((r) => r.id)))
      .filter((r) => r.journey === values.journey && (values.portal === undefined || r.portal === values.portal))
      .sort((a, b) => a.startedAt - b.startedAt);
    if (results.length === 0) throw new HarnessError('USAGE', `No results of journey "${values.journey}" in the last ${limit} run(s) of ${store.where}.`);
    const cells = new Map<string, typeof results>();
    for (const r of results) {
      const k = `${r.portal} › ${r.journey}  ${r.browser}/${r.viewport} @${r.location}`;
      cells.set(k, [...(cells.get(k) ?? []), r]);
    }
    const trend = [...cells].map(([cell, rs]) => {
      const names = [...new Set(rs.flatMap((r) => r.steps.map((s) => s.name)))];
      return {
        cell, results: rs.length, outcomes: rs.map((r) => r.outcome),
        steps: names.map((name) => {
          const xs = rs.flatMap((r) => r.steps.filter((s) => s.name === name && s.status === 'passed' && s.durationMs !== null && (r.outcome === 'passed' || r.outcome === 'degraded')).map((s) => s.durationMs as number));
          return { step: name, samples: xs, ...summarize(xs) };
        }),
      };
    });
    if (values.json) {
      console.log(JSON.stringify(trend, null, 2));
      return EXIT.ok;
    }
    for (const t of trend) {
      const outcomes = t.outcomes.map((o) => ({ passed: '✓', degraded: '~', failed: '✗', 'not-run': '-', error: '!' }[o])).join('');
      console.log(`${t.cell}  (${t.results} run(s), oldest first: ${outcomes})`);
      const rows = t.steps.map((s) => [s.step, s.count ? formatMs(s.median) : '–', s.count ? `±${formatMs(s.mad)}` : '', s.count ? formatMs(s.p90) : '', String(s.count), sparkline(s.samples.slice(-30))]);
      const all = [['step', 'median', 'MAD', 'p90', 'n', 'trend'], ...rows];
      const w = all[0]!.map((_, i) => Math.max(...all.map((x) => (x[i] ?? '').length)));
      for (const x of all) console.log(`  ${x.map((v, i) => v.padEnd(w[i] ?? 0)).join('  ').trimEnd()}`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
