/**
 * Default step names. Results and budgets are keyed by a step's name, so names are unique
 * in a journey: a second unnamed `click` is "click 2". Shared by validation (budgets may
 * name default names), the journey runtime and the not-run results.
 */
import type { JourneyStep } from './schema.ts';

const DEFAULT_NAMES: Record<JourneyStep['step'], string> = {
  open: 'open login page', goto: 'go to', fill: 'fill', submit: 'submit', click: 'click', hover: 'hover',
  press: 'press', select: 'select', check: 'check', waitFor: 'wait', totp: 'enter TOTP code',
  interstitial: 'interstitial', assert: 'logged in', logout: 'log out',
};

/** Minimal shape so raw (unvalidated) steps can be named too. */
export interface NamedStep { step: string; name?: string | undefined; value?: unknown }

function baseName(s: NamedStep): string {
  if (s.name !== undefined) return s.name;
  if (s.step === 'fill' && typeof s.value === 'string') return `enter ${s.value}`;
  return DEFAULT_NAMES[s.step as JourneyStep['step']] ?? s.step;
}

export function stepNames(steps: readonly NamedStep[]): string[] {
  const explicit = new Set(steps.flatMap((s) => (s.name !== undefined ? [s.name] : [])));
  const seen = new Map<string, number>();
  return steps.map((s) => {
    const base = baseName(s);
    if (s.name !== undefined) return base;
    let n = seen.get(base) ?? 0;
    let name: string;
    // An unnamed step never takes a name another step was given explicitly.
    do {
      n += 1;
      name = n === 1 ? base : `${base} ${n}`;
    } while (explicit.has(name));
    seen.set(base, n);
    return name;
  });
}
