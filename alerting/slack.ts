/**
 * The Slack messages for the incident rules' notices, as pure code: no network, no clock.
 *
 * A notice is first turned into its content (plain strings: a headline, a summary, the facts,
 * the recommended actions, a diagnostic bundle per failing cell, a footer); that content is
 * rendered twice, as Block Kit for Slack ({@link slackMessage}) and as plain text lines for the
 * README ({@link textRendering}).
 *
 * Each kind looks different at a glance (its emoji and word lead the header and the
 * notification text). Everything shown comes from the notice itself: no URL is made up, and
 * the notice holds no secrets by construction.
 *
 * Slack's limits ({@link SLACK_LIMITS}) hold by construction and never throw: every text is
 * clipped with a visible "… (truncated)", the fixed blocks have caps that together stay well
 * under `totalChars`, and the per-cell blocks are added while they fit, the rest summed up in
 * "… N more cells not shown". Portal-provided text is escaped for mrkdwn (`&`, `<`, `>`), so an
 * error text can neither ping a channel (`<!channel>`, and a bare `@channel` is defused) nor
 * smuggle in a link.
 */
import type { CellObservation, Notice, Severity } from './types.ts';
import type { Outcome } from '../core/result.ts';

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, headerText: 150, totalChars: 12000 } as const;

/** The few Block Kit shapes these messages use. */
export interface PlainText { type: 'plain_text'; text: string; emoji?: boolean }
export interface Mrkdwn { type: 'mrkdwn'; text: string }
export interface HeaderBlock { type: 'header'; text: PlainText }
export interface SectionBlock { type: 'section'; text: Mrkdwn; fields?: Mrkdwn[] }
export interface ContextBlock { type: 'context'; elements: Mrkdwn[] }
export interface DividerBlock { type: 'divider' }
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

export interface SlackMessage { text: string; blocks: Block[] }

export interface MessageOptions {
  /** The portal's display name ("MyChart (Epic)"), shown instead of its config key. */
  portalLabel?: string;
}

/** Caps of the fixed parts (characters, after escaping): together far below `totalChars`. */
const CAP = { fallback: 600, summary: 1500, fact: 200, actions: 1200, cellTitle: 300, cellField: 500, footer: 300, note: 100 } as const;
/** Longest portal-provided value kept in the content (before escaping), in both renderings. */
const VALUE_MAX = 400;
const TRUNCATED = '… (truncated)';

interface Field { label: string; value: string; code?: boolean }
interface CellDetail { title: string; fields: Field[] }
interface Content {
  /** The header: the kind's emoji and word, then what it is about. */
  title: string;
  /** What fails now, one sentence: the notification text's body. */
  state: string;
  summary: string;
  facts: Field[];
  actions: Field[];
  cells: CellDetail[];
  footer: string;
}

/** The Block Kit message for a notice: within Slack's limits, whatever its size. */
export function slackMessage(n: Notice, opts: MessageOptions = {}): SlackMessage {
  const c = content(n, opts);
  const text = clip(mrkdwn(`${c.title}: ${c.state}`), CAP.fallback);
  const fixed: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(c.title, SLACK_LIMITS.headerText), emoji: true } },
    section(clip(mrkdwn(c.summary), CAP.summary), c.facts.map((f) => fieldText(f, CAP.fact))),
  ];
  if (c.actions.length > 0) fixed.push(section(clip(c.actions.map((f) => fieldText(f, CAP.actions)).join('\n\n'), CAP.actions)));
  if (c.cells.length > 0) fixed.push({ type: 'divider' });
  const footer = contextBlock(clip(mrkdwn(c.footer), CAP.footer));
  return { text, blocks: [...withCells(fixed, c.cells, text.length + blockChars(footer)), footer] };
}

/** The same message as plain text lines (the README shows it). */
export function textRendering(n: Notice, opts: MessageOptions = {}): string {
  const c = content(n, opts);
  const lines = [c.title, c.summary, c.facts.map((f) => `${f.label}: ${f.value}`).join(' · ')];
  for (const a of c.actions) lines.push(`${a.label}: ${a.value}`);
  for (const cell of c.cells) lines.push(cell.title, ...cell.fields.map((f) => `  ${f.label}: ${f.value}`));
  lines.push(c.footer);
  return lines.join('\n');
}

// --- Content ------------------------------------------------------------------------------

function content(n: Notice, opts: MessageOptions): Content {
  const portal = opts.portalLabel ?? n.key.portal;
  const failing = failingCells(n);
  const state = stateSentence(n);
  return {
    title: `${headline(n)} · ${portal} › ${n.key.journey} · ${n.key.location}`,
    state,
    summary: [lead(n, `${portal} › ${n.key.journey} from ${n.key.location}`), state, maintenanceNote(n)].filter((s) => s !== '').join(' '),
    facts: facts(n, portal),
    actions: actions(failing),
    cells: failing.map((cell) => cellDetail(cell, n.observation.at)),
    footer: `Incident ${n.incidentId} · run ${n.observation.runId} · ${formatTime(n.at)}`,
  };
}

