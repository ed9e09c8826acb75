/**
 * `portal-probe gate`: did the candidate runs (after a vendor update) regress against the
 * baseline runs (before it)? Picks both sets from the store (by labels, run ids, or "the
 * last N runs before the candidate"), can run the candidate itself (--runs N), and prints
 * a diff per cell, as text, Markdown ($GITHUB_STEP_SUMMARY, --summary) and JUnit.
 *   exit 0 no regression · 1 regression or failure · 2 harness/config error · 3 inconclusive
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { demoConfig } from '../config/demo.config.ts';
import { EXIT, HarnessError } from '../core/errors.ts';
import { openStore, type HistoryStore, type StoredRun } from '../store/index.ts';
import { compareSets, type GateCell, type GateReport } from '../analysis/gate.ts';
import { formatMs } from '../analysis/verdict.ts';
import { runCommand } from './run.ts';

export const EXIT_INCONCLUSIVE = 3;

export const GATE_USAGE = `Usage: portal-probe gate [options]

Compares candidate runs (after a vendor update) with baseline runs (before it), cell by
cell: step medians (Mann–Whitney U, p < alpha shared among a cell's steps by Holm's
correction unless history.correction is 'none', and at least max(10 %, 150 ms,
2 × 1.4826 × the baseline's MAD: history.minSpread) slower;
with Holm an 8-step journey needs at least 8 baseline runs against 5 candidate runs),
new failures, steps added or removed, check measurements that changed.

  --baseline k=v[,k=v]   baseline runs: those carrying all these labels (e.g. vendorVersion=2026.2)
  --baseline-runs a,b    baseline runs by id
  --last N               baseline: the last N runs before the oldest candidate run
  --candidate k=v[,k=v]  candidate runs by labels (default: the newest run)
  --candidate-runs a,b   candidate runs by id
  --runs N               first run the journeys N times as the candidate (recorded, labelled with --candidate)
  --limit N              at most N runs per side, newest first (default 20)
  --accept               accept the candidate runs as the new normal (their samples join baselines)
  --summary FILE         write the diff as Markdown (also to $GITHUB_STEP_SUMMARY when set)
  --junit FILE           write the diff as JUnit (a regression is a failed testcase)
  --json                 print the comparison as JSON
  --config PATH          config (for --runs, the store and the thresholds)
  --store FILE           history database (default: the config's "store")

Exit codes: 0 no regression, 1 regression or failure, 2 harness or config error, 3 inconclusive.`;

function labelsOf(v: string | undefined, flag: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new HarnessError('USAGE', `${flag} ${v}: each label must look like key=value.`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

function count(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new HarnessError('USAGE', `${flag} must be a whole number of at least 1.`);
  return n;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cellName = (c: GateCell): string => `${c.portal} › ${c.journey}  ${c.browser}/${c.viewport}${c.location ? ` @${c.location}` : ''}`;
const mark = (v: string): string => ({ ok: 'ok', regressed: 'REGRESSED', inconclusive: 'inconclusive', failed: 'FAILED' }[v] ?? v);

function stepRows(c: GateCell): string[][] {
  return c.steps.map((s) => [s.step, Number.isFinite(s.baseline.median) ? formatMs(s.baseline.median) : '–', Number.isFinite(s.candidate.median) ? formatMs(s.candidate.median) : '–',
    s.deltaMs === null ? '' : `${s.deltaMs >= 0 ? '+' : '−'}${formatMs(Math.abs(s.deltaMs))}`, `${s.baseline.count}/${s.candidate.count}`, mark(s.verdict)]);
}

export function gateText(r: GateReport, before: StoredRun[], after: StoredRun[]): string {
  const out = [`Gate: ${before.length} baseline run(s) → ${after.length} candidate run(s)`, ''];
  for (const c of r.cells) {
    out.push(`${cellName(c)}: ${mark(c.verdict)}${c.failing && c.verdict !== 'regressed' ? ' (fails)' : ''} — ${c.reason}`);
    const rows = stepRows(c);
    if (rows.length) {
      const all = [['step', 'before', 'after', 'change', 'n', 'verdict'], ...rows];
      const w = all[0]!.map((_, i) => Math.max(...all.map((x) => (x[i] ?? '').length)));
      for (const x of all) out.push(`    ${x.map((v, i) => v.padEnd(w[i] ?? 0)).join('  ').trimEnd()}`);
    }
    for (const f of c.findings) out.push(`    ${f.verdict === 'regressed' ? '▲' : '·'} ${f.message}`);
  }
  out.push('', `${r.regressions} regressed, ${r.failures} failing, ${r.inconclusive} inconclusive, ${r.cells.length} cell(s): ${mark(r.verdict)}`);
  return out.join('\n');
}

export function gateMarkdown(r: GateReport, before: StoredRun[], after: StoredRun[]): string {
  const md = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [`## portal-probe gate: ${mark(r.verdict)}`, '', `${before.length} baseline run(s) → ${after.length} candidate run(s): ${r.regressions} regressed, ${r.failures} failing, ${r.inconclusive} inconclusive, ${r.cells.length} cell(s).`, ''];
  out.push('| cell | verdict | why |', '| --- | --- | --- |');
  for (const c of r.cells) out.push(`| ${md(cellName(c))} | ${mark(c.verdict)}${c.failing && c.verdict !== 'regressed' ? ' (fails)' : ''} | ${md(c.reason)} |`);
  for (const c of r.cells.filter((x) => x.steps.length > 0 && x.verdict !== 'ok')) {
    out.push('', `### ${md(cellName(c))}`, '', '| step | before | after | change | n | verdict |', '| --- | --- | --- | --- | --- | --- |');
    for (const row of stepRows(c)) out.push(`| ${row.map(md).join(' | ')} |`);
    for (const f of c.findings) out.push(`- ${f.verdict === 'regressed' ? '**regressed**' : 'changed'}: ${md(f.message)}`);
  }
  return `${out.join('\n')}\n`;
}

export function gateJunit(r: GateReport): string {
  const cases = r.cells.map((c) => {
    const name = esc(cellName(c));
    if (c.verdict === 'regressed' || c.failing) return `    <testcase classname="portal-probe.gate" name="${name}"><failure message="${esc(c.reason)}">${esc([c.reason, ...stepRows(c).map((x) => x.join('  ')), ...c.findings.map((f) => f.message)].join('\n'))}</failure></testcase>`;
    if (c.verdict === 'inconclusive') return `    <testcase classname="portal-probe.gate" name="${name}"><skipped message="inconclusive: ${esc(c.reason)}"/></testcase>`;
    return `    <testcase classname="portal-probe.gate" name="${name}"/>`;
  });
  const failures = r.cells.filter((c) => c.verdict === 'regressed' || c.failing).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="portal-probe gate" tests="${r.cells.length}" failures="${failures}" skipped="${r.cells.filter((c) => c.verdict === 'inconclusive' && !c.failing).length}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

function write(file: string, text: string, append = false): void {
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    if (append) appendFileSync(file, text);
    else writeFileSync(file, text);
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot write ${file}: ${e instanceof Error ? e.message : String(e)}.`, { cause: e });
  }
}

export async function gateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: true,
    options: {
      baseline: { type: 'string' }, 'baseline-runs': { type: 'string' }, last: { type: 'string' },
      candidate: { type: 'string' }, 'candidate-runs': { type: 'string' }, runs: { type: 'string' }, limit: { type: 'string' },
      accept: { type: 'boolean', default: false }, summary: { type: 'string' }, junit: { type: 'string' }, json: { type: 'boolean', default: false },
      config: { type: 'string' }, store: { type: 'string' },
    },
  });
  const cwd = process.cwd();
  const baseLabels = labelsOf(values.baseline, '--baseline');
  const candLabels = labelsOf(values.candidate, '--candidate');
  const last = count(values.last, '--last');
  const runs = count(values.runs, '--runs');
  const limit = count(values.limit, '--limit') ?? 20;
  const picks = [baseLabels, values['baseline-runs'], last].filter((x) => x !== undefined).length;
  if (!values.accept && picks !== 1) throw new HarnessError('USAGE', 'gate needs exactly one of --baseline LABELS, --baseline-runs IDS or --last N.');
  if (values.candidate !== undefined && values['candidate-runs'] !== undefined) throw new HarnessError('USAGE', 'gate takes --candidate or --candidate-runs, not both.');
  const loaded = await loadConfig({ cwd, demoConfig: async () => demoConfig, ...(values.config ? { configPath: values.config } : {}) });
  const settings = loaded.config.history;
  const storeTarget = values.store ?? loaded.config.store;

  // Collecting the candidate: N separate recorded runs, labelled as the candidate.
  const made: string[] = [];
  if (runs !== undefined) {
    for (let i = 0; i < runs; i++) {
      console.log(`gate: candidate run ${i + 1} of ${runs}`);
      const before = Date.now();
      const code = await runCommand({ cwd, faults: [], journeys: [], checks: [], labels: candLabels ?? {}, json: false, store: storeTarget, regressionExit: false, ...(values.config ? { configPath: values.config } : {}) });
      if (code === EXIT.harness) throw new HarnessError('RUNNER_FAILED', `Candidate run ${i + 1} of ${runs} ended with a harness error; see above.`);
      const store = await openStore(storeTarget, cwd);
      const [newest] = await store.runs({ since: before, limit: 1 });
      await store.close();
      if (newest) made.push(newest.id);
    }
  }

  let store: HistoryStore | undefined;
  try {
    store = await openStore(storeTarget, cwd);
    const candidate = made.length > 0 ? await store.runs({ ids: made, limit: made.length })
      : values['candidate-runs'] !== undefined ? await store.runs({ ids: values['candidate-runs'].split(',').map((x) => x.trim()), limit })
        : candLabels !== undefined ? await store.runs({ labels: candLabels, limit })
          : await store.runs({ limit: 1 });
    if (candidate.length === 0) throw new HarnessError('USAGE', `No candidate runs in ${store.where} match ${values.candidate ?? values['candidate-runs'] ?? '(the newest run)'}.`);
    if (values.accept) {
      const n = await store.accept(candidate.map((r) => r.id));
      console.log(`Accepted ${candidate.length} candidate run(s) as the new normal (${n} step sample(s)); later baselines include them.`);
      return EXIT.ok;
    }
    const oldest = Math.min(...candidate.map((r) => r.startedAt));
    const candidateIds = new Set(candidate.map((r) => r.id));
    const pool = values['baseline-runs'] !== undefined ? await store.runs({ ids: values['baseline-runs'].split(',').map((x) => x.trim()), limit })
      : baseLabels !== undefined ? await store.runs({ labels: baseLabels, limit: limit + candidate.length })
        : await store.runs({ before: oldest, limit: last ?? limit });
    // The candidate's runs never count in its baseline.
    const baseline = pool.filter((r) => !candidateIds.has(r.id)).slice(0, limit);
    if (baseline.length === 0) throw new HarnessError('USAGE', `No baseline runs in ${store.where} match ${values.baseline ?? values['baseline-runs'] ?? `the last ${last} before the candidate`}.`);
    const report = compareSets(await store.results(baseline.map((r) => r.id)), await store.results(candidate.map((r) => r.id)), settings);
    const md = gateMarkdown(report, baseline, candidate);
    if (values.summary) write(values.summary, md);
    if (process.env.GITHUB_STEP_SUMMARY) write(process.env.GITHUB_STEP_SUMMARY, md, true);
    if (values.junit) write(values.junit, gateJunit(report));
    if (values.json) console.log(JSON.stringify({ baseline: baseline.map((r) => r.id), candidate: candidate.map((r) => r.id), ...report }, null, 2));
    else console.log(gateText(report, baseline, candidate));
    return report.verdict === 'ok' ? EXIT.ok : report.verdict === 'inconclusive' ? EXIT_INCONCLUSIVE : EXIT.checksFailed;
  } finally {
    await store?.close();
  }
}
