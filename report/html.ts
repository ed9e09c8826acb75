/**
 * The report as one self-contained HTML file: inline CSS, inline SVG charts, screenshots
 * embedded as data: URIs, no script and no external resource, so it opens from disk on an
 * air-gapped machine and prints to a PDF. Real tables with headers; every outcome is a
 * symbol and a word as well as a colour.
 */
import { browserLabel } from './model.ts';
import type { Report, ReportCell, ReportOutcome } from './schema.ts';
import { esc, stepChart, stepScale, trendChart } from './svg.ts';

const MARK: Record<ReportOutcome, { sym: string; word: string }> = {
  passed: { sym: '✓', word: 'Passed' },
  degraded: { sym: '!', word: 'Degraded' },
  failed: { sym: '✗', word: 'Failed' },
  error: { sym: '⚠', word: 'Harness error' },
  'not-run': { sym: '–', word: 'Not run' },
};

const CSS = `
:root { --pass: #1a7f37; --deg: #9a6700; --fail: #cf222e; --err: #8250df; --nr: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 1.5rem auto; max-width: 1400px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.meta { color: #57606a; margin: 0 0 1rem; }
.summary { border: 2px solid var(--line); border-radius: 6px; padding: .75rem 1rem; background: #f6f8fa; }
.summary p { margin: .2rem 0; } .summary p:first-child { font-size: 1.15rem; font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
th[scope=row] { font-weight: 600; white-space: nowrap; }
.o { font-weight: 600; white-space: nowrap; } .o-passed { color: var(--pass); } .o-degraded { color: var(--deg); } .o-failed { color: var(--fail); } .o-error { color: var(--err); } .o-not-run { color: var(--nr); }
td.c-passed { background: #dafbe1; } td.c-degraded { background: #fff8c5; } td.c-failed { background: #ffebe9; } td.c-error { background: #fbefff; } td.c-not-run { background: #f6f8fa; }
td.na { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #f6f8fa 4px, #f6f8fa 8px); color: #8c959f; }
.small { font-size: 12px; color: #57606a; display: block; }
.figs { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; }
figure { margin: 0; break-inside: avoid; } figcaption { font-size: 12px; font-weight: 600; }
.chart text { font: 11px system-ui, sans-serif; fill: #1f2328; } .chart .tick, .chart .none { fill: #57606a; }
.chart .whisker { stroke: #57606a; stroke-width: 1; } .chart .box { fill: #b6e3ff; stroke: #0969da; } .chart .median { stroke: #0a3069; stroke-width: 2; }
.chart .budget { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 3 2; } .chart .axis { stroke: var(--line); }
.chart .offscale { fill: var(--fail); font-size: 10px; } .chart .trend { fill: none; stroke: #0969da; stroke-width: 1; } .pt-passed { fill: var(--pass); } .pt-degraded { fill: var(--deg); }
.pt-failed { stroke: var(--fail); stroke-width: 2; fill: none; } .pt-error { fill: var(--err); } .pt-notrun { fill: none; stroke: var(--nr); }
.shot img { max-width: 480px; border: 1px solid var(--line); }
.legend { font-size: 12px; color: #57606a; }
.warn { color: var(--fail); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; } table, figure, .summary { break-inside: avoid; }
  thead { display: table-header-group; }
  .shot img { max-width: 45%; }
  a { color: inherit; text-decoration: none; }
}
`;

function badge(o: ReportOutcome): string {
  return `<span class="o o-${o}">${MARK[o].sym} ${MARK[o].word}</span>`;
}

const day = (isoTime: string): string => isoTime.slice(0, 10);

function cellBody(c: ReportCell): string {
  const ran = c.counts.passed + c.counts.degraded + c.counts.failed + c.counts.error;
  const bits: string[] = [badge(c.outcome)];
  if (c.outcome === 'failed' || c.outcome === 'degraded') bits.push(`<span class="small">${esc(c.failedStep ? `at ${c.failedStep}` : '')}${c.category ? ` (${esc(c.category)})` : ''}</span>`);
  if (c.since) bits.push(`<span class="small">since ${esc(day(c.since))}</span>`);
  if (c.reason) bits.push(`<span class="small">${esc(c.reason)}</span>`);
  if (ran > 1) bits.push(`<span class="small">${c.counts.passed} of ${ran} runs passed</span>`);
  if (c.duplicates > 0) bits.push(`<span class="small warn">ran on ${c.hosts.length} machines: ${esc(c.hosts.join(', '))}</span>`);
  if (c.versions.length) bits.push(`<span class="small">${esc(c.versions.join(', '))}</span>`);
  return bits.join('');
}

