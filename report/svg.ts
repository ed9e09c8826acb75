/**
 * Static SVG charts for the report: drawn here, at report time, not by a chart library in
 * the browser. They need no script (nothing to fail, nothing to fetch), print as vectors,
 * carry their numbers as real text and a <title>, and stay small: a run set of 30 cells ×
 * 10 runs is a few hundred KB. Every shape's meaning is also in text (never colour alone).
 */
import type { Report } from './schema.ts';

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x: number): string => (Math.round(x * 10) / 10).toString();
export const ms = (x: number | null): string => (x === null ? '–' : x >= 10_000 ? `${n(x / 1000)} s` : `${Math.round(x)} ms`);

type Steps = Report['rows'][number]['cells'][number]['steps'];

/**
 * The scale a row's step charts share: the slowest sample, and the budgets when they are near
 * (a budget far above every sample is written as text at the edge, not allowed to flatten the bars).
 */
export function stepScale(steps: readonly Steps[]): number {
  let hi = 0;
  for (const s of steps.flat()) hi = Math.max(hi, s.max ?? 0);
  for (const s of steps.flat()) if (s.budgetMs !== null && s.budgetMs <= hi * 3) hi = Math.max(hi, s.budgetMs);
  return hi > 0 ? hi * 1.08 : 1;
}

/**
 * One cell's steps: per step, the range (min–max whisker), the middle half (box), the median
 * (bar), and the budget (dashed red line, labelled in the title); the median in text on the right.
 */
export function stepChart(steps: Steps, scaleMax: number, label: string): string {
  const rowH = 20;
  const left = 120;
  const plotW = 230;
  const width = left + plotW + 170;
  const height = steps.length * rowH + 22;
  const x = (v: number): number => left + (v / scaleMax) * plotW;
  const parts: string[] = [];
  steps.forEach((s, i) => {
    const y = 6 + i * rowH;
    const mid = y + rowH / 2;
    const tip = `${s.name}: ${s.samples} sample${s.samples === 1 ? '' : 's'}${s.median === null ? '' : `, median ${ms(s.median)}, middle half ${ms(s.p25)}–${ms(s.p75)}, range ${ms(s.min)}–${ms(s.max)}`}${s.budgetMs === null ? '' : `, budget ${ms(s.budgetMs)}${s.overBudget ? ` (${s.overBudget} over)` : ''}`}`;
    parts.push(`<g><title>${esc(tip)}</title><text x="${left - 6}" y="${mid + 4}" text-anchor="end" class="lbl">${esc(s.name.length > 18 ? `${s.name.slice(0, 17)}…` : s.name)}</text>`);
    if (s.median === null || s.min === null || s.max === null || s.p25 === null || s.p75 === null) {
      parts.push(`<text x="${left + 4}" y="${mid + 4}" class="none">no timing</text>`);
    } else {
      parts.push(`<line x1="${n(x(s.min))}" x2="${n(x(s.max))}" y1="${mid}" y2="${mid}" class="whisker"/>`);
      parts.push(`<rect x="${n(x(s.p25))}" y="${mid - 5}" width="${n(Math.max(1, x(s.p75) - x(s.p25)))}" height="10" class="box"/>`);
      parts.push(`<line x1="${n(x(s.median))}" x2="${n(x(s.median))}" y1="${mid - 7}" y2="${mid + 7}" class="median"/>`);
      parts.push(`<text x="${left + plotW + 6}" y="${mid + 4}" class="val">${esc(ms(s.median))}${s.overBudget ? ' ▲' : ''}</text>`);
    }
    if (s.budgetMs !== null && s.budgetMs <= scaleMax) parts.push(`<line x1="${n(x(s.budgetMs))}" x2="${n(x(s.budgetMs))}" y1="${y + 1}" y2="${y + rowH - 1}" class="budget"/>`);
    else if (s.budgetMs !== null) parts.push(`<text x="${left + plotW + 70}" y="${mid + 4}" class="offscale">budget ${esc(ms(s.budgetMs))} ▸</text>`);
    parts.push('</g>');
  });
  const axisY = steps.length * rowH + 8;
  parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}" class="axis"/>`);
  parts.push(`<text x="${left}" y="${axisY + 12}" class="tick">0</text><text x="${left + plotW}" y="${axisY + 12}" text-anchor="end" class="tick">${esc(ms(scaleMax))}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart steps" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${esc(`Step timings, ${label}`)}"><title>${esc(`Step timings, ${label}: median bar, middle-half box, range whisker, dashed red budget`)}</title>${parts.join('')}</svg>`;
}

type Points = Report['trends'][number]['points'];

/** A cell's results over time: journey duration of each result, its outcome as a shape (● passed, ▲ degraded, ✕ failed, ◆ error, ○ not run). */
export function trendChart(points: Points, label: string): string {
  const width = 260;
  const height = 46;
  const pad = 6;
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const durations = points.flatMap((p) => (p.durationMs === null ? [] : [p.durationMs]));
  const hi = durations.length ? Math.max(...durations) : 1;
  const x = (t: number): number => (t1 === t0 ? width / 2 : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad));
  const y = (d: number | null): number => (d === null ? height - pad : height - pad - (d / hi) * (height - 2 * pad));
  const shapes = points.map((p, i) => {
    const cx = n(x(times[i] ?? t0));
    const cy = n(y(p.durationMs));
    const tip = `<title>${esc(`${p.at.slice(0, 16).replace('T', ' ')}: ${p.outcome}${p.durationMs === null ? '' : `, ${ms(p.durationMs)}`}`)}</title>`;
    switch (p.outcome) {
      case 'passed': return `<circle cx="${cx}" cy="${cy}" r="2.5" class="pt-passed">${tip}</circle>`;
      case 'degraded': return `<path d="M${cx} ${Number(cy) - 3.5}l3 6h-6z" class="pt-degraded">${tip}</path>`;
      case 'failed': return `<path d="M${Number(cx) - 3} ${Number(cy) - 3}l6 6m0 -6l-6 6" class="pt-failed">${tip}</path>`;
      case 'error': return `<path d="M${cx} ${Number(cy) - 3.5}l3.5 3.5l-3.5 3.5l-3.5 -3.5z" class="pt-error">${tip}</path>`;
      default: return `<circle cx="${cx}" cy="${cy}" r="2.5" class="pt-notrun">${tip}</circle>`;
    }
  });
  const ran = points.map((p, i) => ({ p, t: times[i] ?? t0 })).filter(({ p }) => p.outcome === 'passed' && p.durationMs !== null);
  const line = ran.length > 1 ? `<polyline points="${ran.map(({ p, t }) => `${n(x(t))},${n(y(p.durationMs))}`).join(' ')}" class="trend"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart trend" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${esc(`Trend, ${label}`)}"><title>${esc(`Trend, ${label}: ${points.length} results; ● passed ▲ degraded ✕ failed ◆ error ○ not run; height is the journey's duration (up to ${ms(hi)})`)}</title>${line}${shapes.join('')}</svg>`;
}
