/**
 * Writes a report's three forms into one folder: report.html (self-contained), report.md
 * and report.json (checked against its schema first), with failure screenshots copied
 * beside them and embedded in the HTML.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../core/errors.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { buildReport, type InputResult, type ReportInput } from './model.ts';
import { reportSchema, type Report } from './schema.ts';

/** Screenshots larger than this are linked, not embedded. */
const EMBED_MAX_BYTES = 2 * 1024 * 1024;

export interface WrittenReport { report: Report; html: string; markdown: string; json: string }

export function writeReport(dir: string, input: ReportInput): WrittenReport {
  // Built and checked against its schema before anything is written.
  const planned = new Map<string, string>();
  const screenshot = (r: InputResult): string | undefined => {
    if (!r.screenshot || !existsSync(r.screenshot)) return undefined;
    const known = planned.get(r.screenshot);
    if (known) return known;
    const rel = `screenshots/${planned.size + 1}-${`${r.portal}-${r.journey}-${r.browser}-${r.viewport}`.replace(/[^\w.-]+/g, '_')}.png`;
    planned.set(r.screenshot, rel);
    return rel;
  };
  const report = reportSchema.parse(buildReport({ ...input, screenshot }));
  const files = { html: path.join(dir, 'report.html'), markdown: path.join(dir, 'report.md'), json: path.join(dir, 'report.json') };
  const markdown = renderMarkdown(report);
  try {
    mkdirSync(dir, { recursive: true });
    if (planned.size) mkdirSync(path.join(dir, 'screenshots'), { recursive: true });
    for (const [from, rel] of planned) copyFileSync(from, path.join(dir, rel));
    const embed = (rel: string): string | undefined => {
      const file = path.join(dir, rel);
      if (!existsSync(file) || statSync(file).size > EMBED_MAX_BYTES) return undefined;
      return `data:image/png;base64,${readFileSync(file).toString('base64')}`;
    };
    const html = renderHtml(report, { embed });
    writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(files.markdown, markdown);
    writeFileSync(files.html, html);
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot write the report into ${dir}.`, { cause: e });
  }
  return { report, ...files };
}