/** The kind's emoji and word: each kind (and severity, where it has one) distinct at a glance. */
function headline(n: Notice): string {
  const critical = n.severity === 'critical';
  switch (n.kind) {
    case 'open': return critical ? '🔴 FAILING' : '🟠 DEGRADED';
    case 'update': return critical ? '🔁 UPDATE' : '🔁 UPDATE (degraded)';
    case 'reminder': return `⏰ STILL ${critical ? 'FAILING' : 'DEGRADED'}${n.reminder === undefined ? '' : ` (reminder ${n.reminder})`}`;
    case 'recovery': return critical ? '✅ RECOVERED' : '✅ RECOVERED (was degraded)';
    case 'flapping-start': return '〰️ FLAPPING';
    case 'flapping-stop': return '〰️ FLAPPING STOPPED';
  }
}

const FAILING_WORD: Record<Severity, string> = { critical: 'failing', degraded: 'degraded' };

/** The first sentence: what happened to the journey, where and since when. */
function lead(n: Notice, where: string): string {
  const word = FAILING_WORD[n.severity];
  const since = formatTime(n.since);
  switch (n.kind) {
    case 'open': return `${where} has been ${word} since ${since}.`;
    case 'update': return `${where} is still ${word} (since ${since}). ${changes(n)}`;
    case 'reminder': return `${where} is still ${word}, since ${since} (${formatDuration(n.at - n.since)}).`;
    case 'recovery': return `${where} recovered at ${formatTime(n.at)}: it lasted ${formatDuration(n.durationMs ?? n.at - n.since)} (since ${since}). Seen ${word}: ${listOrNone(n.seen ?? [])}.`;
    case 'flapping-start': return `${where} is flapping between passing and failing (since ${since}): its messages are held until it settles. Now:`;
    case 'flapping-stop': return `${where} has stopped flapping (it flapped from ${since} to ${formatTime(n.at)}, ${formatDuration(n.at - n.since)}). Now:`;
  }
}

/** What an update changed: the cells newly failing and those recovered. */
function changes(n: Notice): string {
  const parts = [];
  if (n.added?.length) parts.push(`now also ${FAILING_WORD[n.severity]}: ${list(n.added)}`);
  if (n.recovered?.length) parts.push(`recovered: ${list(n.recovered)}`);
  return parts.length > 0 ? `${capitalize(parts.join('; '))}.` : 'The failing step or category changed.';
}

function maintenanceNote(n: Notice): string {
  return n.afterMaintenance ? '(state changed during a maintenance window)' : '';
}

/** Third person singular and plural, for "chromium/desktop fails" and "… fail". */
const VERB: Record<Outcome, [string, string]> = {
  passed: ['passes', 'pass'], failed: ['fails', 'fail'], degraded: ['is degraded', 'are degraded'],
  'not-run': ['did not run', 'did not run'], error: ['had a harness error', 'had a harness error'],
};
const AFFECTED: Record<Severity, Outcome> = { critical: 'failed', degraded: 'degraded' };

/**
 * Which cells fail (grouped by step and category), which pass, and which did neither:
 * "Firefox/desktop and webkit/iphone fail at totp (Authentication); chromium/desktop passes."
 */
function stateSentence(n: Notice): string {
  const byName = new Map(n.observation.cells.map((c) => [c.cell, c]));
  const failingGroups = groupBy(n.failing, (name) => stepOf(byName.get(name)));
  const parts = [...failingGroups].map(([at, names]) => `${list(names)} ${verb(AFFECTED[n.severity], names)}${at}`);
  const listed = new Set([...n.failing, ...n.passing]);
  if (n.passing.length > 0) {
    const names = n.passing.map((name) => (byName.get(name)?.outcome === 'degraded' ? `${name} (degraded)` : name));
    parts.push(`${list(names)} ${verb('passed', names)}`);
  }
  const others = groupBy(n.observation.cells.filter((c) => !listed.has(c.cell)), (c) => c.outcome);
  for (const [outcome, cells] of others) parts.push(`${list(cells.map((c) => c.cell))} ${verb(outcome, cells)}`);
  return parts.length > 0 ? `${capitalize(parts.join('; '))}.` : 'No cell was observed.';
}

/** " at totp (Authentication)", or less when the cell says less. */
function stepOf(c: CellObservation | undefined): string {
  return `${c?.step ? ` at ${c.step}` : ''}${c?.category ? ` (${c.category})` : ''}`;
}

function verb(outcome: Outcome, items: readonly unknown[]): string {
  return VERB[outcome][items.length === 1 ? 0 : 1];
}

function facts(n: Notice, portal: string): Field[] {
  const fields: Field[] = [
    { label: 'Portal', value: portal }, { label: 'Journey', value: n.key.journey },
    { label: 'Location', value: n.key.location }, { label: 'Since', value: formatTime(n.since) },
  ];
  if (n.kind === 'recovery') fields.push({ label: 'Recovered at', value: formatTime(n.at) }, { label: 'Lasted', value: formatDuration(n.durationMs ?? n.at - n.since) });
  else fields.push({ label: 'Observed at', value: formatTime(n.observation.at) }, { label: 'For', value: formatDuration(n.at - n.since) });
  return fields;
}

