/**
 * Value-based redaction: the last line of defence behind key-based redaction.
 *
 * pino's `redact.paths` only masks fields whose *name* says "secret". A password that
 * leaks into an error message ("login failed for hunter2"), a URL query string or a
 * stack trace has no such name, so everything we write is also scanned for the
 * resolved secret *values* themselves (see config/secrets.ts `values()`).
 */

export const REDACTED = '[REDACTED]';

/**
 * Values shorter than this are not masked: a 1–3 character "secret" would turn every
 * matching digit or syllable in every log line into noise and still protect nothing
 * (such a password is guessable anyway). Real passwords and TOTP seeds are far longer.
 */
export const MIN_SECRET_LENGTH = 4;

export type Redactor = (text: string) => string;

/**
 * The forms a secret takes once it has passed through the layers we log from:
 * as typed, percent-encoded in a URL, form-encoded in a POST body (spaces as "+"),
 * and JSON-escaped inside an already-serialised string (quotes, backslashes).
 */
function encodedForms(secret: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
  return forms.filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds one regular expression over every form of every secret. Longest first so
 * that when one secret contains another ("hunter22" and "hunter2") the longer one is
 * masked whole instead of leaving a tell-tale "[REDACTED]2".
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of encodedForms(secret)) forms.add(form);
  }
  if (forms.size === 0) return (text) => text;
  const ordered = [...forms].sort((a, b) => b.length - a.length || a.localeCompare(b));
  const pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
  return (text) => {
    // Cheap pre-check: most log lines contain no secret, and replace() always allocates.
    pattern.lastIndex = 0;
    if (!pattern.test(text)) return text;
    pattern.lastIndex = 0;
    return text.replace(pattern, REDACTED);
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Redacts every string (keys included) in a JSON-able value, returning a copy and
 * leaving the input untouched — callers often still need the real value (e.g. to
 * type it into the page) after logging a redacted copy. Non-plain objects (Date,
 * Buffer, class instances) are returned as they are: they are not JSON-able input,
 * and the logger's output-level hook still scans their serialised form.
 */
export function redactDeep<T>(value: T, redact: Redactor): T {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
      const out = v.map(walk);
      seen.delete(v);
      return out;
    }
    if (isPlainObject(v)) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[redact(k)] = walk(inner);
      seen.delete(v);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
