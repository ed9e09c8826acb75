/**
 * Cross-references of the `monitor` section, which zod cannot express: schedules and
 * maintenance windows name real portals and journeys, cron expressions parse, time zones
 * exist. Read from the raw input, like the other cross checks, so every problem is listed.
 */
import { Cron } from 'croner';

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Why a cron expression (in a time zone) cannot be scheduled, or undefined when it can. */
export function cronProblem(expression: string, timezone: string | undefined): string | undefined {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      return `time zone "${timezone}" is not an IANA time zone name such as "Europe/Berlin" or "UTC"`;
    }
  }
  try {
    const c = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) });
    if (c.nextRun() === null) return `cron "${expression}" never fires again`;
  } catch (e) {
    return `cron "${expression}" does not parse (${(e instanceof Error ? e.message : String(e)).replace(/^CronPattern: /, '')})`;
  }
  return undefined;
}

export function checkMonitor(root: Raw, add: (path: string, message: string) => void): void {
  const monitor = rec(root.monitor);
  if (!monitor) return;
  const portals = new Map<string, Raw>();
  for (const p of list(root.portals).map(rec)) if (p && typeof p.name === 'string') portals.set(p.name, p);
  const names = [...portals.keys()].map((n) => `"${n}"`).join(', ');
  const portalRef = (at: string, v: unknown): void => {
    if (typeof v === 'string' && !portals.has(v)) add(at, `names portal "${v}", but the config has no portal of that name (portals: ${names}).`);
  };
  const timing = (at: string, s: Raw): void => {
    if (typeof s.cron !== 'string') return;
    const why = cronProblem(s.cron, typeof s.timezone === 'string' ? s.timezone : undefined);
    if (why) add(`${at}.cron`, `${why}.`);
  };
  list(monitor.schedules).forEach((v, i) => {
    const s = rec(v);
    if (!s) return;
    const at = `monitor.schedules[${i}]`;
    portalRef(`${at}.portal`, s.portal);
    timing(at, s);
    if (s.timezone !== undefined && s.cron === undefined) add(`${at}.timezone`, 'applies only to "cron": an "every" interval has no time zone.');
    const scope = typeof s.portal === 'string' ? [portals.get(s.portal)] : [...portals.values()];
    const journeys = new Set(scope.flatMap((p) => list(p?.journeys).map((j) => rec(j)?.name)));
    list(s.journeys).forEach((j, ji) => {
      if (typeof j === 'string' && !journeys.has(j)) {
        add(`${at}.journeys[${ji}]`, `names journey "${j}", but ${typeof s.portal === 'string' ? `portal "${s.portal}"` : 'no portal'} has a journey of that name.`);
      }
    });
  });
  list(monitor.maintenance).forEach((v, i) => {
    const m = rec(v);
    if (!m) return;
    portalRef(`monitor.maintenance[${i}].portal`, m.portal);
    timing(`monitor.maintenance[${i}]`, m);
  });
  list(rec(monitor.slack)?.webhooks).forEach((v, i) => list(rec(v)?.portals).forEach((p, pi) => portalRef(`monitor.slack.webhooks[${i}].portals[${pi}]`, p)));
}
