/**
 * Validates a config once, at start-up, and reports *every* problem in one go: a
 * person fixing a config should not have to run the tool ten times to find ten typos.
 *
 * Two passes, both always run: the zod schema, then cross-reference checks zod cannot
 * express (unknown accounts, duplicate names, device names). The cross checks read the
 * *raw* input, so an unknown account is reported alongside a typo elsewhere in the file.
 */
import { stepNames as defaultStepNames } from './step-names.ts';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { HarnessError } from '../core/errors.ts';
import { configSchema, type ProbeConfig } from './schema.ts';
import { checkCheckJourneys } from './validate-checks.ts';
import { checkMonitor } from './validate-monitor.ts';

/** `path` like `portals[0].journeys[1].use.account`; `message` a sentence a person can act on. */
export interface ConfigProblem { path: string; message: string }

/** `['portals', 0, 'accounts', 1, 'password']` → `portals[0].accounts[1].password`. */
export function formatPath(keys: readonly PropertyKey[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out === '' ? '(config)' : out;
}

/** The raw value an issue is about, to say what was written instead of what zod saw. */
const valueAt = (raw: unknown, keys: readonly PropertyKey[]): unknown =>
  keys.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);

let knownKeys: string[] | undefined;
/** Every setting name in the schema, for "did you mean" hints (built once, on demand). */
function allKeys(): string[] {
  if (knownKeys) return knownKeys;
  const keys = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return;
    if ('properties' in v && typeof v.properties === 'object' && v.properties !== null) Object.keys(v.properties).forEach((k) => keys.add(k));
    Object.values(v).forEach(walk);
  };
  walk(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }));
  return (knownKeys = [...keys]);
}

