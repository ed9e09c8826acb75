/**
 * `portal-probe merge BUNDLE…`: one matrix run's machines' results bundles → one
 * results.json and one report. Each machine's run is recorded in the store with the
 * shared run group (the merged view is derived from those, never a duplicate record).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { demoConfig } from '../config/demo.config.ts';
import { HarnessError } from '../core/errors.ts';
import { fromRun } from '../store/index.ts';
import { mergeBundles } from '../report/merge.ts';
import { fromBundles, historyFor } from '../report/sources.ts';
import { writeReport } from '../report/write.ts';
import { formatTable } from '../reporters/table.ts';
import { openExistingStore, parseDuration } from './report.ts';
import { openStore } from '../store/index.ts';

export const MERGE_USAGE = `Usage: portal-probe merge BUNDLE… [options]

Merges the results bundles of one matrix run (the run folders each machine wrote, with
bundle.json) into one results.json and one report (report.html, report.md, report.json).
A ran result replaces another machine's not-run placeholder for its cell; a cell run on
two machines is kept twice. Bundles of another config, another run group or too far
apart, and missing or truncated bundles, are refused (exit 2) before anything is written.
Each machine's run is recorded in the history store with the shared run group.

  --output DIR         where to write (default: <outputDir>/merged-<group>)
  --max-apart DURATION the most the bundles' starts may differ (default 12h)
  --history N          results per cell in the report's trends (default 30)
  --no-store           do not record the runs in the history store
  --config PATH        config (for the defaults of the output folder and the store)
  --store FILE         history database (default: the config's "store")
  --json               print the merged results.json

Exit: 0 every cell that ran passed, 1 a cell failed or degraded, 2 a bundle was refused or
a harness error.`;

export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      output: { type: 'string' }, 'max-apart': { type: 'string' }, history: { type: 'string' }, 'no-store': { type: 'boolean', default: false },
      config: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean', default: false },
    },
  });
  const cwd = process.cwd();
  const maxApartMs = values['max-apart'] === undefined ? 12 * 3_600_000 : parseDuration('max-apart', values['max-apart']);
  const historyN = values.history === undefined ? 30 : Number(values.history);
  if (!Number.isInteger(historyN) || historyN < 1) throw new HarnessError('USAGE', '--history must be a whole number of at least 1.');
  const loaded = await loadConfig({ cwd, demoConfig: async () => demoConfig, ...(values.config ? { configPath: values.config } : {}) });
  // Everything is read and checked before anything is written.
  const merged = mergeBundles(positionals.map((p) => path.resolve(cwd, p)), { maxApartMs });
  const { run, bundles, warnings } = merged;
  const dir = path.resolve(cwd, values.output ?? path.join(loaded.config.outputDir, run.runId));
  const group = run.group ?? run.runId;

  // Read, build and check everything first; then write the files; the store last.
  const storeTarget = values.store ?? loaded.config.store;
  const set = fromBundles(bundles, group);
  let history;
  const existing = await openExistingStore(storeTarget, cwd);
  if (existing) {
    try {
      history = await historyFor(existing, set.results, historyN);
    } finally {
      await existing.close();
    }
  }
  const written = writeReport(dir, {
    source: { kind: 'bundles', where: bundles.map((b) => b.dir), selection: `${bundles.length} bundle${bundles.length === 1 ? '' : 's'} merged${run.group ? `, run group ${run.group}` : ''}` },
    ...set, warnings, ...(history ? { history } : {}),
  });
  try {
    writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(run, null, 2)}\n`);
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot write the merged results into ${dir}.`, { cause: e });
  }
  if (!values['no-store']) {
    // Each machine's run, once, with the shared group (in one transaction each; a run already there is left as it is).
    const store = await openStore(storeTarget, cwd);
    try {
      const known = new Set((await store.runs({ ids: bundles.map((b) => b.run.runId), limit: bundles.length })).map((r) => r.id));
      for (const b of bundles) {
        if (known.has(b.run.runId)) continue;
        // Screenshots where they are on this machine (inside the bundle), for reports from the store.
        const results = b.run.results.map((r) => ({ ...r, artifacts: { ...r.artifacts, screenshot: b.screenshot(r) } }));
        await store.record(fromRun({ ...b.run, results }, new Map(), b.manifest.group ?? group));
      }
    } finally {
      await store.close();
    }
  }
  for (const w of warnings) console.warn(`warning: ${w}`);
  if (values.json) console.log(JSON.stringify(run, null, 2));
  else {
    console.log(formatTable(run));
    for (const line of written.report.summary.lines) console.log(line);
    console.log(`\nmerged ${bundles.length} bundle(s) from ${run.host}\nresults: ${path.relative(cwd, path.join(dir, 'results.json'))}\nreport: ${path.relative(cwd, written.html)}\nMarkdown: ${path.relative(cwd, written.markdown)}`);
  }
  return run.exitCode;
}