/** The failing cells' observations, in the notice's order. */
function failingCells(n: Notice): CellObservation[] {
  return n.failing.flatMap((name) => n.observation.cells.filter((c) => c.cell === name));
}

/** The help desk's recommended actions, one per distinct action, with the cells it is for. */
function actions(cells: CellObservation[]): Field[] {
  const byAction = groupBy(cells.filter((c) => c.action), (c) => c.action ?? '');
  return [...byAction].map(([action, cs]) => {
    const category = cs[0]?.category ? `${cs[0].category}: ` : '';
    return { label: `Recommended action (${category}${list(cs.map((c) => c.cell))})`, value: action };
  });
}

const PAST: Record<Outcome, string> = { passed: 'passed', failed: 'failed', degraded: 'was degraded', 'not-run': 'did not run', error: 'had a harness error' };

/** The diagnostic bundle of one failing cell: what a help desk needs to escalate it. */
function cellDetail(c: CellObservation, at: number): CellDetail {
  const candidates: [string, string | null | undefined, boolean?][] = [
    [c.outcome === 'degraded' ? 'Degraded at' : 'Failed at', formatTime(at)],
    ["Portal's error text", c.errorText],
    ['Account', c.account],
    ['Browser', `${c.browser} ${c.browserVersion ?? '(version unknown)'} · ${c.viewport}`],
    ['HTTP status', c.httpStatus?.toString()],
    ['Final URL', c.finalUrl, true],
    ['Screenshot', c.screenshot, true],
    ['Measured', c.measured],
    ['Reason', c.reason],
  ];
  const fields = candidates.flatMap(([label, value, code]) => (value ? [{ label, value: clip(value, VALUE_MAX), code: code === true }] : []));
  return { title: `${c.cell} ${PAST[c.outcome]}${stepOf(c)}`, fields };
}

// --- Block Kit ----------------------------------------------------------------------------

/** The fixed blocks, then one block per cell while the blocks and characters allow, then a note of the rest. */
function withCells(fixed: Block[], cells: CellDetail[], reserved: number): Block[] {
  const blocks = [...fixed];
  const maxBlocks = SLACK_LIMITS.blocks - 2; // the note and the footer
  let chars = reserved + CAP.note + blocks.reduce((sum, b) => sum + blockChars(b), 0);
  let shown = 0;
  for (const cell of cells) {
    const block = cellBlock(cell);
    if (blocks.length >= maxBlocks || chars + blockChars(block) > SLACK_LIMITS.totalChars) break;
    blocks.push(block);
    chars += blockChars(block);
    shown += 1;
  }
  const hidden = cells.length - shown;
  if (hidden > 0) blocks.push(contextBlock(clip(`_… ${hidden} more ${hidden === 1 ? 'cell' : 'cells'} not shown_`, CAP.note)));
  return blocks;
}

function cellBlock(cell: CellDetail): SectionBlock {
  return section(clip(`*${mrkdwn(cell.title)}*`, CAP.cellTitle), cell.fields.map((f) => fieldText(f, CAP.cellField)));
}

function section(text: string, fields: string[] = []): SectionBlock {
  const block: SectionBlock = { type: 'section', text: { type: 'mrkdwn', text } };
  if (fields.length > 0) block.fields = fields.slice(0, SLACK_LIMITS.fields).map((t) => ({ type: 'mrkdwn', text: t }));
  return block;
}

function contextBlock(text: string): ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** "*Label*\nvalue", escaped, the value in a code span when asked (and possible), clipped to `max`. */
function fieldText(f: Field, max: number): string {
  const value = mrkdwn(f.value);
  const shown = f.code && !value.includes('`') ? `\`${value}\`` : value;
  return clip(`*${mrkdwn(f.label)}*\n${shown}`, max);
}

/** Every character of text a block carries. */
function blockChars(b: Block): number {
  switch (b.type) {
    case 'header': return b.text.text.length;
    case 'section': return b.text.text.length + (b.fields ?? []).reduce((sum, f) => sum + f.text.length, 0);
    case 'context': return b.elements.reduce((sum, e) => sum + e.text.length, 0);
    case 'divider': return 0;
  }
}

// --- Text ---------------------------------------------------------------------------------

/**
 * Text made inert for mrkdwn: `&`, `<` and `>` escaped (no `<!channel>`, `<@U…>` or
 * `<https://…|…>` survives), and a bare @channel/@here/@everyone broken by a zero-width space.
 */
function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
}

/** At most `max` characters, with a visible note when cut; never splits an escape (`&amp;`) or a surrogate pair. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, Math.max(0, max - TRUNCATED.length)).replace(/&[a-z]{0,3}$/, '').replace(/[\uD800-\uDBFF]$/, '');
  return cut + TRUNCATED;
}

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function listOrNone(items: readonly string[]): string {
  return items.length > 0 ? list(items) : 'none recorded';
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

/** "2026-12-06 14:05 UTC". */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "1 h 5 min", "2 d 3 h", "40 s". */
function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const parts: string[] = [];
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) parts.push(`${days} d`);
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes % 60 > 0) parts.push(`${minutes % 60} min`);
  return parts.join(' ');
}
