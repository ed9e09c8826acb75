/**
 * Durations as people write them in fault specs and CLI flags ("500ms", "20s", "5m", "1h").
 * A bare number is refused on purpose: "30" is ambiguous between seconds and minutes,
 * and a wrong guess silently turns a timeout test into a different test.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Milliseconds for a duration like "500ms", "20s", "5m", "1h"; undefined when malformed or zero. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const ms = Math.round(value * UNIT_MS[match[2] as Unit]);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Human wording used in user-facing messages ("30 minutes", "1 second"). */
export function describeDuration(ms: number): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms % UNIT_MS.h === 0) return plural(ms / UNIT_MS.h, 'hour');
  if (ms >= UNIT_MS.m) return plural(Math.ceil(ms / UNIT_MS.m), 'minute');
  return plural(Math.max(1, Math.ceil(ms / UNIT_MS.s)), 'second');
}