export interface HtmlOptions {
  /** A screenshot copied beside the report, as a data: URI to embed (undefined: link it). */
  embed?: (relative: string) => string | undefined;
}

export function renderHtml(r: Report, o: HtmlOptions = {}): string {
  const out: string[] = [];
  const labelText = Object.entries(r.labels).map(([k, v]) => `${esc(k)}: ${esc(v.join(', '))}`).join(' · ');
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`);
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push(`<title>${esc(r.title)}</title><style>${CSS}</style></head><body>`);
  out.push(`<header><h1>${esc(r.title)}</h1><p class="meta">${labelText ? `${labelText} · ` : ''}locations: ${esc(r.locations.join(', ') || '–')} · ${r.runs.length} run${r.runs.length === 1 ? '' : 's'} (${esc(r.source.selection)}) · generated ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC</p></header>`);
  out.push(`<section class="summary" aria-label="Summary">${r.summary.lines.map((l) => `<p>${esc(l)}</p>`).join('')}</section>`);
  for (const w of r.warnings) out.push(`<p class="warn">Warning: ${esc(w)}</p>`);

  // The matrix.
  out.push(`<h2 id="matrix">Matrix</h2><table class="matrix"><caption class="legend">Journeys and checks by browser and viewport. ✓ passed · ! degraded · ✗ failed · ⚠ harness error · – not run · hatched: not part of the matrix for this row.</caption><thead><tr><th scope="col">Journey or check</th>`);
  for (const c of r.columns) out.push(`<th scope="col">${esc(browserLabel(c.browser))}<span class="small">${esc(c.viewport)}${c.versions.length ? ` · ${esc(c.versions.join(', '))}` : ''}</span></th>`);
  out.push('</tr></thead><tbody>');
  for (const row of r.rows) {
    out.push(`<tr><th scope="row">${esc(row.id)}<span class="small">${esc(row.kind === 'journey' ? 'journey' : `check: ${row.kind}`)}</span></th>`);
    for (const col of r.columns) {
      const c = row.cells.find((x) => x.column === col.id);
      out.push(c ? `<td class="cell c-${c.outcome}" data-cell="${esc(`${row.id} ${col.id}`)}">${cellBody(c)}</td>` : '<td class="na"><span class="small">n/a</span></td>');
    }
    out.push('</tr>');
  }
  out.push('</tbody></table>');

  // Step timings.
  out.push(`<h2 id="timings">Step timings</h2><p class="legend">Per cell and step over the run set: the bar is the median, the box the middle half, the whisker the range; the dashed red line is the step's budget (written beside the median when far beyond every sample); ▲ marks a median with samples over budget. Medians in text at the right.</p>`);
  for (const row of r.rows.filter((x) => x.cells.some((c) => c.steps.some((s) => s.samples > 0)))) {
    const scale = stepScale(row.cells.map((c) => c.steps));
    out.push(`<h3>${esc(row.id)}</h3><div class="figs">`);
    for (const c of row.cells.filter((x) => x.steps.some((s) => s.samples > 0))) {
      const ran = c.counts.passed + c.counts.degraded + c.counts.failed + c.counts.error;
      out.push(`<figure><figcaption>${esc(c.column)} · ${ran} run${ran === 1 ? '' : 's'}</figcaption>${stepChart(c.steps, scale, `${row.id}, ${c.column}`)}</figure>`);
    }
    out.push('</div>');
  }

  // Trends.
  out.push(`<h2 id="trends">Trends</h2><table><caption class="legend">Each cell's results over the history window, oldest left: ● passed · ▲ degraded · ✕ failed · ◆ error · ○ not run; height is the journey's duration.</caption><thead><tr><th scope="col">Journey or check</th><th scope="col">Cell</th><th scope="col">Results</th><th scope="col">Passed</th><th scope="col">Trend</th></tr></thead><tbody>`);
  for (const t of r.trends) {
    const ran = t.points.filter((p) => p.outcome !== 'not-run');
    const passed = ran.filter((p) => p.outcome === 'passed').length;
    const first = t.points[0]?.at;
    const last = t.points.at(-1)?.at;
    out.push(`<tr><th scope="row">${esc(t.row)}</th><td>${esc(t.column)}</td><td>${t.points.length}${first && last ? `<span class="small">${esc(day(first))} – ${esc(day(last))}</span>` : ''}</td><td>${passed} of ${ran.length}</td><td>${trendChart(t.points, `${t.row}, ${t.column}`)}</td></tr>`);
  }
  out.push('</tbody></table>');

  // Checks.
  const checks = r.rows.filter((x) => x.kind !== 'journey');
  if (checks.length) {
    out.push(`<h2 id="checks">Session and security checks</h2><p class="meta">Ran on ${esc(r.checksRanOn.join(', ') || '–')}.</p><table><thead><tr><th scope="col">Check</th><th scope="col">Requirements</th><th scope="col">Cell</th><th scope="col">Outcome</th><th scope="col">Measured</th><th scope="col">Expected</th></tr></thead><tbody>`);
    for (const row of checks) {
      for (const c of row.cells) {
        const measured = c.measurements.map((m) => `${esc(m.name)}: ${m.value} ${esc(m.unit)}${m.lo !== undefined && m.hi !== undefined ? ` (${m.lo}–${m.hi})` : ''}`).join('<br>') || '–';
        const expected = c.measurements.map((m) => (m.expected !== undefined ? `${esc(m.name)}: ${m.expected} ${esc(m.unit)}` : m.atLeast !== undefined ? `${esc(m.name)}: at least ${m.atLeast} ${esc(m.unit)}` : '')).filter(Boolean).join('<br>') || '–';
        out.push(`<tr><th scope="row">${esc(row.id)}</th><td>${esc(row.requirements.join(', ') || '–')}</td><td>${esc(c.column)}</td><td class="c-${c.outcome}">${badge(c.outcome)}${c.errorMessage ? `<span class="small">${esc(c.errorMessage)}</span>` : ''}</td><td>${measured}</td><td>${expected}</td></tr>`);
      }
    }
    out.push('</tbody></table>');
  }

  // Failures.
  const failing = r.rows.flatMap((row) => row.cells.filter((c) => c.outcome === 'failed' || c.outcome === 'error' || c.outcome === 'degraded').map((c) => ({ row, c })));
  if (failing.length) {
    out.push('<h2 id="failures">Failures</h2>');
    for (const { row, c } of failing) {
      out.push(`<h3>${esc(row.id)} · ${esc(c.column)}</h3><p>${badge(c.outcome)}${c.failedStep ? ` at <strong>${esc(c.failedStep)}</strong>` : ''}${c.category ? ` · ${esc(c.category)}` : ''}${c.since ? ` · since ${esc(day(c.since))}` : ''}</p>`);
      if (c.errorMessage) out.push(`<p><code>${esc(c.errorMessage)}</code></p>`);
      if (c.screenshot) {
        const src = o.embed?.(c.screenshot);
        out.push(src ? `<figure class="shot"><img src="${src}" alt="${esc(`Masked screenshot of the failure, ${row.id}, ${c.column}`)}"><figcaption>Masked screenshot (password, code and patient-data regions blacked out)</figcaption></figure>`
          : `<p class="shot"><a href="${esc(c.screenshot)}">Masked screenshot</a></p>`);
      }
    }
  }

  // Runs.
  out.push(`<h2 id="runs">Runs</h2><table><thead><tr><th scope="col">Run</th><th scope="col">Group</th><th scope="col">Host</th><th scope="col">OS</th><th scope="col">Location</th><th scope="col">Shard</th><th scope="col">Started</th><th scope="col">Labels</th></tr></thead><tbody>`);
  for (const run of r.runs) {
    out.push(`<tr><th scope="row"><code>${esc(run.id)}</code></th><td>${esc(run.group ?? '–')}</td><td>${esc(run.host)}</td><td>${esc(run.os ?? '–')}</td><td>${esc(run.location)}</td><td>${esc(run.shard ?? '–')}</td><td>${esc(run.startedAt.slice(0, 16).replace('T', ' '))}</td><td>${esc(Object.entries(run.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '–')}</td></tr>`);
  }
  out.push(`</tbody></table><p class="meta">portal-probe compatibility report, format ${esc(r.format)} v${r.version}; the same content as report.json and report.md. Generated by portal-probe report.</p></body></html>`);
  return out.join('\n');
}
