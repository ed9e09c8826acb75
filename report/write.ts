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
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot create the report folder ${dir}.`, { cause: e });
  }
  const copied = new Map<string, string>();
  const screenshot = (r: InputResult): string | undefined => {
    if (!r.screenshot || !existsSync(r.screenshot)) return undefined;
    const known = copied.get(r.screenshot);
    if (known) return known;
    const rel = `screenshots/${copied.size + 1}-${`${r.portal}-${r.journey}-${r.browser}-${r.viewport}`.replace(/[^\w.-]+/g, '_')}.png`;
    mkdirSync(path.join(dir, 'screenshots'), { recursive: true });
    copyFileSync(r.screenshot, path.join(dir, rel));
    copied.set(r.screenshot, rel);
    return rel;
  };
  const report = reportSchema.parse(buildReport({ ...input, screenshot }));
  const files = { html: path.join(dir, 'report.html'), markdown: path.join(dir, 'report.md'), json: path.join(dir, 'report.json') };
  const embed = (rel: string): string | undefined => {
    const file = path.join(dir, rel);
    if (!existsSync(file) || statSync(file).size > EMBED_MAX_BYTES) return undefined;
    return `data:image/png;base64,${readFileSync(file).toString('base64')}`;
  };
  try {
    writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(files.markdown, renderMarkdown(report));
    writeFileSync(files.html, renderHtml(report, { embed }));
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot write the report into ${dir}.`, { cause: e });
  }
  return { report, ...files };
}
