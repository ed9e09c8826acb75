/**
 * `portal-probe report`: the compatibility-matrix report of a run set, from the history
 * store or from results bundles, as report.html (self-contained), report.md and report.json.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { demoConfig } from '../config/demo.config.ts';
import { EXIT, HarnessError } from '../core/errors.ts';
import { openStore, type HistoryStore, type RunQuery } from '../store/index.ts';
import { readBundles } from '../report/merge.ts';
import { fromBundles, historyFor, runSetFromStore } from '../report/sources.ts';
import { writeReport } from '../report/write.ts';
import type { ReportInput } from '../report/model.ts';

export const REPORT_USAGE = `Usage: portal-probe report [selection] [options]

Writes the compatibility-matrix report of a run set: report.html (one self-contained file,
no network), report.md (for a ticket or a CI job summary) and report.json (its schema:
report/report.schema.json).

Selection (from the history store; default: the newest run, with its whole run group):
  --run ID             this run (repeatable)
  --group ID           every machine's run of one matrix run (--run-group)
  --label key=value    runs carrying this label (repeatable), e.g. vendorVersion=2026.3
  --since DATE         runs started on or after DATE (YYYY-MM-DD or an ISO time)
  --until DATE         runs started before the end of DATE
  --last N             at most the N newest matching runs (default 200; alone: the newest N runs)
Or from results bundles:
  --bundle DIR         a run folder with bundle.json (repeatable); checked as merge checks them
Options:
  --output DIR         where to write (default .portal-probe/reports/<time>)
  --history N          results per cell in the trends (default 30; from the store)
  --title TEXT         the report's title
  --config PATH        config (for the store's location)
  --store FILE         history database (default: the config's "store")
  --max-apart DURATION with --bundle: the most the bundles' starts may differ (default 12h)`;

function parseDate(flag: string, v: string, endOfDay: boolean): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const t = Date.parse(dateOnly ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) throw new HarnessError('USAGE', `--${flag} ${v} is not a date (use YYYY-MM-DD or an ISO time).`);
  return dateOnly && endOfDay ? t + 86_400_000 : t;
}

/** "12h", "90m", "2d" in ms. */
export function parseDuration(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) throw new HarnessError('USAGE', `--${flag} ${v} must be a duration such as 90m, 12h or 2d.`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function positive(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new HarnessError('USAGE', `--${flag} must be a whole number of at least 1.`);
  return n;
}

const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

/** Opens the store only where one exists: a report never creates an empty one. */
export async function openExistingStore(target: string, cwd: string): Promise<HistoryStore | undefined> {
  if (!/^postgres(ql)?:\/\//i.test(target) && !existsSync(path.resolve(cwd, target))) return undefined;
  return openStore(target, cwd);
}

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: true,
    options: {
      run: { type: 'string', multiple: true, default: [] }, group: { type: 'string' }, label: { type: 'string', multiple: true, default: [] },
      since: { type: 'string' }, until: { type: 'string' }, last: { type: 'string' }, bundle: { type: 'string', multiple: true, default: [] },
      output: { type: 'string' }, history: { type: 'string' }, title: { type: 'string' }, config: { type: 'string' }, store: { type: 'string' },
      'max-apart': { type: 'string' },
    },
  });
  const cwd = process.cwd();
  const historyN = positive('history', values.history, 30);
  const last = positive('last', values.last, 200);
  const labels: Record<string, string> = {};
  for (const l of values.label) {
    const i = l.indexOf('=');
    if (i <= 0) throw new HarnessError('USAGE', `--label ${l} must look like key=value.`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const fromStoreFlags = values.run.length > 0 || values.group !== undefined || values.label.length > 0 || values.since !== undefined || values.until !== undefined || values.last !== undefined;
  if (values.bundle.length > 0 && fromStoreFlags) throw new HarnessError('USAGE', '--bundle cannot be combined with --run, --group, --label, --since, --until or --last.');
  const since = values.since === undefined ? undefined : parseDate('since', values.since, false);
  const until = values.until === undefined ? undefined : parseDate('until', values.until, true);
  const maxApartMs = values['max-apart'] === undefined ? 12 * 3_600_000 : parseDuration('max-apart', values['max-apart']);

  const loaded = await loadConfig({ cwd, demoConfig: async () => demoConfig, ...(values.config ? { configPath: values.config } : {}) });
  const storeTarget = values.store ?? loaded.config.store;
  const store = await openExistingStore(storeTarget, cwd);
  try {
    let input: ReportInput;
    if (values.bundle.length > 0) {
      const bundles = readBundles(values.bundle.map((b) => path.resolve(cwd, b)), maxApartMs);
      // Bundles given together are one matrix run, whether or not they were given a run group.
      const set = fromBundles(bundles, bundles.find((b) => b.manifest.group)?.manifest.group ?? bundles[0]?.run.runId);
      input = { source: { kind: 'bundles', where: bundles.map((b) => b.dir), selection: `${bundles.length} bundle${bundles.length === 1 ? '' : 's'}` }, ...set };
    } else {
      if (!store) throw new HarnessError('USAGE', `No history store at ${path.resolve(cwd, storeTarget)}: run "portal-probe run" first, or name one with --store.`);
      let q: RunQuery;
      let described: string;
      if (fromStoreFlags) {
        q = {
          limit: last, ...(values.run.length ? { ids: values.run } : {}), ...(values.group ? { group: values.group } : {}), labels,
          ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { before: until } : {}),
        };
        described = [
          values.run.length ? `run ${values.run.join(', ')}` : '', values.group ? `group ${values.group}` : '',
          ...Object.entries(labels).map(([k, v]) => `${k}=${v}`), values.since ? `since ${values.since}` : '', values.until ? `until ${values.until}` : '',
          values.last !== undefined ? `the newest ${last}` : '',
        ].filter(Boolean).join(', ');
      } else {
        const [newest] = await store.runs({ limit: 1 });
        if (!newest) throw new HarnessError('USAGE', `No run recorded in ${store.where} yet: run "portal-probe run" first.`);
        q = newest.groupId ? { group: newest.groupId, limit: last } : { ids: [newest.id] };
        described = newest.groupId ? `the newest run group, ${newest.groupId}` : `the newest run, ${newest.id}`;
      }
      const set = await runSetFromStore(store, q, described);
      input = { source: { kind: 'store', where: [store.where], selection: described }, ...set, history: await historyFor(store, set.results, historyN) };
    }
    if (values.bundle.length > 0 && store) input.history = await historyFor(store, input.results, historyN);
    if (values.title) input.title = values.title;
    const dir = path.resolve(cwd, values.output ?? path.join(path.dirname(path.resolve(cwd, loaded.config.outputDir)), 'reports', stamp(new Date())));
    const written = writeReport(dir, input);
    for (const line of written.report.summary.lines) console.log(line);
    console.log(`\nreport: ${path.relative(cwd, written.html)}\nMarkdown: ${path.relative(cwd, written.markdown)}\nJSON: ${path.relative(cwd, written.json)}`);
    return EXIT.ok;
  } finally {
    await store?.close();
  }
}