const quoteList = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');
const article = (type: string): string => `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
const didYouMean = (hint: string | undefined): string => (hint ? ` (did you mean "${hint}"?)` : '');
/** Typos are the commonest config error, so every unknown key gets its nearest real one. */
const notASetting = (key: string): string => `"${key}" is not a setting here${didYouMean(closest(key, allKeys()))}`;
const orList = (items: readonly string[]): string => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

/** A union failed: explain it in terms of the branch the author most likely meant. */
function unionProblems(issue: z.core.$ZodIssueInvalidUnion, at: PropertyKey[], raw: unknown): ConfigProblem[] {
  if (issue.errors.length === 0) {
    // A discriminated union whose tag (`kind`, `step`) is missing or unknown.
    const options = (issue as { options?: unknown[] }).options ?? [];
    const got = valueAt(raw, at);
    const hint = typeof got === 'string' ? closest(got, options.map(String)) : undefined;
    const choices = orList(options.map((o) => JSON.stringify(o)));
    return [{ path: formatPath(at), message: got === undefined ? `is required: one of ${choices}` : `${JSON.stringify(got)} is not one of ${choices}${didYouMean(hint)}` }];
  }
  // Branches failing at their root are another *type* (string for object): not what was meant.
  const plausible = issue.errors.filter((b) => !b.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')));
  const fewest = Math.min(...plausible.map((b) => b.length));
  const best = plausible.filter((b) => b.length === fewest);
  if (best.length === 1 && best[0]) return issuesToProblems(best[0], raw, at);
  // A key no branch knows is usually the whole story ("rol" for "role"), so say it.
  const unknown = plausible[0]?.find((i) => i.code === 'unrecognized_keys');
  const extra = unknown?.code === 'unrecognized_keys' ? `; ${unknown.keys.map(notASetting).join('; ')}` : '';
  if (issue.message !== 'Invalid input') return [{ path: formatPath(at), message: issue.message + extra }]; // the schema's own words
  if (plausible.length === 0) {
    const expected = issue.errors.flat().flatMap((i) =>
      i.code === 'invalid_value' ? i.values.map((v) => JSON.stringify(v)) : i.code === 'invalid_type' ? [article(i.expected)] : []);
    return [{ path: formatPath(at), message: `must be one of ${orList(expected)}` }];
  }
  // Several object shapes fit equally badly: name the key each one needs...
  const needs = plausible.map((b) => b.filter((i) => i.code === 'invalid_type' && i.path.length === 1).map((i) => `"${String(i.path[0])}"`).join(' + '));
  if (needs.some(Boolean)) return [{ path: formatPath(at), message: `needs one of ${orList(needs.filter(Boolean))}${extra}` }];
  // ...or every shape is complete and rejects the others' key: two shapes were mixed.
  const mixed = [...new Set(plausible.flat().flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : [])))];
  return [{ path: formatPath(at), message: `set only one of ${orList(mixed.map((k) => `"${k}"`))}` }];
}

function issuesToProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, prefix: PropertyKey[] = []): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const at = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: formatPath([...at, key]), message: `is not a setting${didYouMean(closest(key, allKeys()))}` }));
      case 'invalid_union':
        return unionProblems(issue, at, raw);
      case 'invalid_type': {
        const got = valueAt(raw, at);
        if (got === undefined) return [{ path: formatPath(at), message: `is required (${article(issue.expected)})` }];
        return [{ path: formatPath(at), message: `must be ${article(issue.expected)}, not ${article(got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got)}` }];
      }
      case 'invalid_value': {
        const got = valueAt(raw, at);
        const hint = typeof got === 'string' ? closest(got, issue.values.map(String)) : undefined;
        return [{ path: formatPath(at), message: `${JSON.stringify(got)} is not one of ${orList(issue.values.map((v) => JSON.stringify(v)))}${didYouMean(hint)}` }];
      }
      case 'too_small':
      case 'too_big': {
        const [small, limit] = issue.code === 'too_small' ? [true, issue.minimum] : [false, issue.maximum];
        const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : '';
        const bound = small ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
        return [{ path: formatPath(at), message: small && unit && Number(limit) === 1 ? 'must not be empty' : `must be ${bound} ${limit}${unit}` }];
      }
      default:
        return [{ path: formatPath(at), message: issue.message }];
    }
  });
}

/** The nearest candidate within a couple of typos, for "did you mean" hints. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const a = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const b = candidate.toLowerCase();
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    const d = row[b.length] ?? Infinity;
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // One typo in a short word, two in a longer one: looser than that suggests nonsense.
  return best !== word && bestDistance <= (word.length <= 4 ? 1 : 2) ? best : undefined;
}

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reports each repeat of a name at `at(i)`, pointing back at its first use. */
function duplicates(out: ConfigProblem[], names: readonly unknown[], at: (i: number) => string, rule: string): void {
  const firstAt = new Map<string, number>();
  names.forEach((name, i) => {
    if (typeof name !== 'string') return;
    const first = firstAt.get(name);
    if (first === undefined) firstAt.set(name, i);
    else out.push({ path: at(i), message: `"${name}" is already used by ${at(first)}; ${rule}.` });
  });
}

/** Per-portal references: accounts named by journeys, and what their steps need of them. */
function checkPortal(portal: Raw, at: string, out: ConfigProblem[], stepNames: Set<string>): void {
  const add = (path: string, message: string): void => void out.push({ path, message });
  const accounts = list(portal.accounts).map(rec);
  const ids = accounts.map((a) => a?.id);
  duplicates(out, ids, (i) => `${at}.accounts[${i}].id`, 'account ids must be unique within a portal');
  const journeys = list(portal.journeys).map(rec);
  duplicates(out, journeys.map((j) => j?.name), (i) => `${at}.journeys[${i}].name`, 'journey names must be unique within a portal');
  journeys.forEach((journey, ji) => {
    if (!journey) return;
    const jat = `${at}.journeys[${ji}]`;
    const use = rec(journey.use);
    let used: number[] = [];
    if (typeof use?.account === 'string') {
      used = ids.flatMap((id, i) => (id === use.account ? [i] : []));
      const known = quoteList([...new Set(ids.filter((id) => typeof id === 'string'))]);
      if (used.length === 0) add(`${jat}.use.account`, `names account "${use.account}", but ${at} has no account with that id (ids: ${known}).`);
    } else if (typeof use?.pool === 'string') {
      used = accounts.flatMap((a, i) => (a?.pool === use.pool ? [i] : []));
      if (used.length === 0) {
        add(`${jat}.use.pool`, `names pool "${use.pool}", but no account of ${at} has "pool": "${use.pool}"; add it to the accounts to rotate through.`);
      }
    }
    if (journey.kind !== 'login') return;
    const steps = list(journey.steps).map(rec);
    const names = steps.map((st) => st?.name);
    duplicates(out, names, (i) => `${jat}.steps[${i}].name`, 'step names must be unique in a journey so timings and budgets can tell them apart');
    // Budgets may name a step by its default name too ("enter password", "click 2").
    const named = steps.filter((st): st is NonNullable<typeof st> & { step: string } => typeof st?.step === 'string');
    defaultStepNames(named.map((st) => ({ step: st.step as string, ...(typeof st.name === 'string' ? { name: st.name } : {}), value: st.value }))).forEach((n) => stepNames.add(n));
    const needs: [field: string, why: string][] = [];
    if (steps.some((st) => st?.step === 'totp')) needs.push(['totpSeed', 'has a totp step']);
    if (steps.some((st) => st?.step === 'fill' && st.value === 'npi')) needs.push(['npi', 'fills in the NPI']);
    for (const ai of used) {
      for (const [field, why] of needs) {
        if (accounts[ai]?.[field] === undefined) add(`${at}.accounts[${ai}].${field}`, `is required: journey "${str(journey.name) ?? ji}" ${why} and uses this account.`);
      }
    }
  });
  checkCheckJourneys(portal, at, add);
  // Practice 2: no secret literals in a config, and userinfo in a URL is one.
  if (typeof portal.baseUrl === 'string' && /^[a-z]+:\/\/[^/?#]*@/i.test(portal.baseUrl)) {
    add(`${at}.baseUrl`, 'must not contain a user name or password; accounts hold credentials, as env: or file: references.');
  }
  list(portal.allowedHosts).forEach((h, i) => {
    if (typeof h === 'string' && /[/\s@]/.test(h)) add(`${at}.allowedHosts[${i}]`, 'must be a host name such as "sso.example.com", not a URL.');
  });
  const totp = rec(portal.totp);
  const periodMs = 1000 * (typeof totp?.periodSeconds === 'number' ? totp.periodSeconds : 30);
  if (typeof totp?.minRemainingMs === 'number' && totp.minRemainingMs >= periodMs) {
    add(`${at}.totp.minRemainingMs`, `must be less than the TOTP period (${periodMs} ms), or no code would ever have enough time left to be typed.`);
  }
}

/** Checks across fields. Reads raw input, so every branch tolerates missing or mistyped parts. */
function crossCheck(raw: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const root = rec(raw);
  if (!root) return out; // the schema already says it must be an object
  const portals = list(root.portals).map(rec);
  duplicates(out, portals.map((p) => p?.name), (i) => `portals[${i}].name`, 'portal names must be unique: results and alerts are keyed by them');
  const stepNames = new Set<string>();
  portals.forEach((portal, i) => portal && checkPortal(portal, `portals[${i}]`, out, stepNames));
  // Script journeys name their steps in code, so with any present an unknown key may be theirs (load.ts warns instead).
  const hasScriptJourney = portals.some((p) => list(p?.journeys).some((j) => rec(j)?.kind === 'script'));
  for (const key of Object.keys(rec(root.budgets) ?? {})) {
    if (key === 'default' || stepNames.has(key) || hasScriptJourney) continue;
    const named = quoteList([...stepNames]) || 'none';
    out.push({ path: formatPath(['budgets', key]), message: `budget for unknown step "${key}": no journey has a step with "name": "${key}"; name the step or use "default" (named steps: ${named}).` });
  }
  // Think time is inside the journey's timeout: pauses that fill it leave no time for the portal.
  const timeouts = rec(root.timeouts);
  const journeyMs = typeof timeouts?.journeyMs === 'number' ? timeouts.journeyMs : 120_000;
  portals.forEach((portal, i) => list(portal?.journeys).forEach((j, ji) => {
    const journey = rec(j);
    if (journey?.kind !== 'login' || typeof journey.thinkTimeMs !== 'number') return;
    const pauses = Math.max(0, list(journey.steps).length - 1) * journey.thinkTimeMs;
    if (pauses >= journeyMs / 2) {
      out.push({ path: `portals[${i}].journeys[${ji}].thinkTimeMs`, message: `adds ${pauses} ms of pauses, at least half of timeouts.journeyMs (${journeyMs} ms); shorten the think time or raise the journey timeout.` });
    }
  }));
  checkMonitor(root, (path, message) => void out.push({ path, message }));
  const viewports = list(root.viewports);
  duplicates(out, viewports.map((v) => str(v) ?? rec(v)?.name), (i) => `viewports[${i}]`, 'viewport names must be unique: results are keyed by them');
  viewports.forEach((v, i) => {
    const viewport = rec(v);
    if (!viewport) return;
    // Playwright's device list, loaded only for a config that names a device (it costs a third of a second to load).
    const devices = typeof viewport.device === 'string' ? (createRequire(import.meta.url)('@playwright/test') as typeof import('@playwright/test')).devices : {};
    if (typeof viewport.device === 'string' && !Object.hasOwn(devices, viewport.device)) {
      const hint = didYouMean(closest(viewport.device, Object.keys(devices))) || ' such as "Pixel 7" or "iPhone 15"';
      out.push({ path: `viewports[${i}].device`, message: `"${viewport.device}" is not a Playwright device name${hint}.` });
    } else if (viewport.device === undefined && (viewport.width === undefined || viewport.height === undefined)) {
      out.push({ path: `viewports[${i}]`, message: 'needs either "device" (a Playwright device name such as "Pixel 7") or both "width" and "height".' });
    }
  });
  return out;
}

/** Every problem in `raw`, schema and cross-reference alike, in one list. */
export function configProblems(raw: unknown): { problems: ConfigProblem[]; config?: ProbeConfig } {
  const parsed = configSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : issuesToProblems(parsed.error.issues, raw)), ...crossCheck(raw)];
  // Grouped by place (all of portals[0].journeys[1] together), numbers in numeric order.
  problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
  return parsed.success && problems.length === 0 ? { problems, config: parsed.data } : { problems };
}

export function validateConfig(raw: unknown, source: string): ProbeConfig {
  const { problems, config } = configProblems(raw);
  if (config) return config;
  const n = problems.length;
  throw new HarnessError('CONFIG_INVALID', `The config ${source} has ${n} problem${n === 1 ? '' : 's'}; nothing was run.`, {
    details: problems.map((p) => `${p.path}: ${p.message}`),
  });
}
