/**
 * The report's summary and matrix as Markdown, for a vendor ticket or a GitHub job summary.
 * The same counts as report.json (a test checks it).
 */
import { browserLabel } from './model.ts';
import type { Report, ReportCell } from './schema.ts';

const SYM: Record<ReportCell['outcome'], string> = { passed: '✓ passed', degraded: '! degraded', failed: '✗ failed', error: '⚠ error', 'not-run': '– not run' };

/** Table text: no pipes or line breaks inside a cell. */
const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

function cellText(c: ReportCell): string {
  const ran = c.counts.passed + c.counts.degraded + c.counts.failed + c.counts.error;
  const bits = [SYM[c.outcome]];
  if (c.failedStep && c.outcome !== 'passed') bits.push(`at ${c.failedStep}`);
  if (c.since) bits.push(`since ${c.since.slice(0, 10)}`);
  if (ran > 1) bits.push(`${c.counts.passed}/${ran}`);
  if (c.duplicates > 0) bits.push(`ran on ${c.hosts.length} machines`);
  return md(bits.join(' '));
}

export function renderMarkdown(r: Report): string {
  const lines: string[] = [`# ${md(r.title)}`, ''];
  const labels = Object.entries(r.labels).map(([k, v]) => `${k}: ${v.join(', ')}`).join(' · ');
  lines.push(`${labels ? `${md(labels)} · ` : ''}locations: ${md(r.locations.join(', ') || '–')} · ${r.runs.length} run(s) · generated ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC`, '');
  for (const l of r.summary.lines) lines.push(`- ${md(l)}`);
  for (const w of r.warnings) lines.push(`- **Warning:** ${md(w)}`);
  lines.push('', `| Cells | Passed | Degraded | Failed | Harness error | Not run |`, '| ---: | ---: | ---: | ---: | ---: | ---: |');
  const s = r.summary;
  lines.push(`| ${s.cells} | ${s.passed} | ${s.degraded} | ${s.failed} | ${s.error} | ${s.notRun} |`, '');
  lines.push(`| Journey or check | ${r.columns.map((c) => md(`${browserLabel(c.browser)} ${c.viewport}${c.versions.length ? ` (${c.versions.join(', ')})` : ''}`)).join(' | ')} |`);
  lines.push(`| --- | ${r.columns.map(() => '---').join(' | ')} |`);
  for (const row of r.rows) {
    lines.push(`| ${md(row.id)} | ${r.columns.map((col) => {
      const c = row.cells.find((x) => x.column === col.id);
      return c ? cellText(c) : 'n/a';
    }).join(' | ')} |`);
  }
  const checks = r.rows.filter((x) => x.kind !== 'journey');
  if (checks.length) {
    lines.push('', '## Session and security checks', '', `Ran on ${md(r.checksRanOn.join(', ') || '–')}.`, '', '| Check | Requirements | Outcome | Measured | Expected |', '| --- | --- | --- | --- | --- |');
    for (const row of checks) {
      for (const c of row.cells) {
        const measured = c.measurements.map((m) => `${m.name}: ${m.value} ${m.unit}`).join('; ') || '–';
        const expected = c.measurements.flatMap((m) => (m.expected !== undefined ? [`${m.name}: ${m.expected} ${m.unit}`] : m.atLeast !== undefined ? [`${m.name}: ≥ ${m.atLeast} ${m.unit}`] : [])).join('; ') || '–';
        lines.push(`| ${md(row.id)} | ${md(row.requirements.join(', ') || '–')} | ${SYM[c.outcome]} | ${md(measured)} | ${md(expected)} |`);
      }
    }
  }
  lines.push('', '✓ passed · ! degraded · ✗ failed · ⚠ harness error · – not run · n/a: not part of the matrix for this row.', '');
  return lines.join('\n');
}
