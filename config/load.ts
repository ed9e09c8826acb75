/**
 * Finds, loads and validates the config: the one place where "which config is this
 * run using, and is it sound?" is decided. Every failure becomes a HarnessError
 * (exit code 2) that names the file, so the CLI can print it and stop before any
 * browser starts.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { HarnessError } from '../core/errors.ts';
import type { ProbeConfig } from './schema.ts';
import { formatPath, validateConfig } from './validate.ts';

export interface LoadedConfig {
  config: ProbeConfig;
  /** The config file's absolute path, or 'embedded demo config'. */
  source: string;
  /** Directory that relative paths in the config (file: secrets, script journeys) are relative to. */
  baseDir: string;
  /** Things that are allowed but worth a line in the output (e.g. traces that capture passwords). */
  warnings: string[];
}

export interface LoadConfigOptions {
  /** An explicit --config path, relative to cwd. */
  configPath?: string;
  cwd: string;
  /** The embedded demo config, used when no config file is given or found. */
  demoConfig: () => Promise<unknown>;
}

/** Searched in this order in cwd; the first that exists wins. */
export const CONFIG_FILE_NAMES = ['portal-probe.config.ts', 'portal-probe.config.mts', 'portal-probe.config.js', 'portal-probe.config.json'] as const;
export const DEMO_SOURCE = 'embedded demo config';

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

async function kindOf(file: string): Promise<'file' | 'directory' | 'missing'> {
  try {
    return (await stat(file)).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/** Line and column (1-based) of a character offset, for JSON errors people can jump to. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

async function loadJson(file: string, shown: string): Promise<unknown> {
  let text: string;
  try {
    // A BOM is what Windows editors add; JSON.parse would reject it as a stray character.
    text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (e) {
    throw new HarnessError('CONFIG_INVALID', `Config file ${shown} could not be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = (e as Error).message;
    // Node 20 reports "at position N"; newer versions add "(line L column C)" themselves.
    const explicit = /line (\d+) column (\d+)/.exec(message);
    const position = /position (\d+)/.exec(message);
    const where = explicit
      ? { line: Number(explicit[1]), column: Number(explicit[2]) }
      : lineColumn(text, position ? Number(position[1]) : text.length);
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
    throw new HarnessError('CONFIG_INVALID', `Config file ${shown} is not valid JSON: ${reason} (line ${where.line}, column ${where.column})`, { cause: e });
  }
}

/**
 * A config module may be ESM or, when no package.json says `"type": "module"`, compiled
 * to CommonJS by tsx — then the namespace's `default` is the whole `module.exports`
 * (`{ default, config }`), which is unwrapped here.
 */
function pickExport(ns: Record<string, unknown>): unknown {
  let picked = ns.default ?? ns.config;
  if (typeof picked === 'object' && picked !== null && Object.getOwnPropertyDescriptor(picked, '__esModule')?.value === true) {
    const inner = picked as Record<string, unknown>;
    picked = inner.default ?? inner.config;
  }
  return picked;
}

async function loadModule(file: string, shown: string): Promise<unknown> {
  let ns: Record<string, unknown>;
  try {
    ns = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    // tsx appends "?namespace=<uuid>" to paths and CommonJS adds a require stack; neither helps.
    const message = (e instanceof Error ? e.message : String(e)).replace(/\?namespace=[\w-]+/g, '').replace(/\nRequire stack:[\s\S]*$/, '');
    // esbuild's "Transform failed with 1 error:" headline says less than the line under it.
    const [first = '', ...rest] = message.split('\n').filter((l) => !/^Transform failed with \d+ errors?:$/.test(l));
    throw new HarnessError('CONFIG_INVALID', `Config file ${shown} could not be loaded: ${first}`, { cause: e, details: rest.filter((l) => l.trim() !== '') });
  }
  const picked = pickExport(ns);
  if (picked === undefined) {
    throw new HarnessError('CONFIG_INVALID', `Config file ${shown} has no default export; end it with "export default defineConfig({ … })".`);
  }
  return picked;
}

async function findConfigFile(o: LoadConfigOptions): Promise<string | undefined> {
  if (o.configPath !== undefined) {
    const file = path.resolve(o.cwd, o.configPath);
    const kind = await kindOf(file);
    if (kind === 'missing') throw new HarnessError('CONFIG_NOT_FOUND', `Config file ${o.configPath} does not exist.`);
    if (kind === 'directory') throw new HarnessError('CONFIG_NOT_FOUND', `Config file ${o.configPath} is a directory; name the config file in it.`);
    return file;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const file = path.join(o.cwd, name);
    if ((await kindOf(file)) === 'file') return file;
  }
  return undefined;
}

/** Allowed settings that still deserve a line in the run's output. */
export function configWarnings(config: ProbeConfig): string[] {
  const warnings: string[] = [];
  if (config.artifacts.trace !== 'off') {
    warnings.push(`artifacts.trace is "${config.artifacts.trace}": traces record everything typed into the page, passwords and TOTP codes included; keep them out of shared storage.`);
  }
  const named = new Set(config.portals.flatMap((p) => p.journeys.flatMap((j) => (j.kind === 'login' ? j.steps.flatMap((s) => (s.name ? [s.name] : [])) : []))));
  for (const step of Object.keys(config.budgets)) {
    // validate.ts lets these through only because a script journey might name such a step.
    if (step !== 'default' && !named.has(step)) {
      warnings.push(`${formatPath(['budgets', step])} matches no named step of a login journey; it only applies if a script journey has a step named "${step}".`);
    }
  }
  warnings.push(...historyWarnings(config));
  return warnings;
}

/**
 * With Holm's correction a login journey of m steps needs its smallest p under alpha / m; the
 * exact rank test of k candidates against N baseline samples can go no lower than
 * 1 / C(N + k, k). A window too small for that can never call a step of that journey
 * regressed (a slowdown is always "inconclusive"): say so.
 */
function historyWarnings(config: ProbeConfig): string[] {
  const h = config.history;
  if (h.correction === 'none') return [];
  let ways = 1;
  for (let i = 1; i <= h.recent; i++) ways = (ways * (h.window + i)) / i;
  const smallest = 1 / ways;
  const out: string[] = [];
  for (const p of config.portals) {
    for (const j of p.journeys) {
      if (j.kind !== 'login' || j.steps.length < 2 || smallest < h.alpha / j.steps.length) continue;
      out.push(`history: with window ${h.window} and recent ${h.recent} the smallest p a step can reach is ${smallest.toPrecision(2)}, not under alpha ${h.alpha} shared by the ${j.steps.length} steps of journey "${j.name}" of portal "${p.name}" (Holm): none of its steps can be called regressed, only inconclusive; raise history.window or set history.correction to "none".`);
    }
  }
  return out;
}

export async function loadConfig(o: LoadConfigOptions): Promise<LoadedConfig> {
  const file = await findConfigFile(o);
  if (file === undefined) {
    const config = validateConfig(await o.demoConfig(), DEMO_SOURCE);
    return { config, source: DEMO_SOURCE, baseDir: o.cwd, warnings: configWarnings(config) };
  }
  const relative = path.relative(o.cwd, file);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  const ext = path.extname(file).toLowerCase();
  let raw: unknown;
  if (ext === '.json') raw = await loadJson(file, shown);
  else if (MODULE_EXTENSIONS.has(ext)) raw = await loadModule(file, shown);
  else throw new HarnessError('CONFIG_INVALID', `Config file ${shown} has an unsupported extension; use .ts, .mts, .js or .json.`);
  const config = validateConfig(raw, shown);
  return { config, source: file, baseDir: path.dirname(file), warnings: configWarnings(config) };
}
